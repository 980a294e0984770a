"""The data contract with case systems: each event's case schema, its version, and what changed.

The case models live in Python (``brevgen/events/*.py``), so the schema a case system must
send is the JSON Schema of the running code's models. Its version is a SHA-256 over the
canonical JSON of every event's schema (and one per event). Each published template set
version stores the schemas it was published with; publishing a version under different
schemas shows :func:`schema_diff` and needs an explicit confirmation in the studio.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from . import events


_cache: dict[tuple[str, type], dict] = {}


def current_schemas() -> dict[str, dict]:
    """Every event's case schema (JSON Schema, as ``brevgen schema EVENT`` prints it), made once
    per model class (a changed model is a new class, so the cache follows it)."""
    out = {}
    for e in events.all_events():
        key = (e.name, e.model)
        if key not in _cache:
            _cache[key] = e.model.model_json_schema()
        out[e.name] = copy.deepcopy(_cache[key])
    return out


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def schema_hash(schemas: dict[str, dict]) -> str:
    return hashlib.sha256(_canonical(schemas)).hexdigest()


def event_schema_hash(schema: dict) -> str:
    return hashlib.sha256(_canonical(schema)).hexdigest()


def schema_version() -> str:
    """The version of the running code's data contract (short: the first 12 hex digits)."""
    return schema_hash(current_schemas())


@dataclass(frozen=True)
class FieldInfo:
    type: str
    required: bool
    title: str


@dataclass(frozen=True)
class SchemaChange:
    event: str
    field: str  # dotted path, "meeting.mode"; "" for the event itself
    kind: str  # event-added, event-removed, added, removed, made-required, made-optional, type-changed
    before: str = ""
    after: str = ""
    title: str = ""

    @property
    def breaking(self) -> bool:
        """A case system that sends what it sent before may now be refused."""
        return self.kind in ("event-removed", "removed", "made-required", "type-changed") or (self.kind == "added" and self.after == "påkrævet")

    def describe(self) -> str:
        """One line in Danish for the studio and the audit log."""
        name = f"{self.field} ({self.title})" if self.title else self.field
        return {
            "event-added": f"Ny brevtype: {self.event}",
            "event-removed": f"Brevtypen {self.event} findes ikke længere",
            "added": f"{self.event}: nyt felt {name}, {self.after}",
            "removed": f"{self.event}: feltet {name} er fjernet",
            "made-required": f"{self.event}: feltet {name} skal nu udfyldes",
            "made-optional": f"{self.event}: feltet {name} må nu mangle",
            "type-changed": f"{self.event}: feltet {name} har ny type ({self.before} → {self.after})",
        }[self.kind]

    def as_dict(self) -> dict:
        return {"event": self.event, "field": self.field, "kind": self.kind, "before": self.before, "after": self.after,
                "breaking": self.breaking, "text": self.describe()}


def _resolve(schema: dict, root: dict) -> dict:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        ref = schema["$ref"]
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        seen += 1
    return schema


def _type_of(schema: dict, root: dict) -> tuple[str, dict | None]:
    """A short type name, and the object schema to descend into (or None)."""
    schema = _resolve(schema, root)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        parts = [_resolve(o, root) for o in options]
        names, inner = [], None
        for part in parts:
            name, obj = _type_of(part, root)
            if name != "null":
                names.append(name)
                inner = inner or obj
        return " | ".join(sorted(set(names))) or "null", inner
    if "enum" in schema:
        return "valg: " + ", ".join(str(v) for v in schema["enum"]), None
    if "const" in schema:
        return f"valg: {schema['const']}", None
    kind = schema.get("type", "any")
    if kind == "object" and "properties" in schema:
        return "objekt", schema
    if kind == "array":
        item_name, item_obj = _type_of(schema.get("items", {}), root)
        return f"liste af {item_name}", item_obj
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind), None


def flatten(schema: dict) -> dict[str, FieldInfo]:
    """Every field of a case schema by dotted path, with its type, whether it must be filled
    in (within its parent) and its Danish title."""
    out: dict[str, FieldInfo] = {}

    def walk(obj: dict, prefix: str, depth: int) -> None:
        required = set(obj.get("required", []))
        for name, prop in (obj.get("properties") or {}).items():
            path = f"{prefix}.{name}" if prefix else name
            resolved = _resolve(prop, schema)
            type_name, inner = _type_of(prop, schema)
            out[path] = FieldInfo(type_name, name in required, str(prop.get("title") or resolved.get("title") or ""))
            if inner is not None and depth < 6:
                walk(inner, path, depth + 1)

    walk(schema, "", 0)
    return out


def schema_diff(before: dict[str, dict] | None, after: dict[str, dict]) -> list[SchemaChange]:
    """What changed in the data contract from ``before`` (a published version's) to ``after``."""
    if before is None:
        return []
    changes: list[SchemaChange] = []
    for event in sorted(set(before) | set(after)):
        if event not in before:
            changes.append(SchemaChange(event, "", "event-added"))
            continue
        if event not in after:
            changes.append(SchemaChange(event, "", "event-removed"))
            continue
        old, new = flatten(before[event]), flatten(after[event])
        for path in sorted(set(old) | set(new)):
            a, b = old.get(path), new.get(path)
            if a is None and b is not None:
                changes.append(SchemaChange(event, path, "added", after="påkrævet" if b.required else "valgfrit", title=b.title))
            elif b is None and a is not None:
                changes.append(SchemaChange(event, path, "removed", title=a.title))
            elif a is not None and b is not None:
                if a.required != b.required:
                    changes.append(SchemaChange(event, path, "made-required" if b.required else "made-optional", title=b.title))
                if a.type != b.type:
                    changes.append(SchemaChange(event, path, "type-changed", a.type, b.type, b.title))
    return changes
