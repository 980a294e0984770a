"""Velkommen: opfølgning på din sygemelding, the introduction to sick-leave follow-up.

What happens now, the oplysningsskema and its deadline, the first follow-up conversation (no
later than the end of week 8 of the absence), how often after that, and whom to call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from .. import formatting, workdays
from ..casedata import CaseModel, Date, DateTime, LetterCase, Name, Url, Venue
from ..danish_time import local
from ..derive import citizen_deadline, contact_plan, our_deadline
from ..errors import Problem
from ..letter import Appointment, Deadline, SelfService
from ..problems import problem
from ..regime import Regime, ValueRecorder
from . import Event, meeting_time_problems, register


class FirstFollowup(CaseModel):
    start: DateTime = Field(title="Første opfølgningssamtale")
    duration_minutes: int = Field(60, ge=10, le=240, title="Samtalens længde i minutter")
    venue: Venue = Field(title="Mødested for første samtale")


class SickLeave(LetterCase):
    """Velkommen: opfølgning på din sygemelding."""

    first_absence_day: Date = Field(title="Første fraværsdag")
    reported_by: Literal["arbejdsgiver", "a-kasse", "selv"] = Field(title="Hvem meldte fraværet")
    employer_name: Name | None = Field(None, title="Arbejdsgiver")
    expected_duration: Literal["over-8-uger", "under-8-uger", "ukendt"] = Field(title="Forventet varighed")
    questionnaire_sent: Date = Field(title="Dato for oplysningsskemaet")
    questionnaire_url: Url = Field(title="Link til oplysningsskemaet")
    first_followup: FirstFollowup | None = Field(None, title="Første opfølgningssamtale")
    doctor_certificate: bool = Field(False, title="Vi har bedt lægen om en attest")


def followup_latest_raw(first_absence_day: dt.date, weeks: int) -> dt.date:
    """The last day of week ``weeks`` counted from the first day of absence."""
    return first_absence_day + dt.timedelta(weeks=weeks, days=-1)


# --- cross-field rules -------------------------------------------------------------------------


def _sick_leave_dates(case: SickLeave, regime: Regime | None) -> Iterable[Problem]:
    if case.first_absence_day > case.letter_date:
        yield problem(SickLeave, "first_absence_day", "kan ikke ligge efter brevets dato")
    if case.questionnaire_sent > case.letter_date:
        yield problem(SickLeave, "questionnaire_sent", "kan ikke ligge efter brevets dato")
    if case.first_followup is not None:
        start = case.first_followup.start.date()
        if start <= case.letter_date:
            yield problem(SickLeave, "first_followup.start", "skal ligge efter brevets dato")
        why = workdays.why_not_working(start)
        if why:
            yield problem(SickLeave, "first_followup.start", f"ligger på {why}. Vælg en hverdag")
        followup = case.first_followup
        yield from meeting_time_problems(SickLeave, "first_followup.start", followup.start, followup.duration_minutes, regime)


def _first_followup_by_week(case: SickLeave, regime: Regime | None) -> Iterable[Problem]:
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
        last_working_day = workdays.previous_working_day(latest + dt.timedelta(days=1))
        if last_working_day <= case.letter_date:
            yield problem(
                SickLeave,
                "first_followup",
                f"skal udfyldes: vi skal holde den første samtale senest {formatting.long_date(last_working_day)}, "
                "og den dag ligger ikke efter brevets dato",
            )


class SickLeaveEvent(Event):
    name = "sygedagpenge"
    title = "Velkommen: opfølgning på din sygemelding"
    model = SickLeave
    form_conditions = {"employer_name": ("reported_by", ("arbejdsgiver",))}
    order = 3
    books_meetings = True
    rules = (_sick_leave_dates, _first_followup_by_week)
    free_text = ("first_followup.venue.reception",)

    def derive(self, case: SickLeave, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
        days = value("deadlines.questionnaire_days")
        questionnaire_by = citizen_deadline(
            "Frist for oplysningsskemaet", case.questionnaire_sent + dt.timedelta(days=days), notes
        )
        weeks = value("deadlines.first_followup_weeks")
        followup_latest = followup_latest_raw(case.first_absence_day, weeks)
        if case.first_followup is None:
            followup_latest = our_deadline("Første samtale senest", followup_latest, notes)
        employed = case.reported_by == "arbejdsgiver"
        return {
            "questionnaire_by": questionnaire_by,
            "questionnaire_days": days,
            "followup_latest": followup_latest,
            "followup_weeks": weeks,
            # The sick-leave letter says "vi" for every meeting, so it does not name the authority.
            "contact_plan": contact_plan("sygedagpenge", value, name_who=False),
            "consequence": value("consequence.sygedagpenge.sygedagpenge"),
            "employed": employed,
            "early_followup": employed and case.expected_duration != "under-8-uger",
            "early_followup_weeks": value("deadlines.early_followup_weeks"),
            "early_followup_expected_weeks": value("deadlines.early_followup_expected_weeks"),
            "first_meeting": value("sick_leave.first_meeting"),
            "employed_exemption": value.optional("sick_leave.employed_exemption") if employed else None,
            "payer": value(f"sick_leave.payer.{case.reported_by}"),
            "forms": value("sick_leave.forms"),
            "standby": value("sick_leave.standby"),
            "reassessment": value("sick_leave.reassessment"),
        }

    def facts(self, case: SickLeave, derived: dict[str, Any]) -> dict[str, Any]:
        followup = case.first_followup
        values = {
            "access": None if followup is None else {True: "ja", False: "nej", None: "ukendt"}[followup.venue.step_free],
            "reported_by": case.reported_by,
            "expected_duration": case.expected_duration,
            "employed_exemption": bool(derived["employed_exemption"]),
            "doctor_certificate": case.doctor_certificate,
        }
        deadlines = [Deadline("questionnaire_by", "udfylde oplysningsskemaet", derived["questionnaire_by"], "questionnaire_sent")]
        first = followup.start if followup is not None else derived["followup_latest"]
        return {
            "benefit": "sygedagpenge",
            "mode": "fremmøde" if followup is not None else None,
            "values": values,
            "deadlines": deadlines,
            "moments": {"samtalen": first},
        }

    def appointment(self, case: SickLeave) -> Appointment | None:
        followup = case.first_followup
        if followup is None:
            return None
        caseworker = case.caseworker
        start = local(followup.start)
        details = [f"Første samtale om din sygemelding med {caseworker.name}, {caseworker.title}."]
        details += followup.venue.arrival_lines()
        details.append(f"Passer tiden ikke, så ring til {caseworker.name} på {formatting.phone(caseworker.phone)}.")
        return Appointment(
            start=start,
            end=start + dt.timedelta(minutes=followup.duration_minutes),
            summary=f"Samtale om din sygemelding med {case.sender.unit}",
            location=followup.venue.one_line(),
            details="\n".join(details),
            organizer_name=caseworker.name,
            organizer_email=caseworker.email,
        )

    def why_no_appointment(self, case: SickLeave) -> Problem | None:
        return problem(SickLeave, "first_followup", "skal udfyldes for at lave en kalenderaftale (ics)")

    def self_service(self, case: SickLeave, derived: dict[str, Any]) -> SelfService:
        return SelfService(label="Udfyld oplysningsskemaet", url=case.questionnaire_url, deadline=derived["questionnaire_by"])


register(SickLeaveEvent())
