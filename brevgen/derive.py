"""Derived values a template needs: deadlines on working days, the regime's texts, names.

Templates get three things: ``case`` (the validated case data, without the CPR number),
``regime`` (the legal regime in force on the letter date) and ``derived`` (values computed
here and by the event's own ``derive``, so no template does date arithmetic or legal look-ups).

Deadlines the citizen must meet move forward to the next working day when they land on a
weekend or public holiday; a "senest" date that binds us (the first sick-leave conversation
by the end of week 8) moves back to the last working day before it, so it stays within the
law. Every move is reported in the notes, in Danish, for the caseworker.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from . import formatting, workdays
from .casedata import LetterCase
from .regime import Regime, ValueRecorder

if TYPE_CHECKING:  # the registry is above this module; only its type is named here
    from .events import Event


def case_view(case: LetterCase) -> dict[str, Any]:
    """The case as plain data for templates, with the CPR number removed entirely."""
    return case.model_dump(mode="python", exclude={"citizen": {"cpr"}})


def derive(event: Event, case: LetterCase, regime: Regime) -> tuple[dict[str, Any], list[str]]:
    """Return the ``derived`` values and notes for the caller (moved deadlines, unsettled law)."""
    notes: list[str] = []
    value = ValueRecorder(regime)
    sender_naming = value("sender_naming")
    derived: dict[str, Any] = {
        "letter_date": case.letter_date,
        "sender_name": case.sender.authority if sender_naming == "authority" else case.sender.unit,
    }
    derived.update(event.derive(case, value, notes))
    derived["legal_refs"] = legal_refs(event.name, getattr(case, "benefit", None), event.legal_variant(case), value)
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
        f"{'; '.join(_provisional_label(key) for key in used)}. Få dem tjekket, før du sender brevet."
    ]


# What an unconfirmed value of regimes.yml is about, in words for the caseworker; the key in
# brackets is where communications staff find it in regimes.yml.
PROVISIONAL_LABELS = {
    "authority_word": "ordet for myndigheden (jobcenteret eller kommunen)",
    "consequence.selvbooking": "hvad der sker, hvis borgeren ikke booker en samtale",
    "consequence.tilbud_loen": "hvad der sker med lønnen ved fravær fra et job med løntilskud",
    "ill_on_the_day": "hvad borgeren skal gøre ved sygdom på dagen",
    "offer.self_found.løntilskud": "retten til selv at finde et job med løntilskud",
    "offer.repeated_offer_right": "retten til ikke at få det samme tilbud igen",
    "offer.income": "hvad borgeren får udbetalt under tilbuddet",
    "sick_leave.payer": "hvem der betaler sygedagpenge og hvornår",
    "sick_leave.employed_exemption": "undtagelsen for lønmodtagere, der ventes tilbage inden for 26 uger",
    "sick_leave": "reglerne om sygedagpenge",
    "consequence": "hvad der sker, hvis borgeren ikke gør det, brevet beder om",
    "contact_plan": "planen for samtalerne",
    "contact_plan.dagpenge.a_kasse_may_join": "om borgeren kan tage a-kassen med til samtalen",
    "contact_plan.dagpenge.meetings": "antallet af samtaler for borgere på dagpenge",
    "contact_plan.sygedagpenge": "planen for samtalerne om sygedagpenge",
    "contact_plan.dagpenge.note": "teksten om samtalerne for borgere på dagpenge",
    "contact_plan.kontanthjælp.note": "teksten om samtalerne for borgere på kontanthjælp",
    "deadlines": "fristerne",
    "deadlines.offer_min_weeks": "hvor længe et tilbud mindst varer",
    "legal_refs": "henvisningerne til loven",
    "offer": "reglerne om tilbuddet",
}


def _provisional_label(key: str) -> str:
    listed = max((k for k in PROVISIONAL_LABELS if key == k or key.startswith(k + ".")), key=len, default=None)
    return f"{PROVISIONAL_LABELS[listed]} ({key})" if listed else key


# --- deadlines on working days ----------------------------------------------------------------


def citizen_deadline(label: str, raw: dt.date, notes: list[str]) -> dt.date:
    """A date the citizen must meet: moved to the next working day, with a note if it moved."""
    moved = workdays.next_working_day(raw)
    if moved != raw:
        notes.append(
            f"{label}: {formatting.short_date(raw)} er {workdays.why_not_working(raw)}. "
            f"Fristen er flyttet til {formatting.long_date(moved)}."
        )
    return moved


def our_deadline(label: str, raw: dt.date, notes: list[str]) -> dt.date:
    """A date we must meet ("senest"): moved back to the last working day on or before it."""
    moved = workdays.previous_working_day(raw + dt.timedelta(days=1))
    if moved != raw:
        notes.append(
            f"{label}: {formatting.short_date(raw)} er {workdays.why_not_working(raw)}. "
            f"Brevet nævner i stedet den sidste hverdag før, {formatting.long_date(moved)}."
        )
    return moved


def contact_plan(plan_key: str, value: ValueRecorder, name_who: bool = True) -> dict[str, Any]:
    """The regime's contact plan with a total; ``name_who`` adds who holds each meeting, as the letter names it."""
    plan = dict(value(f"contact_plan.{plan_key}"))
    if name_who:
        authority = value("authority_word")  # "jobcenteret" or "kommunen", as the law says
        plan["meetings"] = [
            {**m, "who": "din a-kasse" if m["with"] == "a-kasse" else authority} for m in plan["meetings"]
        ]
    plan["total"] = sum(m["count"] for m in plan["meetings"])
    return plan
