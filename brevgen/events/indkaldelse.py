"""Indkaldelse til første jobsamtale: the first summons to a conversation about work.

The conversation has a fixed time (attend, phone or video) or the citizen books it
(selvbooking). What happens if the citizen does not take part depends on the benefit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from .. import formatting, workdays
from ..casedata import CaseModel, Date, DateTime, Items, LetterCase, Name, Phone, Text, Url, Venue
from ..danish_time import local
from ..derive import citizen_deadline, contact_plan
from ..errors import Problem
from ..letter import Appointment, Contact, Deadline
from ..problems import problem
from ..regime import Regime, ValueRecorder
from . import Event, meeting_time_problems, register


class PhoneMeeting(CaseModel):
    # Optional here so the cross-field rule can explain what is missing in a caseworker's words.
    who_calls: Literal["jobcenter", "borger"] | None = Field(None, title="Hvem ringer op")
    number: Phone = Field(title="Telefonnummer", description="Det nummer, vi ringer til, eller som borgeren skal ringe til")


class VideoMeeting(CaseModel):
    join_url: Url | None = Field(None, title="Link til videomødet")
    platform: Text = Field(title="Program til videomødet", examples=["Microsoft Teams"])
    test_url: Url | None = Field(None, title="Link til at teste lyd og billede")


class Meeting(CaseModel):
    start: DateTime = Field(title="Mødets tidspunkt")
    duration_minutes: int = Field(ge=10, le=240, title="Mødets længde i minutter")
    mode: Literal["fremmøde", "telefon", "video"] = Field(title="Mødeform")
    venue: Venue | None = Field(None, title="Mødested (ved fremmøde)")
    phone: PhoneMeeting | None = Field(None, title="Telefonmøde")
    video: VideoMeeting | None = Field(None, title="Videomøde")

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.duration_minutes)


class AKasse(CaseModel):
    name: Name = Field(title="A-kassens navn")
    phone: Phone = Field(title="A-kassens telefonnummer")


class SelfBooking(CaseModel):
    """The citizen books the time of the conversation (selvbooking) instead of being given one."""

    book_by: Date = Field(title="Frist for at booke en tid")
    url: Url = Field(title="Link til at booke en tid", examples=["https://job.jobnet.dk"])
    venue: Venue | None = Field(None, title="Mødested, hvis det er kendt")


class Interpreter(CaseModel):
    language: Text = Field(title="Tolkens sprog", examples=["arabisk"])
    booked: bool = Field(True, title="Vi har bestilt tolken")


class Summons(LetterCase):
    """Indkaldelse til første jobsamtale."""

    benefit: Literal["dagpenge", "kontanthjælp"] = Field(title="Ydelse")
    meeting: Meeting | None = Field(None, title="Samtalen")
    self_booking: SelfBooking | None = Field(None, title="Selvbooking (borgeren booker selv en tid)")
    interpreter: Interpreter | None = Field(None, title="Tolk")
    accessibility: Items = Field(default_factory=list, title="Det har vi sørget for (tilgængelighed)")
    bring: Items = Field(default_factory=list, title="Det skal borgeren tage med")
    prepare: Items = Field(default_factory=list, title="Det skal borgeren forberede")
    a_kasse: AKasse | None = Field(None, title="A-kasse (ved dagpenge)")
    cancel_by: DateTime | None = Field(None, title="Frist for at flytte eller aflyse")


# --- cross-field rules -------------------------------------------------------------------------


def _time_or_self_booking(case: Summons, regime: Regime | None) -> Iterable[Problem]:
    if case.meeting is None and case.self_booking is None:
        yield problem(Summons, "meeting", "skal udfyldes. Brug self_booking i stedet, hvis borgeren selv skal booke en tid")
    if case.meeting is not None and case.self_booking is not None:
        yield problem(Summons, "self_booking", "kan ikke bruges sammen med en fast tid (meeting). Vælg den ene")


def _meeting_mode_details(case: Summons, regime: Regime | None) -> Iterable[Problem]:
    meeting = case.meeting
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


def _a_kasse_for_dagpenge(case: Summons, regime: Regime | None) -> Iterable[Problem]:
    if case.benefit == "dagpenge" and case.a_kasse is None:
        yield problem(Summons, "a_kasse", "skal udfyldes, når borgeren får dagpenge")


def _meeting_after_letter(case: Summons, regime: Regime | None) -> Iterable[Problem]:
    if case.self_booking is not None and case.self_booking.book_by <= case.letter_date:
        yield problem(Summons, "self_booking.book_by", "skal ligge efter brevets dato")
    if case.meeting is None:
        if case.cancel_by is not None:
            yield problem(Summons, "cancel_by", "bruges kun, når samtalen har en fast tid (meeting)")
        return
    if case.meeting.start.date() <= case.letter_date:
        yield problem(Summons, "meeting.start", "skal ligge efter brevets dato")
    why = workdays.why_not_working(case.meeting.start.date())
    if why:
        yield problem(Summons, "meeting.start", f"ligger på {why}. Vælg en hverdag")
    if case.cancel_by is not None and not (case.letter_date <= case.cancel_by.date() and case.cancel_by < case.meeting.start):
        yield problem(Summons, "cancel_by", "skal ligge mellem brevets dato og mødet")


def _someone_answers_before_the_meeting(case: Summons, regime: Regime | None) -> Iterable[Problem]:
    """The letter tells the citizen to call to move the meeting: someone must answer in time."""
    if case.meeting is None or case.cancel_by is not None or case.meeting.start.date() <= case.letter_date:
        return
    if not any(workdays.last_call_before(h, case.meeting.start, case.letter_date) for h in (case.caseworker.phone_hours, case.sender.phone_hours)):
        yield problem(
            Summons,
            "caseworker.phone_hours",
            "hverken sagsbehandleren eller afdelingen har telefontid mellem brevets dato og samtalen, "
            "så borgeren kan ikke nå at ringe og flytte den. Ret telefontiden, eller flyt samtalen",
        )


def _meeting_when_open(case: Summons, regime: Regime | None) -> Iterable[Problem]:
    if case.meeting is not None:
        yield from meeting_time_problems(Summons, "meeting.start", case.meeting.start, case.meeting.duration_minutes, regime)


# --- derived values ------------------------------------------------------------------------------


def _cancel_by(case: Summons, notes: list[str]) -> tuple[dt.datetime, str]:
    """The "ring senest ..." deadline for moving the meeting, and whom the citizen calls.

    Default: the end of the caseworker's phone hours on the last day they answer before the
    meeting (the general line's when the caseworker does not answer in time), so the letter
    never asks for a call nobody takes. A deadline the caseworker set is kept (moved off a
    weekend or holiday); the letter logic checks that it lies in the printed phone hours."""
    meeting = case.meeting
    if case.cancel_by is None:
        for key, hours in (("caseworker", case.caseworker.phone_hours), ("sender", case.sender.phone_hours)):
            at = workdays.last_call_before(hours, meeting.start, case.letter_date)
            if at is not None:
                return at, key
        return meeting.start, "sender"  # refused before this by _someone_answers_before_the_meeting
    raw = case.cancel_by
    if workdays.is_working_day(raw.date()):
        return raw, "caseworker"
    # Nobody answers the phone on a weekend: the next working day if that is still before
    # the meeting, else the last working day before it.
    forward = dt.datetime.combine(workdays.next_working_day(raw.date()), raw.time())
    moved = forward if forward < meeting.start else dt.datetime.combine(workdays.previous_working_day(raw.date()), raw.time())
    notes.append(
        f"Frist for at flytte eller aflyse: {formatting.short_date(raw)} er {workdays.why_not_working(raw.date())}. "
        f"Fristen er flyttet til {formatting.date_and_time(moved)}."
    )
    return moved, "caseworker"


class SummonsEvent(Event):
    name = "indkaldelse"
    title = "Indkaldelse til første jobsamtale"
    model = Summons
    order = 1
    books_meetings = True
    rules = (
        _time_or_self_booking,
        _meeting_mode_details,
        _a_kasse_for_dagpenge,
        _meeting_after_letter,
        _meeting_when_open,
        _someone_answers_before_the_meeting,
    )
    free_text = ("bring[]", "prepare[]", "accessibility[]", "meeting.venue.reception", "self_booking.venue.reception")
    variant_fields = ("benefit", "meeting.mode")  # no meeting: the citizen books it (selvbooking)
    form_alternatives = {
        "@tid": ("Hvordan får borgeren en tid?", {"meeting": "Vi giver en fast tid", "self_booking": "Borgeren booker selv en tid"}),
    }
    form_conditions = {
        "meeting": ("@tid", ("meeting",)),
        "self_booking": ("@tid", ("self_booking",)),
        "cancel_by": ("@tid", ("meeting",)),
        "meeting.venue": ("meeting.mode", ("fremmøde",)),
        "meeting.phone": ("meeting.mode", ("telefon",)),
        "meeting.video": ("meeting.mode", ("video",)),
        "a_kasse": ("benefit", ("dagpenge",)),
    }

    def derive(self, case: Summons, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "authority_word": value("authority_word"),
            "contact_plan": contact_plan(case.benefit, value),
            "consequence": value(f"consequence.indkaldelse.{case.benefit}"),
            "ill_on_the_day": value(f"ill_on_the_day.{case.benefit}"),
        }
        out["contact_total"] = out["contact_plan"]["total"]
        if case.self_booking is not None:
            out["book_by"] = citizen_deadline("Frist for at booke en tid", case.self_booking.book_by, notes)
            out["booking_consequence"] = value(f"consequence.selvbooking.{case.benefit}")
            return out
        out["meeting_end"] = case.meeting.end
        out["cancel_by"], out["cancel_contact"] = _cancel_by(case, notes)
        return out

    def facts(self, case: Summons, derived: dict[str, Any]) -> dict[str, Any]:
        meeting, booking = case.meeting, case.self_booking
        venue = meeting.venue if meeting else booking.venue
        values: dict[str, Any] = {
            "access": None if venue is None else {True: "ja", False: "nej", None: "ukendt"}[venue.step_free],
            "who_calls": meeting.phone.who_calls if meeting and meeting.phone else None,
            "fewer_meetings_possible": bool(derived["contact_plan"].get("note")),
        }
        contacts = []
        if case.a_kasse is not None:
            contacts.append(Contact("a_kasse", case.a_kasse.name, formatting.phone(case.a_kasse.phone), us=False))
        if booking is not None:
            deadlines = [Deadline("book_by", "booke en tid", derived["book_by"], "self_booking.book_by", contact="caseworker")]
            return {"mode": "selvbooking", "values": values, "contacts": contacts, "deadlines": deadlines}
        field = "cancel_by" if case.cancel_by is not None else f"{derived['cancel_contact']}.phone_hours"
        deadlines = [
            Deadline("cancel_by", "flytte eller aflyse samtalen", derived["cancel_by"], field, serves="samtalen", contact=derived["cancel_contact"])
        ]
        return {"mode": meeting.mode, "values": values, "contacts": contacts, "deadlines": deadlines, "moments": {"samtalen": meeting.start}}

    def legal_variant(self, case: Summons) -> str:
        return "selvbooking" if case.self_booking is not None else "fast-tid"

    def appointment(self, case: Summons) -> Appointment | None:
        meeting = case.meeting
        if meeting is None:
            return None
        caseworker = case.caseworker
        start = local(meeting.start)
        details: list[str] = [f"Samtale om job med {caseworker.name}, {caseworker.title}."]
        url = None
        if meeting.mode == "fremmøde":
            location = meeting.venue.one_line()
            details += meeting.venue.arrival_lines()
        elif meeting.mode == "telefon":
            location = "Telefonmøde"
            number = formatting.phone(meeting.phone.number)
            if meeting.phone.who_calls == "jobcenter":
                details.append(f"{caseworker.name} ringer til dig på {number}.")
            else:
                details.append(f"Du skal selv ringe til {caseworker.name} på {number}, når samtalen begynder.")
        else:
            location = "Videomøde"
            url = meeting.video.join_url
            details.append(f"Samtalen foregår på video i {meeting.video.platform}. Klik på linket, når samtalen begynder: {url}")
        details.append(f"Passer tiden ikke, så ring til {caseworker.name} på {formatting.phone(caseworker.phone)}.")
        return Appointment(
            start=start,
            end=start + dt.timedelta(minutes=meeting.duration_minutes),
            summary=f"Samtale om job med {case.sender.unit}",  # "samtale", as the letter says (termer.yml)
            location=location,
            details="\n".join(details),
            organizer_name=caseworker.name,
            organizer_email=caseworker.email,
            url=url,
        )

    def why_no_appointment(self, case: Summons) -> Problem | None:
        # A self-booking summons has no time yet: the citizen books it.
        return problem(Summons, "meeting", "skal udfyldes for at lave en kalenderaftale (ics); ved selvbooking er der endnu ingen tid")


register(SummonsEvent())
