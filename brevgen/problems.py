"""pydantic's validation errors in Danish: the one translator for case data, the regime table
and rule files.

Each caller says who reads the message: case data is written by caseworkers and may hold
personal data, so its input is never echoed (``echo_input=False``); rule files are written by
communications staff and hold none, so a wrong value is quoted back to them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem

# Danish messages per pydantic error type. ``{...}`` is filled from the error's context.
MESSAGES: dict[str, str] = {
    "missing": "skal udfyldes",
    "extra_forbidden": "kendes ikke. Tjek stavemåden, eller fjern feltet",
    "string_too_short": "skal udfyldes",
    "string_too_long": "er for lang: højst {max_length} tegn",
    "string_type": "skal være tekst",
    "string_unicode": "har et tegn, der ikke findes i Unicode eller ikke kan vises (fx U+FFFE). Fjern det",
    "string_pattern_mismatch": "har ikke det rigtige format",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_parsing": "er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02",
    "date_from_datetime_parsing": "er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02",
    "date_from_datetime_inexact": "skal være en dato uden klokkeslæt",
    "datetime_type": "skal være en dato med klokkeslæt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00",
    "datetime_parsing": "er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00",
    "datetime_from_date_parsing": "er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00",
    "time_type": "skal være et klokkeslæt (TT:MM)",
    "time_parsing": "er ikke et gyldigt klokkeslæt. Skriv fx 09:30",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "decimal_type": "skal være et tal",
    "decimal_parsing": "skal være et tal",
    "float_type": "skal være et tal",
    "float_parsing": "skal være et tal",
    "bool_type": "skal være ja (true) eller nej (false)",
    "bool_parsing": "skal være ja (true) eller nej (false)",
    "list_type": "skal være en liste",
    "too_short": "skal have mindst {min_length} punkt",
    "too_long": "har for mange punkter: højst {max_length}",
    "decimal_max_places": "må højst have {decimal_places} decimaler",
    "decimal_max_digits": "har for mange cifre",
    "decimal_whole_digits": "har for mange cifre",
    "finite_number": "skal være et tal (ikke uendeligt)",
    "int_parsing_size": "er et for stort tal",
    "recursion_loop": "henviser til sig selv",
    "model_type": "skal være en gruppe af felter",
    "model_attributes_type": "skal være en gruppe af felter",
    "dict_type": "skal være en gruppe af felter",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "less_than_equal": "må højst være {le}",
}

# Formats a caseworker can act on, for the patterns the case models use.
PATTERN_MESSAGES = {
    r"^[0-9]{4}$": "skal være 4 cifre, fx 3460",
    r"^[0-9]{8}$": "skal være 8 cifre",
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$": "må kun have bogstaver a-z, tal, punktum og bindestreg (højst 64 tegn)",
}


@dataclass(frozen=True)
class Translated:
    """One problem: where (pydantic's location, union members removed) and what, in Danish."""

    loc: tuple
    message: str
    kind: str


def _is_union_member(part: Any) -> bool:
    # pydantic adds the tried union member to a location ("str", "function-after[...]",
    # "list[str]", a model name); a file or a form does not have it.
    if not isinstance(part, str):
        return False
    return "[" in part or part.startswith("function-") or part in ("str", "int", "Example")


def clean_loc(loc: Iterable) -> tuple:
    return tuple(p for p in loc if not _is_union_member(p))


def _message(err: dict, model: type[BaseModel], loc: tuple, echo_input: bool, patterns: dict[str, str]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = f" (fik {err.get('input')!r})" if echo_input and "input" in err else ""
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_type" and isinstance(err.get("input"), (int, float, bool)):
        # YAML reads an unquoted 3460, 46112233 or ja as a number or yes/no, not as the text it is.
        example = example_for(model, loc)
        return f'skal være tekst. Skriv det i anførselstegn, fx "{example}"' if example else 'skal være tekst. Skriv det i anførselstegn ("...")'
    if kind == "extra_forbidden":
        close = _suggestions(model, loc)
        return f"kendes ikke. Mente du '{close[0]}'?" if close else MESSAGES[kind]
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return (patterns.get(pattern) or PATTERN_MESSAGES.get(pattern, MESSAGES[kind])) + got
    if kind == "literal_error":
        return "skal være en af: " + str(ctx.get("expected", "")).replace("' or '", "' eller '") + got
    if kind == "union_tag_invalid":
        return f"ukendt type{got}"
    template = MESSAGES.get(kind)
    if template is None:
        return "er ikke gyldigt"
    try:
        return template.format(**{k: str(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template.split("{")[0].strip()


def translate(
    model: type[BaseModel], exc: ValidationError, *, echo_input: bool = False, pattern_messages: dict[str, str] | None = None
) -> Iterator[Translated]:
    """Every error once per field and kind; a union whose alternatives all failed, once.

    ``pattern_messages`` says in words what a caller's own patterns (a rule id) must look like."""
    # The input is read to tell a number from a text (never echoed unless ``echo_input``).
    errors = exc.errors(include_url=False, include_input=True)
    if not echo_input:
        errors = [{**e, "input": e["input"] if isinstance(e.get("input"), (int, float, bool)) else None} for e in errors]
    seen: set[tuple] = set()
    # A misspelt key ("benfit") is one mistake: "kendes ikke. Mente du 'benefit'?" says it all,
    # so the missing field it was meant to be ("benefit: skal udfyldes") is not a second line.
    meant = {clean_loc(e["loc"])[:-1] + (s,) for e in errors if e["type"] == "extra_forbidden" for s in _suggestions(model, clean_loc(e["loc"]))}
    for err in errors:
        loc = clean_loc(err["loc"])
        kind = err["type"]
        if kind in ("string_type", "model_type") and any(e["type"] != kind and clean_loc(e["loc"]) == loc for e in errors):
            continue
        if kind == "missing" and loc in meant:
            continue
        if (loc, kind) in seen:
            continue
        seen.add((loc, kind))
        yield Translated(loc, _message(err, model, loc, echo_input, pattern_messages or {}), kind)


def _suggestions(model: type[BaseModel], loc: tuple) -> list[str]:
    if not loc:
        return []
    return difflib.get_close_matches(str(loc[-1]), known_fields(model, loc[:-1]), n=1)


def field_path(loc: Iterable, count_from: int = 1) -> str:
    """``caseworker.phone_hours[2].opens``: what a caseworker reads (lists counted from 1).

    A name that clashes with a Python word is written with a trailing ``_`` in the model
    (``from_``); the person reading the path knows it without."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + count_from}]"
        else:
            out += ("." if out else "") + str(part).rstrip("_")
    return out


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class inside ``X | None`` or ``list[X]``, if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def _field_info(model: Any, name: Any):
    fields = getattr(model, "model_fields", None) or {}
    return fields.get(name) or next((f for f in fields.values() if f.alias == name), None)


def field_info(model: type[BaseModel], loc: Iterable):
    """pydantic's FieldInfo of the field at ``loc`` (walking nested models), or None."""
    current: Any = model
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return None
        info = _field_info(current, part)
        if info is None:
            return None
        current = inner_model(info.annotation)
    return info


def example_for(model: type[BaseModel], loc: Iterable) -> str | None:
    """A value written the way the field at ``loc`` wants it: its type's example (a postcode:
    3460), else the field's first example."""
    from .casedata import input_of

    info = field_info(model, loc)
    if info is None:
        return None
    found = input_of(info.metadata) or next((input_of(getattr(a, "__metadata__", ())) for a in getattr(info.annotation, "__args__", ()) or () if input_of(getattr(a, "__metadata__", ()))), None)
    if found is not None:
        return found.example
    return str(info.examples[0]) if info.examples else None


def field_label(model: type[BaseModel], loc: Iterable) -> str | None:
    """The Danish title of the field at ``loc`` (walking nested models), if it has one."""
    current: Any = model
    label = None
    for part in loc:
        if isinstance(part, int):
            continue
        info = _field_info(current, part)
        if info is None:
            return label
        label = info.title or label
        current = inner_model(info.annotation)
    return label


def known_fields(model: type[BaseModel], loc: Iterable) -> list[str]:
    """The field names a model accepts at ``loc`` (for "Mente du ...?")."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = _field_info(current, part)
        if info is None:
            return []
        current = inner_model(info.annotation)
        if current is None:
            return []
    return [f.alias or n for n, f in current.model_fields.items()]


def label_for_path(model: type[BaseModel], path: str) -> str | None:
    """The Danish title of the field at a dotted ``path`` such as ``meeting.phone.who_calls``."""
    loc = tuple(path.replace("]", "").replace("[", ".").split("."))
    return field_label(model, tuple(p for p in loc if not p.isdigit()))


def problem(model: type[BaseModel], path: str, message: str) -> Problem:
    """A problem at ``path`` of a case of ``model``, labelled with the field's Danish title."""
    return Problem(path=path, message=message, label=label_for_path(model, path))


def case_problems(model: type[BaseModel], exc: ValidationError) -> list[Problem]:
    """Case data's errors as Problems. The input is never echoed: it may be a CPR number."""
    return [Problem(path=field_path(t.loc), message=t.message, label=field_label(model, t.loc)) for t in translate(model, exc)]
