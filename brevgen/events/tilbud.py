"""Tilbud om aktivering: an activation offer (virksomhedspraktik, løntilskud, kursus).

The letter says what the offer is and why, the citizen's duty to accept it and the rights to
avoid it (a job or education within some weeks, a self-found placement, no repeat of an
identical offer where the regime grants that), the answer deadline, begrundelse and
klagevejledning. Counts and texts that depend on the law come from the regime table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from .. import formatting, workdays
from ..casedata import Address, CaseModel, LetterCase, Phone, Text
from ..derive import citizen_deadline
from ..errors import Problem
from ..problems import problem
from ..regime import Regime, ValueRecorder
from . import Event, register


class Provider(CaseModel):
    name: Text = Field(title="Virksomhed eller kursussted")
    address: Address = Field(title="Adresse for tilbuddet")
    contact_name: Text | None = Field(None, title="Kontaktperson på stedet")
    contact_phone: Phone | None = Field(None, title="Kontaktpersonens telefonnummer")


class OfferDetails(CaseModel):
    kind: Literal["virksomhedspraktik", "løntilskud", "kursus"] = Field(title="Slags tilbud")
    title: Text = Field(title="Tilbuddets navn", examples=["Praktik som lagermedarbejder"])
    provider: Provider = Field(title="Sted")
    start_date: dt.date = Field(title="Første dag")
    end_date: dt.date = Field(title="Sidste dag")
    hours_per_week: Decimal = Field(gt=0, le=37, title="Timer om ugen")
    schedule: Text = Field(title="Mødetider", examples=["mandag til torsdag kl. 8.00 til 14.00"])
    purpose: Text = Field(title="Formålet med tilbuddet")
    tasks: list[Text] = Field(min_length=1, title="Opgaver eller indhold")
    wage_per_hour: Decimal | None = Field(None, gt=0, title="Timeløn (ved løntilskud)")
    transport: Text | None = Field(None, title="Transport og befordring")


class Reasoning(CaseModel):
    facts: list[Text] = Field(min_length=1, title="Oplysninger, vi har lagt vægt på")
    considerations: list[Text] = Field(min_length=1, title="Hovedhensyn i vurderingen")


class Offer(LetterCase):
    """Tilbud om aktivering."""

    benefit: Literal["dagpenge", "kontanthjælp"] = Field(title="Ydelse")
    offer: OfferDetails = Field(title="Tilbuddet")
    answer_by: dt.date = Field(title="Svarfrist")
    self_found_by: dt.date | None = Field(None, title="Frist for selv at finde en praktik (standard: svarfristen)")
    repeated_offer: bool = Field(False, title="Borgeren har fået det samme tilbud før")
    reasoning: Reasoning = Field(title="Begrundelse")


def offer_weeks(start: dt.date, end: dt.date) -> int:
    """How many weeks an offer runs, counted as a citizen would (a Monday-to-Friday fortnight is 2)."""
    return max(1, ((end - start).days + 1 + 6) // 7)


def offer_min_end(start: dt.date, weeks: int) -> dt.date:
    """The earliest last day of an offer of ``weeks`` weeks: the last working day of its last week."""
    return workdays.previous_working_day(start + dt.timedelta(weeks=weeks))


# --- cross-field rules -------------------------------------------------------------------------


def _offer_dates(case: Offer, regime: Regime | None) -> Iterable[Problem]:
    offer = case.offer
    if offer.end_date < offer.start_date:
        yield problem(Offer, "offer.end_date", "skal ligge samme dag som eller efter første dag")
    if offer.start_date <= case.letter_date:
        yield problem(Offer, "offer.start_date", "skal ligge efter brevets dato")
    why = workdays.why_not_working(offer.start_date)
    if why:
        yield problem(Offer, "offer.start_date", f"ligger på {why}. Tilbuddet skal begynde på en hverdag")
    if case.answer_by <= case.letter_date:
        yield problem(Offer, "answer_by", "skal ligge efter brevets dato")
    if case.answer_by >= offer.start_date:
        yield problem(Offer, "answer_by", "skal ligge før tilbuddets første dag")
    elif workdays.next_working_day(case.answer_by) >= offer.start_date:
        yield problem(
            Offer,
            "answer_by",
            f"ligger på {workdays.why_not_working(case.answer_by)}, så fristen flytter til tilbuddets første dag. Vælg en tidligere svarfrist",
        )


def _offer_follows_the_regime(case: Offer, regime: Regime | None) -> Iterable[Problem]:
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
        elif workdays.next_working_day(case.self_found_by) >= case.offer.start_date:
            yield problem(Offer, "self_found_by", "skal ligge før tilbuddets første dag")


class OfferEvent(Event):
    name = "tilbud"
    title = "Tilbud om aktivering"
    model = Offer
    order = 2
    rules = (_offer_dates, _offer_follows_the_regime)
    variant_fields = ("benefit", "offer.kind")

    def derive(self, case: Offer, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
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

    def reply_by(self, case: Offer, derived: dict[str, Any]) -> dt.date:
        # The day the letter prints as the answer deadline (moved past weekends and holidays).
        return derived["answer_by"]


register(OfferEvent())
