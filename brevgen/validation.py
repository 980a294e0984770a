"""Read case data and check it, reporting every problem at once in a caseworker's words.

Two passes: the pydantic model (types, formats, required fields), then cross-field rules
that need the whole case (a video meeting needs a link, dates must come after the letter
date, ...). The second pass runs only when the first found nothing, like mkdocs' post-
validation, so a caseworker is never told about a consequence of an earlier mistake.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date
from pydantic import BaseModel, ValidationError

from . import formatting
from .errors import CaseDataError, Problem, UsageError
from .context import followup_latest_raw, offer_min_end
from .models import EVENTS, LetterCase, Meeting, Offer, SickLeave, Summons
from .paths import templates_dir
from .regime import Regime, load_regimes, regime_problem

# Danish messages per pydantic error type. ``{...}`` is filled from the error's context.
_MESSAGES: dict[str, str] = {
    "missing": "skal udfyldes",
    "extra_forbidden": "kendes ikke. Tjek stavemåden, eller fjern feltet",
    "string_too_short": "skal udfyldes",
    "string_type": "skal være tekst",
    "string_pattern_mismatch": "har ikke det rigtige format",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_parsing": "er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02",
    "date_from_datetime_parsing": "er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02",
    "date_from_datetime_inexact": "skal være en dato uden klokkeslæt",
    "datetime_type": "skal være en dato med klokkeslæt (ÅÅÅÅ-MM-DDTTT:MM)",
    "datetime_parsing": "er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02T10:00",
    "datetime_from_date_parsing": "er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02T10:00",
    "time_type": "skal være et klokkeslæt (TT:MM)",
    "time_parsing": "er ikke et gyldigt klokkeslæt. Skriv fx 09:30",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "decimal_type": "skal være et tal",
    "decimal_parsing": "skal være et tal",
    "float_parsing": "skal være et tal",
    "bool_type": "skal være ja (true) eller nej (false)",
    "bool_parsing": "skal være ja (true) eller nej (false)",
    "list_type": "skal være en liste",
    "too_short": "skal have mindst {min_length} punkt",
    "model_type": "skal være en gruppe af felter",
    "dict_type": "skal være en gruppe af felter",
    "literal_error": "skal være en af: {expected}",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "less_than_equal": "må højst være {le}",
}

_PATTERN_MESSAGES = {
    r"^\d{4}$": "skal være 4 cifre, fx 3460",
    r"^\d{8}$": "skal være 8 cifre",
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$": "må kun have bogstaver a-z, tal, punktum og bindestreg (højst 64 tegn)",
}

# Fields whose input must never be echoed back in a message.
_SECRET_FIELDS = {"cpr"}


class _CaseLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic reports a bad date by field name
    instead of PyYAML crashing on 2026-02-30."""


_CaseLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_case_text(text: str, suffix: str = ".yaml") -> Any:
    """Parse case data given as text (YAML, or JSON when ``suffix`` is .json)."""
    if suffix.lower() == ".json":
        return json.loads(text)
    # A case file is data: the safe loader never builds Python objects.
    return yaml.load(text, Loader=_CaseLoader)  # noqa: S506 (SafeLoader subclass)


def read_case_file(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON case file. Raises ``UsageError`` if it is not a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: filen findes ikke") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: filen er ikke gemt som UTF-8") from None
    try:
        data = parse_case_text(text, path.suffix)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1})" if mark else (f" (linje {exc.lineno})" if hasattr(exc, "lineno") else "")
        raise UsageError(f"{path}: filen kan ikke læses som YAML eller JSON{where}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: filen skal indeholde en gruppe af felter, ikke en liste eller en tekst")
    return data


def _field_label(model: type[BaseModel], loc: tuple) -> str | None:
    """The Danish title of the field at ``loc`` (walking nested models), if it has one."""
    current: Any = model
    label = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return label
        info = fields[part]
        label = info.title or label
        current = _inner_model(info.annotation)
    return label


