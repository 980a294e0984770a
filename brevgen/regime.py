"""The dated legal-regime table (``templates/da/regimes.yml``).

Counts, deadlines, consequence texts and legal references change with the law (2024,
2026 and 2027 reforms), so templates never hard-code them: the letter date selects one
regime, and the template reads it as ``regime``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, TemplateError


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None  # inclusive; None = until further notice
    provisional: bool
    data: dict[str, Any]

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def as_context(self) -> dict[str, Any]:
        return {**self.data, "id": self.id, "name": self.name, "provisional": self.provisional}


@dataclass(frozen=True)
class RegimeTable:
    regimes: tuple[Regime, ...]
    path: Path

    def for_date(self, day: dt.date) -> Regime:
        for regime in self.regimes:
            if regime.covers(day):
                return regime
        first = self.regimes[0].effective_from
        raise LookupError(
            f"brevets dato {day.isoformat()} ligger uden for alle regelsæt i {self.path.name} "
            f"(det første gælder fra {first.isoformat()})"
        )


def _to_date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise TemplateError(f"{where}: '{value}' er ikke en dato (ÅÅÅÅ-MM-DD)") from None


@lru_cache(maxsize=8)
def load_regimes(path: Path) -> RegimeTable:
    """Load and check the table: every period valid, sorted, no overlap and no gap."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = raw.get("regimes")
    if not isinstance(entries, list) or not entries:
        raise TemplateError("filen skal have en liste 'regimes' med mindst ét regelsæt", path.name)
    regimes = []
    problems: list[str] = []
    for i, entry in enumerate(entries, start=1):
        where = f"regimes[{i}]"
        for key in ("id", "name", "effective_from"):
            if key not in entry:
                problems.append(f"{where}: '{key}' mangler")
        if any(p.startswith(where) for p in problems):
            continue
        data = {k: v for k, v in entry.items() if k not in ("id", "name", "effective_from", "effective_to", "provisional")}
        regimes.append(
            Regime(
                id=str(entry["id"]),
                name=str(entry["name"]),
                effective_from=_to_date(entry["effective_from"], where),
                effective_to=_to_date(entry.get("effective_to"), where),
                provisional=bool(entry.get("provisional", False)),
                data=data,
            )
        )
    regimes.sort(key=lambda r: r.effective_from)
    for a, b in zip(regimes, regimes[1:]):
        if a.effective_to is None or a.effective_to >= b.effective_from:
            problems.append(f"'{a.id}' overlapper '{b.id}'")
        elif a.effective_to + dt.timedelta(days=1) != b.effective_from:
            problems.append(f"der er et hul mellem '{a.id}' og '{b.id}'")
    for r in regimes:
        if r.effective_to is not None and r.effective_to < r.effective_from:
            problems.append(f"'{r.id}' slutter før det begynder")
    if problems:
        raise TemplateError("; ".join(problems), path.name)
    return RegimeTable(regimes=tuple(regimes), path=path)


def regime_problem(exc: LookupError) -> Problem:
    return Problem(path="letter_date", label="Brevets dato", message=str(exc))
