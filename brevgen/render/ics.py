"""Letter + case -> an iCalendar file (.ics) for the meeting the letter books.

Made with the maintained ``icalendar`` package. Times are written in Europe/Copenhagen
with its VTIMEZONE included, so a calendar shows the wall-clock time the letter prints on
both sides of a daylight-saving change. The entry holds the meeting's place (or that it is
a phone or video meeting, with how to join in the description), the caseworker as
organiser, and no CPR number or other personal number.

The UID is derived from the sender, the case reference and the event, so a corrected letter
for the same meeting replaces the entry instead of adding a second one. DTSTAMP is the start
of the letter date, so the same case gives the same file.
"""

from __future__ import annotations

import datetime as dt

from .. import __version__
from ..appointment import COPENHAGEN, Appointment, appointment_for, stable_uuid
from ..errors import CaseDataError, LetterError, UsageError
from ..letter import Letter
from ..models import LetterCase, SickLeave, Summons

# Events whose letters can book a meeting; the others have nothing to put in a calendar.
MEETING_EVENTS = ("indkaldelse", "sygedagpenge")


def appointment_or_error(event: str, case: LetterCase) -> Appointment:
    """The letter's meeting, or a Danish error saying why there is no calendar entry."""
    meeting = appointment_for(case)
    if meeting is not None:
        return meeting
    if isinstance(case, SickLeave):
        from ..validation import problem

        raise CaseDataError([problem(SickLeave, "first_followup", "skal udfyldes for at lave en kalenderaftale (ics)")])
    if isinstance(case, Summons):
        from ..validation import problem

        # A self-booking summons has no time yet: the citizen books it.
        raise CaseDataError([problem(Summons, "meeting", "skal udfyldes for at lave en kalenderaftale (ics); ved selvbooking er der endnu ingen tid")])
    raise UsageError(
        f"formatet ics kan ikke bruges til brevtypen '{event}', fordi brevet ikke aftaler et møde. "
        f"Det kan bruges til: {', '.join(MEETING_EVENTS)} (med en første samtale)"
    )


def render_ics(letter: Letter, case: LetterCase) -> bytes:
    """The .ics file (UTF-8 bytes, CRLF lines) for the letter's meeting."""
    from icalendar import Calendar, Event, vCalAddress, vText

    meta = letter.meta
    meeting = appointment_or_error(meta.event, case)
    stamp = dt.datetime.combine(meta.letter_date, dt.time(0, 0), tzinfo=COPENHAGEN).astimezone(dt.timezone.utc)

    calendar = Calendar()
    calendar.add("prodid", f"-//brevgen//brevgen {__version__}//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", f"{stable_uuid('ics', meta.sender_authority, meta.case_ref, meta.event)}@brevgen")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.summary)
    event.add("location", meeting.location)
    event.add("description", meeting.details)
    if meeting.url:
        event.add("url", meeting.url)
    organizer = vCalAddress(f"mailto:{meeting.organizer_email}")
    organizer.params["cn"] = vText(meeting.organizer_name)
    event.add("organizer", organizer)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    # Only the years around the meeting: the whole 1970-2038 table would be most of the file.
    calendar.add_missing_timezones(
        first_date=dt.date(meeting.start.year - 1, 1, 1), last_date=dt.date(meeting.start.year + 2, 1, 1)
    )
    data = calendar.to_ical()
    _guard_cpr(data, case)
    return data


def _guard_cpr(data: bytes, case: LetterCase) -> None:
    if case.citizen.cpr is None:
        return
    digits = case.citizen.cpr.get_secret_value().strip().replace("-", "")
    text = data.decode("utf-8").replace("\r\n ", "")  # undo iCalendar line folding
    if digits in text or f"{digits[:6]}-{digits[6:]}" in text:
        raise LetterError("kalenderaftalen ville vise borgerens CPR-nummer. Ret sagens data")