def _inner_model(annotation: Any) -> Any:
    """Find a BaseModel class inside ``X | None`` or ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _path(loc: Iterable) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"  # caseworkers count from 1
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_pattern_mismatch":
        return _PATTERN_MESSAGES.get(str(ctx.get("pattern")), _MESSAGES[kind])
    if kind == "literal_error":
        return "skal være en af: " + str(ctx.get("expected", "")).replace("' or '", "' eller '")
    template = _MESSAGES.get(kind)
    if template is None:
        return "er ikke gyldigt"
    try:
        return template.format(**{k: str(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template.split("{")[0].strip()


def problems_from_validation_error(model: type[BaseModel], exc: ValidationError) -> list[Problem]:
    problems = []
    seen = set()
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err["loc"])
        # pydantic reports union members separately ("function-after[...]"): keep the field path.
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        key = (loc, err["type"])
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(path=_path(loc), message=_message(err), label=_field_label(model, loc)))
    return problems


# --- cross-field rules -------------------------------------------------------------------

Rule = Callable[[Any], Iterable[Problem]]
CROSS_FIELD_RULES: dict[str, list[Rule]] = {event: [] for event in EVENTS}


def cross_field_rule(*events: str) -> Callable[[Rule], Rule]:
    """Register a rule that checks a whole, already type-valid case of the given events."""

    def register(rule: Rule) -> Rule:
        for event in events:
            CROSS_FIELD_RULES[event].append(rule)
        return rule

    return register


def _label(model: type[BaseModel], path: str) -> str | None:
    loc = tuple(path.replace("]", "").replace("[", ".").split("."))
    return _field_label(model, tuple(p for p in loc if not p.isdigit()))


def problem(model: type[BaseModel], path: str, message: str) -> Problem:
    return Problem(path=path, message=message, label=_label(model, path))


def _regime_for(day: dt.date) -> Regime | None:
    """The regime in force on ``day``; ``None`` when there is none (reported by its own rule)."""
    try:
        return load_regimes(templates_dir() / "regimes.yml").for_date(day)
    except LookupError:
        return None


def _not_a_working_day(day: dt.date) -> str | None:
    """Why ``day`` is no working day, in words ("en søndag", "en helligdag (Juledag)"), or ``None``."""
    if formatting.is_working_day(day):
        return None
    holiday = formatting.holiday_name(day)
    return f"en helligdag ({holiday})" if holiday else "en " + format_date(day, "EEEE", locale=formatting.LOCALE)


@cross_field_rule(*EVENTS)
def _letter_date_in_a_regime(case: LetterCase) -> Iterable[Problem]:
    try:
        load_regimes(templates_dir() / "regimes.yml").for_date(case.letter_date)
    except LookupError as exc:
        yield regime_problem(exc)


@cross_field_rule("indkaldelse")
def _time_or_self_booking(case: Summons) -> Iterable[Problem]:
    if case.meeting is None and case.self_booking is None:
        yield problem(Summons, "meeting", "skal udfyldes. Brug self_booking i stedet, hvis borgeren selv skal booke en tid")
    if case.meeting is not None and case.self_booking is not None:
        yield problem(Summons, "self_booking", "kan ikke bruges sammen med en fast tid (meeting). Vælg den ene")


@cross_field_rule("indkaldelse")
def _meeting_mode_details(case: Summons) -> Iterable[Problem]:
    meeting: Meeting | None = case.meeting
    if meeting is None:
        return
    needed = {"fremmøde": "venue", "telefon": "phone", "video": "video"}[meeting.mode]
    if getattr(meeting, needed) is None:
        what = {
            "venue": "Et møde med fremmøde skal have et mødested",
            "phone": "Et telefonmøde skal sige, hvem der ringer op, og til hvilket nummer",
            "video": "Et videomøde skal have et link",
        }[needed]
        yield problem(Summons, f"meeting.{needed}", what)
    elif needed == "phone" and meeting.phone.who_calls is None:
        yield problem(
            Summons,
            "meeting.phone.who_calls",
            "Et telefonmøde skal sige, hvem der ringer til hvem: jobcenter (vi ringer op) eller borger (borgeren ringer op)",
        )
    elif needed == "video" and meeting.video.join_url is None:
        yield problem(Summons, "meeting.video.join_url", "Et videomøde skal have et link")
    for other in sorted({"venue", "phone", "video"} - {needed}):
        if getattr(meeting, other) is not None:
            yield problem(
                Summons, f"meeting.{other}", f"passer ikke til mødeformen '{meeting.mode}'. Fjern feltet eller ret mødeformen"
            )


@cross_field_rule("indkaldelse")
def _a_kasse_for_dagpenge(case: Summons) -> Iterable[Problem]:
    if case.benefit == "dagpenge" and case.a_kasse is None:
        yield problem(Summons, "a_kasse", "skal udfyldes, når borgeren får dagpenge")


@cross_field_rule("indkaldelse")
def _meeting_after_letter(case: Summons) -> Iterable[Problem]:
    if case.self_booking is not None and case.self_booking.book_by <= case.letter_date:
        yield problem(Summons, "self_booking.book_by", "skal ligge efter brevets dato")
    if case.meeting is None:
        if case.cancel_by is not None:
            yield problem(Summons, "cancel_by", "bruges kun, når samtalen har en fast tid (meeting)")
        return
    if case.meeting.start.date() <= case.letter_date:
        yield problem(Summons, "meeting.start", "skal ligge efter brevets dato")
    why = _not_a_working_day(case.meeting.start.date())
    if why:
        yield problem(Summons, "meeting.start", f"ligger på {why}. Vælg en hverdag")
    if case.cancel_by is not None and not (case.letter_date <= case.cancel_by.date() and case.cancel_by < case.meeting.start):
        yield problem(Summons, "cancel_by", "skal ligge mellem brevets dato og mødet")


@cross_field_rule("tilbud")
def _offer_dates(case: Offer) -> Iterable[Problem]:
    offer = case.offer
    if offer.end_date < offer.start_date:
        yield problem(Offer, "offer.end_date", "skal ligge samme dag som eller efter første dag")
    if offer.start_date <= case.letter_date:
        yield problem(Offer, "offer.start_date", "skal ligge efter brevets dato")
    why = _not_a_working_day(offer.start_date)
    if why:
        yield problem(Offer, "offer.start_date", f"ligger på {why}. Tilbuddet skal begynde på en hverdag")
    if case.answer_by <= case.letter_date:
        yield problem(Offer, "answer_by", "skal ligge efter brevets dato")
    if case.answer_by >= offer.start_date:
        yield problem(Offer, "answer_by", "skal ligge før tilbuddets første dag")
    elif formatting.next_working_day(case.answer_by) >= offer.start_date:
        yield problem(
            Offer,
            "answer_by",
            f"ligger på {_not_a_working_day(case.answer_by)}, så fristen flytter til tilbuddets første dag. Vælg en tidligere svarfrist",
        )


@cross_field_rule("tilbud")
def _offer_follows_the_regime(case: Offer) -> Iterable[Problem]:
    regime = _regime_for(case.letter_date)
    if regime is None or case.offer.end_date < case.offer.start_date:
        return
    if regime.value(f"offer.income.{case.offer.kind}") == "løn" and case.offer.wage_per_hour is None:
        yield problem(Offer, "offer.wage_per_hour", f"skal udfyldes ved {case.offer.kind}")
    weeks = regime.value("deadlines.offer_min_weeks")
    earliest_end = offer_min_end(case.offer.start_date, weeks)
    if case.offer.end_date < earliest_end:
        yield problem(
            Offer,
            "offer.end_date",
            f"tilbuddet er for kort. Efter reglerne skal det vare mindst {weeks} uger, "
            f"så sidste dag skal være {formatting.long_date(earliest_end)} eller senere",
        )
    if case.self_found_by is not None:
        if not regime.value(f"offer.self_found.{case.offer.kind}"):
            yield problem(Offer, "self_found_by", f"kan ikke bruges ved {case.offer.kind}: borgeren har ikke ret til selv at finde et")
        elif case.self_found_by <= case.letter_date:
            yield problem(Offer, "self_found_by", "skal ligge efter brevets dato")
        elif formatting.next_working_day(case.self_found_by) >= case.offer.start_date:
            yield problem(Offer, "self_found_by", "skal ligge før tilbuddets første dag")


@cross_field_rule("sygedagpenge")
def _sick_leave_dates(case: SickLeave) -> Iterable[Problem]:
    if case.first_absence_day > case.letter_date:
        yield problem(SickLeave, "first_absence_day", "kan ikke ligge efter brevets dato")
    if case.questionnaire_sent > case.letter_date:
        yield problem(SickLeave, "questionnaire_sent", "kan ikke ligge efter brevets dato")
    if case.first_followup is not None:
        start = case.first_followup.start.date()
        if start <= case.letter_date:
            yield problem(SickLeave, "first_followup.start", "skal ligge efter brevets dato")
        why = _not_a_working_day(start)
        if why:
            yield problem(SickLeave, "first_followup.start", f"ligger på {why}. Vælg en hverdag")


@cross_field_rule("sygedagpenge")
def _first_followup_by_week(case: SickLeave) -> Iterable[Problem]:
    regime = _regime_for(case.letter_date)
    if regime is None or case.first_absence_day > case.letter_date:
        return
    weeks = regime.value("deadlines.first_followup_weeks")
    latest = followup_latest_raw(case.first_absence_day, weeks)
    if case.first_followup is not None:
        if case.first_followup.start.date() > latest:
            yield problem(
                SickLeave,
                "first_followup.start",
                f"skal ligge senest ved udgangen af uge {weeks} af sygemeldingen, det vil sige senest {formatting.long_date(latest)}",
            )
    else:
        last_working_day = formatting.previous_working_day(latest + dt.timedelta(days=1))
        if last_working_day <= case.letter_date:
            yield problem(
                SickLeave,
                "first_followup",
                f"skal udfyldes: vi skal holde den første samtale senest {formatting.long_date(last_working_day)}, "
                "og den dag ligger ikke efter brevets dato",
            )


def validate_case(event: str, data: dict[str, Any], record: str | None = None) -> LetterCase:
    """Return the typed case or raise ``CaseDataError`` listing every problem."""
    model = EVENTS.get(event)
    if model is None:
        raise UsageError(f"ukendt brevtype '{event}'. Vælg en af: {', '.join(EVENTS)}")
    try:
        case = model.model_validate(data)
    except ValidationError as exc:
        raise CaseDataError(problems_from_validation_error(model, exc), record=record) from None
    problems = [p for rule in CROSS_FIELD_RULES[event] for p in rule(case)]
    if problems:
        raise CaseDataError(problems, record=record)
    return case
