"""The form for one event, described from its case model: what the desk's page draws.

Every field of the pydantic model (walking nested models and lists of models) becomes a
control picked by its type and its :class:`brevgen.casedata.Input` metadata, labelled with the
model's Danish ``title`` and ``description``, with its example as a placeholder. Field names
(English) travel only as the ``path`` the page sends back; they are never shown.

Dates, times and numbers get controls that hand over one form only (``2026-03-16``, ``10:00``),
so the YAML mistakes a caseworker can make by hand (an unquoted ``9:00``, a date read as a
number) cannot happen. Groups that apply only sometimes carry a ``show_when`` rule from the
event (:attr:`brevgen.events.Event.form_conditions`); other optional groups are switched on
with a checkbox. The CPR number is never part of the form: the desk asks for it only when
Digital Post is chosen.
"""

from __future__ import annotations

import datetime as dt
import decimal
import types
import typing
from typing import Any

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel, SecretStr

from ..casedata import input_of

# The choices' own words are Danish already; some read better to a caseworker in full.
OPTION_LABELS = {
    "over-8-uger": "Over 8 uger",
    "under-8-uger": "Under 8 uger",
    "ukendt": "Ved ikke",
    "selv": "Borgeren selv",
    "a-kasse": "A-kassen",
    "arbejdsgiver": "Arbejdsgiveren",
    "jobcenter": "Jobcentret ringer op",
    "borger": "Borgeren ringer op",
    "værge": "Værge",
    "partsrepræsentant": "Partsrepræsentant",
}

# The parts of every letter that the caseworker's saved profile fills in.
PROFILE_GROUPS = ("caseworker", "sender")
# Kept out of every form: Digital Post's CPR number is asked for at the download only.
NEVER_IN_FORM = {"citizen.cpr"}
LONG_TEXT = 200  # a str field allowing more characters than this is a text area


def _optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def _annotated(annotation: Any) -> tuple[Any, tuple]:
    if typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        inner, meta = _annotated(args[0])
        return inner, meta + tuple(args[1:])
    return annotation, ()


def _max_length(metadata: tuple) -> int | None:
    return next((m.max_length for m in metadata if getattr(m, "max_length", None) is not None), None)


def _min_length(metadata: tuple) -> int:
    for m in metadata:
        if isinstance(m, MinLen):
            return m.min_length
    return 0


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _label(value: Any) -> str:
    return OPTION_LABELS.get(str(value), str(value)[:1].upper() + str(value)[1:])


def describe_field(path: str, info: Any, conditions: dict[str, tuple[str, tuple]]) -> dict | None:
    """One control (or group of controls) for the model field ``info`` at ``path``."""
    if path in NEVER_IN_FORM:
        return None
    annotation, optional = _optional(info.annotation)
    annotation, inner_meta = _annotated(annotation)
    metadata = tuple(info.metadata) + inner_meta
    if annotation is SecretStr:
        return None
    out: dict[str, Any] = {
        "path": path,
        "label": info.title or "",
        "required": info.is_required() and not optional,
    }
    if info.description:
        out["help"] = info.description
    found = input_of(metadata)
    examples = info.examples or []
    if found is not None:
        out["placeholder"] = examples[0] if examples else found.example
    elif examples:
        out["placeholder"] = str(examples[0])
    if path in conditions:
        controller, values = conditions[path]
        out["show_when"] = {"path": controller, "values": list(values)}
    default = info.get_default(call_default_factory=True) if not info.is_required() else None

    if _is_model(annotation):
        out["kind"] = "group"
        out["fields"] = describe_model(annotation, path, conditions)
        # An optional group without a rule of its own is switched on by the caseworker.
        out["optional"] = optional and path not in conditions
        return out
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        item, item_meta = _annotated(item)
        out["min_items"] = _min_length(metadata)
        out["max_items"] = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
        out["required"] = out["min_items"] > 0
        if _is_model(item):
            out["kind"] = "groups"
            out["fields"] = describe_model(item, path + "[]", conditions)
            out["item_label"] = out["label"]
        else:
            out["kind"] = "items"
            out["max_length"] = _max_length(item_meta)
        return out
    if typing.get_origin(annotation) is typing.Literal:
        out["kind"] = "choice"
        out["options"] = [{"value": v, "label": _label(v)} for v in typing.get_args(annotation)]
        if optional:
            out["required"] = False
        return out
    if annotation is bool:
        out["kind"] = "yesno-unknown" if optional else "yesno"
        out["default"] = default if isinstance(default, bool) else None
        return out
    if annotation is dt.datetime:
        out["kind"] = "datetime"
    elif annotation is dt.date:
        out["kind"] = "date"
    elif annotation is dt.time:
        out["kind"] = "time"
        if examples:
            out["placeholder"] = str(examples[0])
    elif annotation is int:
        out["kind"] = "integer"
        for m in metadata:
            if getattr(m, "ge", None) is not None:
                out["min"] = m.ge
            if getattr(m, "le", None) is not None:
                out["max"] = m.le
        if isinstance(default, int):
            out["default"] = default
    elif annotation is decimal.Decimal:
        out["kind"] = "decimal"
    elif found is not None:
        out["kind"] = found.kind
    else:
        length = _max_length(metadata)
        out["kind"] = "longtext" if length and length > LONG_TEXT else "text"
        if length:
            out["max_length"] = length
    return out


def describe_model(model: type[BaseModel], prefix: str = "", conditions: dict | None = None) -> list[dict]:
    conditions = conditions or {}
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        field = describe_field(path, info, conditions)
        if field is not None:
            out.append(field)
    return out


def event_form(event: Any) -> dict:
    """The whole form of an event (``brevgen.events.Event``): the letter's own fields, then the
    parts the saved profile fills in (sender and caseworker), each group titled in Danish."""
    conditions = dict(event.form_conditions)
    fields = describe_model(event.model, "", conditions)
    by_path = {f["path"]: f for f in fields}
    choices = [
        {
            "path": key,
            "kind": "alternative",
            "label": label,
            "required": True,
            "options": [{"value": k, "label": v} for k, v in options.items()],
        }
        for key, (label, options) in event.form_alternatives.items()
    ]
    letter = [f for f in fields if f["path"] not in PROFILE_GROUPS and f["path"] != "representative"]
    letter += [by_path[p] for p in ("representative",) if p in by_path]  # seldom needed: last
    # The alternative goes just before the first group it chooses between.
    for choice in choices:
        first = min(letter.index(by_path[o["value"]]) for o in choice["options"])
        letter.insert(first, choice)
    return {
        "event": event.name,
        "title": event.title,
        "fields": letter,
        "profile": [by_path[p] for p in PROFILE_GROUPS],
    }


def profile_form() -> list[dict]:
    """The profile page's form: the caseworker's and the sender's details."""
    from ..casedata import Caseworker, Sender

    return [
        {"path": "caseworker", "kind": "group", "label": "Dig som sagsbehandler", "required": True, "optional": False,
         "fields": describe_model(Caseworker, "caseworker")},
        {"path": "sender", "kind": "group", "label": "Afsender (din afdeling)", "required": True, "optional": False,
         "fields": describe_model(Sender, "sender")},
    ]


def walk(fields: list[dict]):
    """Every field description, groups included, depth first."""
    for field in fields:
        yield field
        yield from walk(field.get("fields", []))


__all__ = ["OPTION_LABELS", "describe_model", "event_form", "profile_form", "walk"]
