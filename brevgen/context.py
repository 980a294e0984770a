"""Derived values a template needs: deadlines on working days, the regime's texts, names.

Templates get three things: ``case`` (the validated case data, without the CPR number),
``regime`` (the legal regime in force on the letter date) and ``derived`` (values
computed here, so no template does date arithmetic or legal look-ups itself).

Deadlines the citizen must meet move forward to the next working day when they land on a
weekend or public holiday; a "senest" date that binds us (the first sick-leave conversation
by the end of week 8) moves back to the last working day before it, so it stays within the
law. Every move is reported in the notes, in Danish, for the caseworker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date

from . import formatting
from .models import LetterCase, Offer, SickLeave, Summons
from .regime import Regime, ValueRecorder


def case_view(case: LetterCase) -> dict[str, Any]:
    """The case as plain data for templates, with the CPR number removed entirely."""
    return case.model_dump(mode="python", exclude={"citizen": {"cpr"}})


def derive(event: str, case: LetterCase, regime: Regime) -> tuple[dict[str, Any], list[str]]:
    """Return the ``derived`` values and notes for the caller (moved deadlines, unsettled law)."""
    notes: list[str] = []
    value = ValueRecorder(regime)
    sender_naming = value("sender_naming")
    derived: dict[str, Any] = {
        "letter_date": case.letter_date,
        "sender_name": case.sender.authority if sender_naming == "authority" else case.sender.unit,
    }
    variant = None
    if isinstance(case, Summons):
        variant = "selvbooking" if case.self_booking is not None else "fast-tid"
        derived.update(_summons(case, value, notes))
    elif isinstance(case, Offer):
        derived.update(_offer(case, value, notes))
    elif isinstance(case, SickLeave):
        derived.update(_sick_leave(case, value, notes))
    derived["legal_refs"] = legal_refs(event, getattr(case, "benefit", None), variant, value)
    notes.extend(_provisional_notes(regime, value))
    return derived, notes


def legal_refs(event: str, benefit: str | None, variant: str | None, value: ValueRecorder) -> list[str]:
    """The references for the closing "Regler" section: the event's, filtered by benefit and variant."""
    out = []
    for ref in value(f"legal_refs.{event}"):
        if ref.get("benefit") not in (None, benefit):
            continue
        if ref.get("variant") not in (None, variant):
            continue
        out.append(ref["text"])
    return out


def _provisional_notes(regime: Regime, value: ValueRecorder) -> list[str]:
    if regime.provisional:
        return [
            f"Regelsættet '{regime.id}' er foreløbigt: reglerne er ikke vedtaget endnu. "
            "Få brevet tjekket, før du sender det."
        ]
    used = value.provisional_used()
    if not used:
        return []
    return [
        f"Brevet bruger værdier fra regelsættet '{regime.id}', som ikke er bekræftet i loven: "
        f"{', '.join(used)}. Få dem tjekket, før du sender brevet."
    ]


# --- deadlines on working days ----------------------------------------------------------------


def _why_not_working(day: dt.date) -> str:
    holiday = formatting.holiday_name(day)
    if holiday:
        return f"en helligdag ({holiday})"
    return "en " + format_date(day, "EEEE", locale=formatting.LOCALE)


def citizen_deadline(label: str, raw: dt.date, notes: list[str]) -> dt.date:
    """A date the citizen must meet: moved to the next working day, with a note if it moved."""
    moved = formatting.next_working_day(raw)
    if moved != raw:
        notes.append(
            f"{label}: {formatting.short_date(raw)} er {_why_not_working(raw)}. "
            f"Fristen er flyttet til {formatting.long_date(moved)}."
        )
    return moved


def our_deadline(label: str, raw: dt.date, notes: list[str]) -> dt.date:
    """A date we must meet ("senest"): moved back to the last working day on or before it."""
    moved = formatting.previous_working_day(raw + dt.timedelta(days=1))
    if moved != raw:
        notes.append(
            f"{label}: {formatting.short_date(raw)} er {_why_not_working(raw)}. "
            f"Brevet nævner i stedet den sidste hverdag før, {formatting.long_date(moved)}."
        )
    return moved


def _contact_plan(benefit: str, value: ValueRecorder, name_who: bool = True) -> dict[str, Any]:
    """The plan with a total; ``name_who`` adds who holds each meeting, as the letter names it."""
    plan = dict(value(f"contact_plan.{benefit}"))
    if name_who:
        authority = value("authority_word")  # "jobcenteret" or "kommunen", as the law says
        plan["meetings"] = [
            {**m, "who": "din a-kasse" if m["with"] == "a-kasse" else authority} for m in plan["meetings"]
        ]
    plan["total"] = sum(m["count"] for m in plan["meetings"])
    return plan


