"""Small helpers shared by the lint tests (kept out of conftest so tests can import them)."""

from __future__ import annotations

from brevgen.lint.units import Document, Location, plain_unit


def ids_for(rules, text: str, kind: str = "body", roles: tuple[str, ...] = ()) -> set[str]:
    doc = Document([plain_unit(text, kind, roles)], Location(None), name="test")
    hits, _ = rules.check(doc)
    return {h.rule_id for h in hits}
