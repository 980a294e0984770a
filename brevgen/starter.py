"""A commented case file to start from: ``brevgen init EVENT``.

Built from the event's own model (``brevgen.events.get(name).model``), so it never drifts from
what validation accepts: every field gets its Danish title as a comment and says whether it
must be filled in; the values are those of the event's shipped example. Optional fields the
example leaves out are listed commented out, so a caseworker sees they exist. The CPR number
is commented out too: it is only for Digital Post, and a starter file should never carry one
into a real letter by accident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import events
from .casefile import CASE_SUFFIXES, read_case_file
from .errors import UsageError
from .paths import examples_dir

_INDENT = "  "
_NEVER_FILLED = {"cpr"}  # commented out even when the example has it


def example_for(event: str, name: str | None = None) -> Path:
    """The example the starter takes its values from: ``name`` or the first one of the event."""
    folder = examples_dir() / event
    found = sorted(p for p in folder.glob("*") if p.suffix in CASE_SUFFIXES) if folder.is_dir() else []
    if name:
        chosen = [p for p in found if p.stem == name]
        if not chosen:
            raise UsageError(f"eksemplet '{name}' findes ikke for '{event}'. Vælg et af: {', '.join(p.stem for p in found)}")
        return chosen[0]
    if not found:
        raise UsageError(f"der er ingen eksempler for brevtypen '{event}' i {folder}")
    # The boundary examples ("graense-...") test the day a regime starts; an ordinary case reads better.
    ordinary = [p for p in found if not p.stem.startswith("graense")]
    return (ordinary or found)[0]


class _Schema:
    """Walks a pydantic JSON Schema: resolves $ref and optional (``anyOf [X, null]``) fields."""

    def __init__(self, root: dict[str, Any]):
        self.defs = root.get("$defs", {})

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while True:
            if "$ref" in node:
                target = self.defs[node["$ref"].rsplit("/", 1)[-1]]
                node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
                continue
            options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
            if len(options) == 1:
                rest = {k: v for k, v in node.items() if k != "anyOf"}
                node = {**self.resolve(options[0]), **rest}
                continue
            return node


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def _comment(node: dict[str, Any], required: bool) -> str:
    parts = [node.get("title") or ""]
    if "enum" in node:
        parts.append("en af: " + ", ".join(str(v) for v in node["enum"]))
    parts.append("skal udfyldes" if required else "kan udelades")
    return "# " + "; ".join(p for p in parts if p)


def _lines(schema: _Schema, node: dict[str, Any], value: Any, depth: int) -> list[str]:
    """The YAML lines for ``value`` (a mapping) under the object schema ``node``."""
    out: list[str] = []
    pad = _INDENT * depth
    properties = node.get("properties", {})
    required = set(node.get("required", []))
    for key, raw in properties.items():
        prop = schema.resolve(raw)
        comment = _comment(prop, key in required)
        if key not in value or key in _NEVER_FILLED:
            shown = f" {_scalar(value[key])}" if key in value else ""
            out.append(f"{pad}{comment}")
            out.append(f"{pad}# {key}:{shown}")
            continue
        item = value[key]
        out.append(f"{pad}{comment}")
        out += _value_lines(schema, prop, key, item, depth)
    for key in value:  # keys the model does not know (should not happen with a shipped example)
        if key not in properties:
            out.append(f"{pad}{key}: {_scalar(value[key])}")
    return out


def _value_lines(schema: _Schema, prop: dict[str, Any], key: str, item: Any, depth: int) -> list[str]:
    pad = _INDENT * depth
    if isinstance(item, dict):
        return [f"{pad}{key}:", *_lines(schema, prop, item, depth + 1)]
    if isinstance(item, list) and item:
        lines = [f"{pad}{key}:"]
        items = schema.resolve(prop.get("items", {}))
        for element in item:
            if isinstance(element, dict):
                inner = _lines(schema, items, element, depth + 2)
                # "- " takes the place of the first key's indentation.
                first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
                lines += inner[:first]
                lines.append(f"{pad}{_INDENT}- {inner[first].lstrip()}")
                lines += inner[first + 1 :]
            else:
                lines.append(f"{pad}{_INDENT}- {_scalar(element)}")
        return lines
    return [f"{pad}{key}: {_scalar(item)}"]


def starter_case(event: str, example: str | None = None) -> str:
    """The text of a commented YAML case file for ``event``, with an example's values."""
    spec = events.get(event)
    path = example_for(event, example)
    data = read_case_file(path)
    root = spec.model.model_json_schema()
    schema = _Schema(root)
    head = [
        f"# {spec.title} ({event}): sagens data til brevgen.",
        f"# Værdierne er fra eksemplet {event}/{path.name}. Ret dem til sagen, og lav brevet med",
        f"#   brevgen render {event} DENNE-FIL.yaml",
        "# Linjer med # er forklaringer. Et felt, der er sat # foran, er valgfrit: fjern # for at bruge det.",
        f"# Alle felter: brevgen schema {event}",
        "",
    ]
    return "\n".join(head + _lines(schema, schema.resolve(root), data, 0)) + "\n"
