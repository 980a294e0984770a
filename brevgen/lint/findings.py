"""What the lint found: hits from the rules, findings merged across letters, and the report.

A finding is keyed by rule and template position, so the same sentence flagged in six
example letters is one finding that names the six letters (the sqlfluff lesson: lint every
variant, report each problem once). Letter-level metrics (LIX) keep the worst value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..cpr import redact
from .lix import LixCount
from .units import Location, Unit

LEVEL_RANK = {"suggestion": 0, "warning": 1, "error": 2}


@dataclass
class FindingFields:
    """What a rule says about one place: shared by a Hit and the report's Finding."""

    rule_id: str
    level: str
    message: str
    location: Location
    match: str | None = None
    suggestions: tuple[str, ...] = ()
    value: float | None = None
    field: str | None = None  # logic rules: the case field a caseworker changes to fix it


@dataclass
class Hit(FindingFields):
    """One finding before it is tied to a template position and merged across letters."""

    unit: Unit | None = None
    span: tuple[int, int] | None = None


@dataclass
class Finding(FindingFields):
    """A Hit tied to its template position, with every letter it was found in."""

    letters: list[str] = field(default_factory=list)
    silenced: str | None = None  # the reason given in the template, when silenced

    @property
    def key(self) -> tuple:
        loc = self.location
        metric = self.value is not None
        return (self.rule_id, loc.file, loc.line, loc.col, None if metric else (self.match or "").lower())

    def as_dict(self) -> dict:
        loc = self.location
        return {
            "rule": self.rule_id,
            "level": self.level,
            "message": self.message,
            "file": loc.file,
            "line": loc.line,
            "column": loc.col,
            "origin": loc.origin,
            "inserted_at": loc.inserted_at,
            "match": self.match,
            "suggestions": list(self.suggestions),
            "value": None if self.value is None else round(self.value, 1),
            "field": self.field,
            "letters": list(self.letters),
            "silenced": self.silenced is not None,
            "reason": self.silenced,
        }


@dataclass
class DocumentResult:
    name: str
    event: str | None
    lix: LixCount
    sections: list[tuple[str, LixCount]]
    findings: int = 0

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "event": self.event,
            **self.lix.as_dict(),
            "sections": [{"section": name, **c.as_dict()} for name, c in self.sections],
            "findings": self.findings,
        }


@dataclass
class Branch:
    file: str
    line: int
    tag: str  # the tag as written: {% if ... %}, {% elif ... %}, {% else %}
    covered: bool
    has_text: bool = True

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "tag": self.tag, "covered": self.covered}


@dataclass
class Report:
    rules: Any  # the RuleSet that made the findings (a layer above: not imported here)
    findings: list[Finding] = field(default_factory=list)
    documents: list[DocumentResult] = field(default_factory=list)
    branches: list[Branch] | None = None
    mode: str = "files"  # templates | files | letter
    min_level: str = "suggestion"

    def shown(self) -> list[Finding]:
        floor = LEVEL_RANK[self.min_level]
        return [f for f in self.findings if f.silenced is None and LEVEL_RANK[f.level] >= floor]

    def silenced(self) -> list[Finding]:
        return [f for f in self.findings if f.silenced is not None]

    def counts(self) -> dict[str, int]:
        out = {level: 0 for level in LEVEL_RANK}
        for f in self.findings:
            if f.silenced is None:
                out[f.level] += 1
        return out

    @property
    def exit_code(self) -> int:
        bar = LEVEL_RANK[self.rules.config.fail_on]
        return 1 if any(f.silenced is None and LEVEL_RANK[f.level] >= bar for f in self.findings) else 0

    def add(self, hits: list[Hit], letter: str | None) -> int:
        """Merge hits into the report's findings; returns how many hits there were."""
        index = {f.key: f for f in self.findings}
        for hit in hits:
            # A finding never quotes a CPR number back (the KS21 rule finds them in any text).
            match = redact(hit.match) if hit.match else hit.match
            finding = Finding(hit.rule_id, hit.level, redact(hit.message), hit.location, match, hit.suggestions, hit.value, hit.field)
            existing = index.get(finding.key)
            if existing is None:
                index[finding.key] = finding
                self.findings.append(finding)
                existing = finding
            else:
                worse = LEVEL_RANK[finding.level] > LEVEL_RANK[existing.level] or (
                    finding.level == existing.level and (finding.value or 0) > (existing.value or 0)
                )
                if worse:
                    existing.level, existing.message, existing.value = finding.level, finding.message, finding.value
            if letter and letter not in existing.letters:
                existing.letters.append(letter)
        return len(hits)

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (f.location.file or "", f.location.line or 0, f.location.col or 0, f.rule_id))
