"""The dated legal-regime table (``templates/da/regimes.yml``).

Counts, deadlines, consequence texts and legal references change with the law (2024,
2026 and 2027 reforms), so templates never hard-code them: the letter date selects one
regime, and ``derive.py`` and the event modules read its values for the template.

A regime may ``inherits`` the one before it and list only what the new law changed, the
way an amending act does. Every regime is checked after merging, with one typed schema,
and the table as a whole must cover one unbroken period: a letter date either falls in
exactly one regime or in none (an error that names ``letter_date``).

Values that no primary source confirms (or that the reform has not settled yet) are listed
in ``provisional_values``; a letter that uses one says so in its notes, so a caseworker can
have it checked before it goes out.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from . import formatting
from .errors import Problem, TemplateError
from .problems import case_problems

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Count = Annotated[int, Field(ge=1, le=52)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Deadlines(_Schema):
    questionnaire_days: Count = Field(title="Frist for oplysningsskemaet i dage")
    first_followup_weeks: Count = Field(title="Første opfølgning senest i uge")
    complaint_weeks: Count = Field(title="Klagefrist i uger")
    exemption_weeks: Count = Field(title="Job eller uddannelse inden for uger")
    offer_min_weeks: Count = Field(title="Et tilbud varer mindst uger")
    early_followup_weeks: Count = Field(title="Tidlig opfølgning inden for uger")
    early_followup_expected_weeks: Count = Field(title="Tidlig opfølgning, når fraværet ventes at vare over uger")
    reassessment_weeks: Count = Field(title="Revurdering efter uger")


class PlannedMeetings(_Schema):
    count: Count
    with_: Literal["a-kasse", "authority"] = Field(alias="with")
    period: Text


class ContactPlan(_Schema):
    months: Count
    meetings: list[PlannedMeetings] = Field(min_length=1)
    after: Text
    note: Text | None = None
    later: Text | None = None
    a_kasse_may_join: bool = False


class ContactPlans(_Schema):
    dagpenge: ContactPlan
    kontanthjælp: ContactPlan
    sygedagpenge: ContactPlan


class ByBenefit(_Schema):
    dagpenge: Text
    kontanthjælp: Text


class SickConsequence(_Schema):
    sygedagpenge: Text


class Consequences(_Schema):
    indkaldelse: ByBenefit
    selvbooking: ByBenefit
    tilbud: ByBenefit  # offers where the citizen keeps the benefit
    tilbud_loen: ByBenefit  # offers with a wage instead of the benefit
    tilbud_kort: ByBenefit  # one line for "Kort fortalt"
    sygedagpenge: SickConsequence


class SelfFound(_Schema):
    virksomhedspraktik: bool
    løntilskud: bool
    kursus: bool


class Income(_Schema):
    """What the citizen lives on during each kind of offer: the benefit as now, or a wage."""

    virksomhedspraktik: Literal["ydelse", "løn"]
    løntilskud: Literal["ydelse", "løn"]
    kursus: Literal["ydelse", "løn"]


class Complaint(_Schema):
    body: Text  # who decides a complaint in the end
    procedure: Text


class OfferRules(_Schema):
    duty: ByBenefit
    income: Income
    complaint: Complaint
    exemption_reasons: list[Text] = Field(min_length=1)
    exemption_proof: list[Text] = Field(min_length=1)
    self_found: SelfFound
    repeated_offer_right: bool


class Payer(_Schema):
    arbejdsgiver: Text
    a_kasse: Text = Field(alias="a-kasse")
    selv: Text


class SickLeaveRules(_Schema):
    payer: Payer
    first_meeting: Text
    forms: Text
    standby: Text
    reassessment: Text
    employed_exemption: Text | None = None


class MeetingHours(_Schema):
    from_: dt.time = Field(alias="from", title="Møder begynder tidligst")
    to: dt.time = Field(title="Møder slutter senest")


class ClosingDay(_Schema):
    """A day the job centre is closed every year (not a public holiday: those come from the
    holidays package), such as Christmas Eve or Constitution Day."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    name: Text


    @model_validator(mode="after")
    def _real_day(self) -> ClosingDay:
        try:
            dt.date(2000, self.month, self.day)  # a leap year: 29 February exists
        except ValueError:
            raise ValueError(f"{self.day}/{self.month} er ikke en dag i året") from None
        return self