# --- per event --------------------------------------------------------------------------------


def _summons(case: Summons, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "authority_word": value("authority_word"),
        "contact_plan": _contact_plan(case.benefit, value),
        "consequence": value(f"consequence.indkaldelse.{case.benefit}"),
        "ill_on_the_day": value(f"ill_on_the_day.{case.benefit}"),
    }
    out["contact_total"] = out["contact_plan"]["total"]
    if case.self_booking is not None:
        out["book_by"] = citizen_deadline("Frist for at booke en tid", case.self_booking.book_by, notes)
        out["booking_consequence"] = value(f"consequence.selvbooking.{case.benefit}")
        return out
    meeting = case.meeting
    out["meeting_end"] = meeting.end
    out["cancel_by"] = _cancel_by(case, notes)
    return out


def _cancel_by(case: Summons, notes: list[str]) -> dt.datetime:
    meeting = case.meeting
    if case.cancel_by is None:
        # Default: by noon on the last working day before the meeting; if the letter comes
        # later than that, "before the meeting begins".
        day = formatting.previous_working_day(meeting.start.date())
        if day < case.letter_date:
            return meeting.start
        return dt.datetime.combine(day, dt.time(12, 0))
    raw = case.cancel_by
    if formatting.is_working_day(raw.date()):
        return raw
    # Nobody answers the phone on a weekend: the next working day if that is still before
    # the meeting, else the last working day before it.
    forward = dt.datetime.combine(formatting.next_working_day(raw.date()), raw.time())
    moved = forward if forward < meeting.start else dt.datetime.combine(formatting.previous_working_day(raw.date()), raw.time())
    notes.append(
        f"Frist for at flytte eller aflyse: {formatting.short_date(raw)} er {_why_not_working(raw.date())}. "
        f"Fristen er flyttet til {formatting.date_and_time(moved)}."
    )
    return moved


def _offer(case: Offer, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
    offer = case.offer
    weeks = value("deadlines.complaint_weeks")
    complaint_by = citizen_deadline("Klagefrist", case.letter_date + dt.timedelta(weeks=weeks), notes)
    answer_by = citizen_deadline("Svarfrist", case.answer_by, notes)
    self_found = bool(value(f"offer.self_found.{offer.kind}"))
    self_found_by = None
    if self_found:
        raw = case.self_found_by or case.answer_by
        self_found_by = answer_by if raw == case.answer_by else citizen_deadline("Frist for selv at finde en praktik", raw, notes)
    exemption_weeks = value("deadlines.exemption_weeks")
    return {
        "answer_by": answer_by,
        "complaint_by": complaint_by,
        "complaint_weeks": weeks,
        "exemption_weeks": exemption_weeks,
        "exemption_until": offer.start_date + dt.timedelta(weeks=exemption_weeks),
        "exemption_reasons": value("offer.exemption_reasons"),
        "exemption_proof": value("offer.exemption_proof"),
        "self_found": self_found,
        "self_found_by": self_found_by,
        "weeks": offer_weeks(offer.start_date, offer.end_date),
        "repeated_offer_right": bool(value("offer.repeated_offer_right")) if case.repeated_offer else False,
        "duty": value(f"offer.duty.{case.benefit}"),
        "income": value(f"offer.income.{offer.kind}"),
        "complaint_body": value("offer.complaint.body"),
        "complaint_procedure": value("offer.complaint.procedure"),
        "consequence": value(f"consequence.tilbud.{case.benefit}"),
    }


def offer_weeks(start: dt.date, end: dt.date) -> int:
    """How many weeks an offer runs, counted as a citizen would (a Monday-to-Friday fortnight is 2)."""
    return max(1, ((end - start).days + 1 + 6) // 7)


def offer_min_end(start: dt.date, weeks: int) -> dt.date:
    """The earliest last day of an offer of ``weeks`` weeks: the last working day of its last week."""
    return formatting.previous_working_day(start + dt.timedelta(weeks=weeks))


def followup_latest_raw(first_absence_day: dt.date, weeks: int) -> dt.date:
    """The last day of week ``weeks`` counted from the first day of absence."""
    return first_absence_day + dt.timedelta(weeks=weeks, days=-1)


def _sick_leave(case: SickLeave, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
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
        "contact_plan": _contact_plan("sygedagpenge", value, name_who=False),
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
