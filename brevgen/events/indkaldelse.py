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
from ..casedata import CaseModel, LetterCase, Phone, Text, Url, Venue
from ..danish_time import local
from ..derive import citizen_deadline, contact_plan
from ..errors import Problem
from ..letter import Appointment
from ..problems import problem
from ..regime import Regime, ValueRecorder
from . import Event, register


class PhoneMeeting(CaseModel):
    # Optional here so the cross-field rule can explain what is missing in a caseworker's words.
    who_calls: Literal["jobcenter", "borger"] | None = Field(None, title="Hvem ringer op")
    number: Phone = Field(title="Telefonnummer", description="Det nummer, vi ringer til, eller som borgeren skal ringe til")


class VideoMeeting(CaseModel):
    join_url: Url | None = Field(None, title="Link til videomødet")
    platform: Text = Field(title="Program til videomødet", examples=["Microsoft Teams"])
    test_url: Url | None = Field(None, title="Link til at teste lyd og billede")


class Meeting(CaseModel):
    start: dt.datetime = Field(title="Mødets tidspunkt")
    duration_minutes: int = Field(ge=10, le=240, title="Mødets længde i minutter")
    mode: Literal["fremmøde", "telefon", "video"] = Field(title="Mødeform")
    venue: Venue | None = Field(None, title="Mødested (ved fremmøde)")
    phone: PhoneMeeting | None = Field(None, title="Telefonmøde")
    video: VideoMeeting | None = Field(None, title="Videomøde")

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.duration_minutes)


class AKasse(CaseModel):
    name: Text = Field(title="A-kassens navn")
    phone: Phone = Field(title="A-kassens telefonnummer")


class SelfBooking(CaseModel):
    """The citizen books the time of the conversation (selvbooking) instead of being given one."""

    book_by: dt.date = Field(title="Frist for at booke en tid")
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
    accessibility: list[Text] = Field(default_factory=list, title="Det har vi sørget for (tilgængelighed)")
    bring: list[Text] = Field(default_factory=list, title="Det skal borgeren tage med")
    prepare: list[Text] = Field(default_factory=list, title="Det skal borgeren forberede")
    a_kasse: AKasse | None = Field(None, title="A-kasse (ved dagpenge)")
    cancel_by: dt.datetime | None = Field(None, title="Frist for at flytte eller aflyse")


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


# --- derived values ------------------------------------------------------------------------------


def _cancel_by(case: Summons, notes: list[str]) -> dt.datetime:
    meeting = case.meeting
    if case.cancel_by is None:
        # Default: by noon on the last working day before the meeting; if the letter comes
        # later than that, "before the meeting begins".
        day = workdays.previous_working_day(meeting.start.date())
        if day < case.letter_date:
            return meeting.start
        return dt.datetime.combine(day, dt.time(12, 0))
    raw = case.cancel_by
    if workdays.is_working_day(raw.date()):
        return raw
    # Nobody answers the phone on a weekend: the next working day if that is still before
    # the meeting, else the last working day before it.
    forward = dt.datetime.combine(workdays.next_working_day(raw.date()), raw.time())
    moved = forward if forward < meeting.start else dt.datetime.combine(workdays.previous_working_day(raw.date()), raw.time())
    notes.append(
        f"Frist for at flytte eller aflyse: {formatting.short_date(raw)} er {workdays.why_not_working(raw.date())}. "
        f"Fristen er flyttet til {formatting.date_and_time(moved)}."
    )
    return moved


class SummonsEvent(Event):
    name = "indkaldelse"
    title = "Indkaldelse til første jobsamtale"
    model = Summons
    order = 1
    books_meetings = True
    rules = (_time_or_self_booking, _meeting_mode_details, _a_kasse_for_dagpenge, _meeting_after_letter)
    variant_fields = ("benefit", "meeting.mode")  # no meeting: the citizen books it (selvbooking)

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
        out["cancel_by"] = _cancel_by(case, notes)
        return out

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
        details.append(f"Kan du ikke komme, så ring til {caseworker.name} på {formatting.phone(caseworker.phone)}.")
        return Appointment(
            start=start,
            end=start + dt.timedelta(minutes=meeting.duration_minutes),
            summary=f"Jobsamtale med {case.sender.unit}",
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
