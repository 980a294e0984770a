"""The checks every letter passes before it is made: letter logic, and the caseworker's free text.

Called by the one pipeline (:func:`brevgen.pipeline.build_case_letter`), so render, demo,
batch, the Python API and HTTP all stop a letter the same way:

- **Letter logic** (rule files with ``type: logic`` or ``contradiction``, and rules with
  ``when``): run on the composed letter and its facts. A finding at error level stops the
  letter like invalid data does: a :class:`~brevgen.errors.CaseDataError` that names the case
  field to fix, in Danish. Nothing is written.
- **Free text**: the fields a caseworker types in (things to bring, the offer's purpose, the
  reasons ...) are checked with the plain-language rules, each field on its own, as the
  templates are. An error stops the letter naming the field; a warning becomes a note.

The rule set is loaded once per process (:func:`brevgen.lint.ruleset.default_rules`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..letter import Letter
from ..problems import label_for_path
from .findings import LEVEL_RANK, Hit
from .ruleset import RuleSet, default_rules
from .units import Document, Location, letter_document, plain_unit

# Rules that judge a whole letter, not a field's own text: LIX and subject line metrics, the
# glossary (a term in a field may be explained by the template around it), and the logic rules.
_NOT_FOR_FREE_TEXT = {"ST01", "ST01a", "TE02"}


def is_logic(rule) -> bool:
    return rule.spec.type in ("logic", "contradiction") or bool(rule.spec.when)


def _field(rule, hit: Hit) -> str:
    return hit.field or getattr(rule.spec, "field", None) or "skabelon"


def logic_problems(letter: Letter, rules: RuleSet | None = None) -> list[Problem]:
    """Error-level letter logic findings as problems naming the case field to fix."""
    rules = rules or default_rules()
    doc = letter_document(letter).analyse(rules.analyzer)
    out: list[Problem] = []
    model = _model(letter.meta.event)
    for rule in rules.rules:
        if not is_logic(rule) or rule.level != "error":
            continue
        from .logic import applies

        if not applies(rule, doc):
            continue
        for hit in rule.check(doc):
            if hit.level != "error":
                continue
            path = _field(rule, hit)
            where = "" if hit.location.origin == "data" or not hit.location.file else f" ({hit.location.file}:{hit.location.line})"
            label = label_for_path(model, path) if model is not None and path != "skabelon" else "brevets tekst"
            out.append(Problem(path=path, message=f"{rule.id}: {hit.message}{where}", label=label))
    return list(dict.fromkeys(out))


def _model(event: str):
    from .. import events

    try:
        return events.get(event).model
    except Exception:  # an event the registry does not know: no Danish label
        return None


def free_texts(case: Any, paths: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(field path, text) for each free-text field; ``bring[]`` is every item of a list."""
    for path in paths:
        yield from _walk(case, path.split("."), "")


def _walk(value: Any, parts: list[str], done: str) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    if not parts:
        if isinstance(value, str) and value.strip():
            yield done, value
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    name = head[:-2] if many else head
    child = getattr(value, name, None) if not isinstance(value, dict) else value.get(name)
    prefix = f"{done}.{name}" if done else name
    if many:
        for i, item in enumerate(child or [], start=1):
            yield from _walk(item, rest, f"{prefix}[{i}]")
    else:
        yield from _walk(child, rest, prefix)


def free_text_hits(case: Any, paths: tuple[str, ...], rules: RuleSet | None = None) -> Iterator[tuple[str, Any, Hit]]:
    """(field path, rule, hit) for every plain-language finding in the caseworker's free text."""
    rules = rules or default_rules()
    for path, text in free_texts(case, paths):
        unit = plain_unit(" ".join(text.split()), "list_item" if re.search(r"\[\d+\]$", path) else "body")
        doc = Document([unit], Location(path), name=path).analyse(rules.analyzer)
        for rule in rules.rules:
            if is_logic(rule) or rule.id in _NOT_FOR_FREE_TEXT or rule.spec.type in ("metric",) and rule.spec.per in ("letter", "section"):
                continue
            if rule.spec.type == "metric" and rule.spec.measure == "lix":
                continue
            for hit in rule.check(doc):
                yield path, rule, hit


def free_text_findings(case: Any, paths: tuple[str, ...], rules: RuleSet | None = None) -> tuple[list[Problem], list[str]]:
    """Plain-language findings in the caseworker's free text: errors as problems, warnings as notes."""
    problems: list[Problem] = []
    notes: list[str] = []
    model = type(case)
    for path, rule, hit in free_text_hits(case, paths, rules):
        if hit.level == "error":
            problems.append(Problem(path=path, message=f"{rule.id}: {hit.message}", label=label_for_path(model, path)))
        elif LEVEL_RANK[hit.level] >= LEVEL_RANK["warning"]:
            notes.append(f"Fritekst i {path}: {hit.message} ({rule.id})")
    return list(dict.fromkeys(problems)), list(dict.fromkeys(notes))