class Office(_Schema):
    meeting_hours: MeetingHours
    closing_days: list[ClosingDay] = Field(default_factory=list)


class LegalRef(_Schema):
    text: Text
    benefit: Literal["dagpenge", "kontanthjælp"] | None = None
    variant: Literal["selvbooking", "fast-tid"] | None = None


class RegimeData(_Schema):
    authority_word: Literal["jobcenteret", "kommunen"]
    sender_naming: Literal["unit", "authority"]
    office: Office
    deadlines: Deadlines
    contact_plan: ContactPlans
    ill_on_the_day: ByBenefit
    consequence: Consequences
    offer: OfferRules
    sick_leave: SickLeaveRules
    # Per event name; a new event adds its own list without a change here.
    legal_refs: dict[str, Annotated[list[LegalRef], Field(min_length=1)]]


_META_KEYS = ("id", "name", "effective_from", "effective_to", "provisional", "provisional_values", "inherits")


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None  # inclusive; None = until further notice
    provisional: bool  # the whole regime is not settled law yet
    data: dict[str, Any]  # merged and checked against RegimeData; read with value()
    provisional_values: tuple[str, ...] = ()  # dotted paths no primary source confirms

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def as_context(self) -> dict[str, Any]:
        return {**self.data, "id": self.id, "name": self.name, "provisional": self.provisional}

    def value(self, path: str, used: set[str] | None = None) -> Any:
        """The value at a dotted ``path``; ``used`` collects the paths a letter read."""
        if used is not None:
            used.add(path)
        return _lookup(self.data, path)

    def closing_day(self, day: dt.date) -> str | None:
        """The name of the yearly closing day ``day`` is (``juleaftensdag``), or None."""
        for closed in self.data["office"]["closing_days"]:
            if (closed["month"], closed["day"]) == (day.month, day.day):
                return closed["name"]
        return None

    def meeting_hours(self) -> tuple[dt.time, dt.time]:
        hours = self.data["office"]["meeting_hours"]
        return hours["from"], hours["to"]

    def is_provisional(self, path: str) -> bool:
        """Whether the value at ``path`` (or anything inside it) is not confirmed."""
        return self.provisional or any(
            path == p or path.startswith(p + ".") or p.startswith(path + ".") for p in self.provisional_values
        )


@dataclass
class ValueRecorder:
    """Reads regime values for one letter and remembers which it read (for the notes)."""

    regime: Regime
    used: set[str] = field(default_factory=set)

    def __call__(self, path: str) -> Any:
        return self.regime.value(path, self.used)

    def optional(self, path: str) -> Any:
        """Like calling the recorder, but ``None`` (and nothing recorded) when the value is absent."""
        try:
            value = _lookup(self.regime.data, path)
        except KeyError:
            return None
        if value is not None:
            self.used.add(path)
        return value

    def provisional_used(self) -> list[str]:
        """The unconfirmed values this letter read, named as precisely as the table allows."""
        found: set[str] = set()
        for used in self.used:
            for listed in self.regime.provisional_values:
                if used == listed or used.startswith(listed + "."):
                    found.add(used)
                elif listed.startswith(used + "."):
                    found.add(listed)
        return sorted(found)


@dataclass(frozen=True)
class RegimeTable:
    regimes: tuple[Regime, ...]
    path: Path

    def for_date(self, day: dt.date) -> Regime:
        for regime in self.regimes:
            if regime.covers(day):
                return regime
        first, last = self.regimes[0], self.regimes[-1]
        if day < first.effective_from:
            raise LookupError(
                f"ligger før det første regelsæt i {self.path.name}, som gælder fra "
                f"{formatting.short_date(first.effective_from)}. Brevet kan ikke laves"
            )
        raise LookupError(
            f"ligger efter det sidste regelsæt i {self.path.name}, som gælder til "
            f"{formatting.short_date(last.effective_to)}. Brevet kan ikke laves"
        )


def _lookup(data: Any, path: str) -> Any:
    current = data
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            raise KeyError(path)
        current = current[part]
    return current


def _to_date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: '{value}' er ikke en dato (ÅÅÅÅ-MM-DD)")
        return None


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, everything else (lists too) is replaced."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _schema_problems(where: str, exc: ValidationError) -> list[str]:
    return [f"{where}: {p.path}: {p.message}" for p in case_problems(RegimeData, exc)]


