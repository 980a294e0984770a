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
from typing import Annotated, Any, Literal

from pydantic import Field

from .. import formatting, workdays
from ..casedata import Address, CaseModel, Date, Items, LetterCase, LongText, Name, Phone, Text, in_range
from ..derive import citizen_deadline
from ..errors import Problem
from ..letter import Contact, Deadline
from ..problems import problem
from ..regime import Regime, ValueRecorder
from . import Event, register


class Provider(CaseModel):
    name: Name = Field(title="Virksomhed eller kursussted")
    address: Address = Field(title="Adresse for tilbuddet")
    contact_name: Name | None = Field(None, title="Kontaktperson på stedet")
    contact_phone: Phone | None = Field(None, title="Kontaktpersonens telefonnummer")


class OfferDetails(CaseModel):
    kind: Literal["virksomhedspraktik", "løntilskud", "kursus"] = Field(title="Slags tilbud")
    title: Text = Field(title="Tilbuddets navn", examples=["Praktik som lagermedarbejder"])
    provider: Provider = Field(title="Sted")
    start_date: Date = Field(title="Første dag")
    end_date: Date = Field(title="Sidste dag")
    # At most two decimals, so the letter prints the number the case holds ("37,5 timer").
    hours_per_week: Annotated[Decimal, in_range(1, 37, "timer om ugen")] = Field(decimal_places=2, title="Timer om ugen")
    schedule: LongText = Field(title="Mødetider", examples=["mandag til torsdag kl. 8.00 til 14.00"])
    purpose: LongText = Field(title="Formålet med tilbuddet")
    tasks: Items = Field(min_length=1, title="Opgaver eller indhold")
    wage_per_hour: Annotated[Decimal, in_range(50, 1000, "kr. i timen")] | None = Field(
        None, decimal_places=2, title="Timeløn (ved løntilskud)"
    )
    transport: LongText | None = Field(None, title="Transport og befordring")


class Reasoning(CaseModel):
    facts: Items = Field(min_length=1, title="Oplysninger, vi har lagt vægt på")
    considerations: Items = Field(min_length=1, title="Hovedhensyn i vurderingen")


class Offer(LetterCase):
    """Tilbud om aktivering."""

    benefit: Literal["dagpenge", "kontanthjælp"] = Field(title="Ydelse")
    offer: OfferDetails = Field(title="Tilbuddet")
    answer_by: Date = Field(title="Svarfrist")
    self_found_by: Date | None = Field(None, title="Frist for selv at finde en praktik (standard: svarfristen)")
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
    form_conditions = {
        "offer.wage_per_hour": ("offer.kind", ("løntilskud",)),  # the regime table: income "løn"
        "self_found_by": ("offer.kind", ("virksomhedspraktik", "løntilskud")),  # offer.self_found
    }
    order = 2
    rules = (_offer_dates, _offer_follows_the_regime)
    free_text = ("offer.title", "offer.purpose", "offer.tasks[]", "offer.schedule", "offer.transport", "reasoning.facts[]", "reasoning.considerations[]")
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
            # With a wage there is no benefit to deduct for days away (rule LO10).
            "consequence": value(f"consequence.tilbud_loen.{case.benefit}" if value(f"offer.income.{offer.kind}") == "løn" else f"consequence.tilbud.{case.benefit}"),
            "refusal": value(f"consequence.tilbud_kort.{case.benefit}"),
        }

    def facts(self, case: Offer, derived: dict[str, Any]) -> dict[str, Any]:
        offer = case.offer
        contacts = []
        if offer.provider.contact_name:
            phone = formatting.phone(offer.provider.contact_phone) if offer.provider.contact_phone else None
            contacts.append(Contact("provider", offer.provider.contact_name, phone, us=False))
        deadlines = [Deadline("answer_by", "svare på tilbuddet", derived["answer_by"], "answer_by", serves="tilbuddet", contact="caseworker")]
        if derived["self_found_by"] is not None:
            field = "self_found_by" if case.self_found_by is not None else "answer_by"
            deadlines.append(Deadline("self_found_by", "fortælle os om en praktik, du selv har fundet", derived["self_found_by"], field, serves="tilbuddet"))
        deadlines.append(Deadline("complaint_by", "klage", derived["complaint_by"], "letter_date"))
        return {
            "values": {"income": derived["income"], "offer_kind": offer.kind, "self_found": derived["self_found"], "repeated_offer": case.repeated_offer},
            "contacts": contacts,
            "deadlines": deadlines,
            "moments": {"tilbuddet": offer.start_date, "tilbuddet_slutter": offer.end_date},
        }

    def reply_by(self, case: Offer, derived: dict[str, Any]) -> dt.date:
        # The day the letter prints as the answer deadline (moved past weekends and holidays).
        return derived["answer_by"]


register(OfferEvent())
