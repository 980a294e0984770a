"""The meeting a letter books, as calendar data for Digital Post (MeMo AFTALE) and .ics.

Case data gives meeting times as local wall-clock time in Denmark ("2026-03-30T10:00"),
which is what caseworkers type and what the letter prints. Calendar formats need an
unambiguous instant, so every time is read as Europe/Copenhagen here, once, and both
the MeMo and the iCalendar renderer use the result. Nothing here reads the CPR number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from . import formatting
from .models import LetterCase, SickLeave, Summons, Venue

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Appointment:
    """A meeting with the job centre: when, where or how, and with whom. No personal numbers."""

    start: dt.datetime  # aware, Europe/Copenhagen
    end: dt.datetime  # aware, Europe/Copenhagen
    summary: str  # "Jobsamtale med Jobcenter Rudersdal": the calendar title
    location: str  # the address, or "Telefonmøde" / "Videomøde"
    details: str  # how to take part, in plain Danish
    organizer_name: str
    organizer_email: str
    url: str | None = None  # the video link, when there is one


def local(value: dt.datetime) -> dt.datetime:
    """Case times without a zone are Danish wall-clock time; aware times are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=COPENHAGEN)
    return value.astimezone(COPENHAGEN)


def utc_z(value: dt.datetime) -> str:
    """UTC with a trailing Z, as MeMo requires (``2026-03-30T08:00:00Z``)."""
    return local(value).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_uuid(*parts: str) -> uuid.UUID:
    """A UUID that is the same for the same parts, shaped as version 4.

    MeMo's schema only accepts version-4 UUIDs (a ``4`` in the third group), so a name-based
    uuid5 would be rejected; instead the SHA-256 of the parts fills a UUID whose version
    and variant bits are set to 4 / RFC 4122. Same letter, same UUID: a resend is
    recognisable as the same message instead of arriving twice.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def _address(venue: Venue) -> str:
    address = venue.address
    parts = [venue.name, address.street + (f", {address.floor_door}" if address.floor_door else ""), f"{address.postcode} {address.city}"]
    return ", ".join(parts)


def _venue_details(venue: Venue) -> list[str]:
    lines = []
    if venue.room:
        lines.append(f"Gå til {venue.room}.")
    if venue.reception:
        lines.append(venue.reception)
    return lines


def appointment_for(case: LetterCase) -> Appointment | None:
    """The meeting this case's letter books, or None if the letter books none."""
    sender = case.sender.unit
    caseworker = case.caseworker
    if isinstance(case, Summons) and case.meeting is not None:
        meeting = case.meeting
        start = local(meeting.start)
        end = start + dt.timedelta(minutes=meeting.duration_minutes)
        details: list[str] = [f"Samtale om job med {caseworker.name}, {caseworker.title}."]
        url = None
        if meeting.mode == "fremmøde":
            location = _address(meeting.venue)
            details += _venue_details(meeting.venue)
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
            end=end,
            summary=f"Jobsamtale med {sender}",
            location=location,
            details="\n".join(details),
            organizer_name=caseworker.name,
            organizer_email=caseworker.email,
            url=url,
        )
    if isinstance(case, SickLeave) and case.first_followup is not None:
        followup = case.first_followup
        start = local(followup.start)
        details = [f"Første samtale om din sygemelding med {caseworker.name}, {caseworker.title}."]
        details += _venue_details(followup.venue)
        details.append(f"Kan du ikke komme, så ring til {caseworker.name} på {formatting.phone(caseworker.phone)}.")
        return Appointment(
            start=start,
            end=start + dt.timedelta(minutes=followup.duration_minutes),
            summary=f"Opfølgningssamtale med {sender}",
            location=_address(followup.venue),
            details="\n".join(details),
            organizer_name=caseworker.name,
            organizer_email=caseworker.email,
        )
    return None