def parse_regimes(raw: Any, path: Path) -> RegimeTable:
    """Check a parsed table and build it. Every problem is collected, then reported at once."""
    entries = raw.get("regimes") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TemplateError("filen skal have en liste 'regimes' med mindst ét regelsæt", path.name)
    problems: list[str] = []
    merged_by_id: dict[str, dict[str, Any]] = {}
    unusable: set[str] = set()  # regimes whose parent could not be built
    regimes: list[Regime] = []
    for i, entry in enumerate(entries, start=1):
        where = f"regimes[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: skal være en gruppe af felter")
            continue
        if "id" not in entry:
            problems.append(f"{where}: 'id' mangler")
            continue
        rid = str(entry["id"])
        where = f"regimes[{i}] ({rid})"
        if rid in merged_by_id or rid in unusable:
            problems.append(f"{where}: id'et findes allerede")
            continue
        own = {k: v for k, v in entry.items() if k not in _META_KEYS}
        parent = entry.get("inherits")
        if parent is not None and str(parent) not in merged_by_id:
            if str(parent) not in unusable:  # a broken parent is reported once, not per child
                problems.append(f"{where}: inherits '{parent}' skal være et regelsæt, der står før dette")
            unusable.add(rid)
            continue
        data = _merge(merged_by_id[str(parent)], own) if parent is not None else own
        merged_by_id[rid] = data
        missing = [key for key in ("name", "effective_from") if key not in entry]
        if missing:
            problems.extend(f"{where}: '{key}' mangler" for key in missing)
            continue
        try:
            # Normalised: optional values are present (as None), so templates never miss a key.
            data = RegimeData.model_validate(data).model_dump(by_alias=True)
        except ValidationError as exc:
            problems.extend(_schema_problems(where, exc))
            continue
        listed = entry.get("provisional_values") or []
        if not isinstance(listed, list):
            problems.append(f"{where}: provisional_values skal være en liste")
            listed = []
        for value_path in listed:
            try:
                _lookup(data, str(value_path))
            except KeyError:
                problems.append(f"{where}: provisional_values: '{value_path}' findes ikke i regelsættet")
        start = _to_date(entry["effective_from"], f"{where}: effective_from", problems)
        end = _to_date(entry.get("effective_to"), f"{where}: effective_to", problems)
        if start is None:
            continue
        regimes.append(
            Regime(
                id=rid,
                name=str(entry["name"]),
                effective_from=start,
                effective_to=end,
                provisional=bool(entry.get("provisional", False)),
                data=data,
                provisional_values=tuple(str(p) for p in listed),
            )
        )
    if problems:
        # Period checks on a half-built table would only report consequences of these.
        raise TemplateError("; ".join(problems), path.name)
    regimes.sort(key=lambda r: r.effective_from)
    for r in regimes:
        if r.effective_to is not None and r.effective_to < r.effective_from:
            problems.append(f"'{r.id}' slutter før det begynder")
    for a, b in zip(regimes, regimes[1:]):
        if a.effective_to is None or a.effective_to >= b.effective_from:
            problems.append(f"'{a.id}' overlapper '{b.id}'")
        elif a.effective_to + dt.timedelta(days=1) != b.effective_from:
            gap_from = a.effective_to + dt.timedelta(days=1)
            gap_to = b.effective_from - dt.timedelta(days=1)
            problems.append(f"der er et hul mellem '{a.id}' og '{b.id}' ({gap_from.isoformat()} til {gap_to.isoformat()})")
    if problems:
        raise TemplateError("; ".join(problems), path.name)
    return RegimeTable(regimes=tuple(regimes), path=path)


def load_regimes(path: Path) -> RegimeTable:
    """Load and check the table: every regime complete, sorted, no overlap and no gap.

    Cached per path; a template set reads its own table through ``TemplateSet.regimes``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise TemplateError("filen kan ikke læses som YAML", path.name, mark.line + 1 if mark else None) from None
    return parse_regimes(raw or {}, path)


def regime_problem(exc: LookupError) -> Problem:
    return Problem(path="letter_date", label="Brevets dato", message=str(exc.args[0]))
