"""Derived values a template needs: deadlines on working days, the regime's texts, names.

Templates get three things: ``case`` (the validated case data, without the CPR number),
``regime`` (the legal regime in force on the letter date) and ``derived`` (values
computed here, so no template does date arithmetic or legal look-ups itself).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import formatting
from .models import LetterCase, Offer, SickLeave, Summons
from .regime import Regime


def case_view(case: LetterCase) -> dict[str, Any]:
    """The case as plain data for templates, with the CPR number removed entirely."""
    return case.model_dump(mode="python", exclude={"citizen": {"cpr"}})


def derive(event: str, case: LetterCase, regime: Regime) -> tuple[dict[str, Any], list[str]]:
    """Return the ``derived`` values and notes for the caller (e.g. moved deadlines)."""
    notes: list[str] = []
    derived: dict[str, Any] = {
        "letter_date": case.letter_date,
        "sender_name": case.sender.unit,
    }
    if isinstance(case, Summons):
        derived.update(_summons(case, regime, notes))
    elif isinstance(case, Offer):
        derived.update(_offer(case, regime, notes))
    elif isinstance(case, SickLeave):
        derived.update(_sick_leave(case, regime, notes))
    return derived, notes


def _moved(label: str, raw: dt.date, moved: dt.date, notes: list[str]) -> None:
    if raw != moved:
        why = formatting.holiday_name(raw) or ("weekend" if raw.weekday() >= 5 else "fridag")
        notes.append(f"{label}: {raw.isoformat()} er {why}; fristen er flyttet til {moved.isoformat()}")


def _summons(case: Summons, regime: Regime, notes: list[str]) -> dict[str, Any]:
    meeting = case.meeting
    if case.cancel_by is not None:
        cancel_by = case.cancel_by
    else:
        # Default: by noon on the last working day before the meeting.
        day = formatting.previous_working_day(meeting.start.date())
        cancel_by = dt.datetime.combine(max(day, case.letter_date), dt.time(12, 0))
    plan = regime.data["contact_plan"][case.benefit]
    return {
        "meeting_end": meeting.end,
        "cancel_by": cancel_by,
        "contact_plan": plan,
        "contact_total": sum(m["count"] for m in plan["meetings"]),
        "consequence": regime.data["consequence"]["indkaldelse"][case.benefit],
    }


def _offer(case: Offer, regime: Regime, notes: list[str]) -> dict[str, Any]:
    weeks = regime.data["deadlines"]["complaint_weeks"]
    complaint_by, moved = formatting.deadline(case.letter_date, weeks=weeks)
    _moved("Klagefrist", case.letter_date + dt.timedelta(weeks=weeks), complaint_by, notes)
    answer_by = formatting.next_working_day(case.answer_by)
    _moved("Svarfrist", case.answer_by, answer_by, notes)
    exemption_weeks = regime.data["deadlines"]["exemption_weeks"]
    return {
        "answer_by": answer_by,
        "complaint_by": complaint_by,
        "complaint_weeks": weeks,
        "exemption_weeks": exemption_weeks,
        "exemption_until": case.offer.start_date + dt.timedelta(weeks=exemption_weeks),
        "weeks": max(1, ((case.offer.end_date - case.offer.start_date).days + 1 + 6) // 7),
        "repeated_offer_right": bool(regime.data.get("repeated_offer_right")),
        "consequence": regime.data["consequence"]["tilbud"][case.benefit],
    }


def _sick_leave(case: SickLeave, regime: Regime, notes: list[str]) -> dict[str, Any]:
    days = regime.data["deadlines"]["questionnaire_days"]
    raw = case.questionnaire_sent + dt.timedelta(days=days)
    questionnaire_by = formatting.next_working_day(raw)
    _moved("Frist for oplysningsskemaet", raw, questionnaire_by, notes)
    weeks = regime.data["deadlines"]["first_followup_weeks"]
    # "Senest i uge 8": the last day of the 8th week counted from the first day of absence.
    followup_latest = case.first_absence_day + dt.timedelta(weeks=weeks, days=-1)
    plan = regime.data["contact_plan"]["sygedagpenge"]
    return {
        "questionnaire_by": questionnaire_by,
        "questionnaire_days": days,
        "followup_latest": followup_latest,
        "followup_weeks": weeks,
        "contact_plan": plan,
        "consequence": regime.data["consequence"]["sygedagpenge"],
    }
