"""Letter + case -> an iCalendar file (.ics) for the meeting the letter books.

Made with the maintained ``icalendar`` package. Times are written in Europe/Copenhagen
with its VTIMEZONE included, so a calendar shows the wall-clock time the letter prints on
both sides of a daylight-saving change. The entry holds the meeting's place (or that it is
a phone or video meeting, with how to join in the description), the caseworker as
organiser, and no CPR number or other personal number.

The UID is derived from the sender, the case reference and the event, so a corrected letter
for the same meeting replaces the entry instead of adding a second one. A calendar only
replaces an entry by a version with a higher SEQUENCE (RFC 5545 3.8.7.4, RFC 5546 2.1.5), so
SEQUENCE grows when the meeting is moved: see :func:`sequence`. DTSTAMP is the start of the
letter date, so the same case gives the same file.
"""

from __future__ import annotations

import datetime as dt

from ..events import all_events, get as event_of
from ..casedata import LetterCase
from ..danish_time import start_of_day
from ..errors import LetterError, Problem, UsageError
from ..identifiers import stable_uuid
from ..letter import Letter
from . import Format, RenderJob, register_format


def missing_for_ics(letter: Letter, case: LetterCase | None = None) -> list[Problem]:
    """Why this letter has no calendar entry: the field to fill in, or a usage error when the
    kind of letter never books a meeting."""
    if letter.meta.appointment is not None:
        return []
    event = event_of(letter.meta.event)
    if not event.books_meetings:
        able = [e.name for e in all_events() if e.books_meetings]
        raise UsageError(
            f"formatet ics kan ikke bruges til brevtypen '{event.name}', fordi brevet ikke aftaler et møde. "
            f"Det kan bruges til: {', '.join(able)} (med en første samtale)"
        )
    why = event.why_no_appointment(case)
    return [why] if why else []


SEQUENCE_EPOCH = dt.date(2020, 1, 1)
_MINUTES_PER_LETTER_DAY = 100_000  # room for a meeting up to 69 days after the letter


def sequence(letter_date: dt.date, start: dt.datetime) -> int:
    """The entry's SEQUENCE: the letter date first, then how far after it the meeting lies.

    A letter that moves a meeting is dated the day it is sent, on or after the first letter, so
    a later letter date always gives a higher number, whichever way the meeting moved; on the
    same letter date, a meeting moved later gives a higher number too. (Moved to an earlier
    time by a second letter with the same date, it would not: date that letter the next day.)
    Derived only from the letter, so the same case still gives the same file. Stays below
    2**31 (RFC 5545 integers) until the year 2078.
    """
    days = (letter_date - SEQUENCE_EPOCH).days
    minutes = int((start - start_of_day(letter_date)).total_seconds() // 60)
    return max(0, days) * _MINUTES_PER_LETTER_DAY + min(max(minutes, 0), _MINUTES_PER_LETTER_DAY - 1)


def render_ics(letter: Letter, case: LetterCase | None = None) -> bytes:
    """The .ics file (UTF-8 bytes, CRLF lines) for the letter's meeting."""
    from icalendar import Calendar, Event, vCalAddress, vText

    meta = letter.meta
    meeting = meta.appointment
    if meeting is None:
        raise UsageError("brevet aftaler ikke et møde, så der er ingen kalenderaftale")
    stamp = start_of_day(meta.letter_date).astimezone(dt.timezone.utc)

    calendar = Calendar()
    calendar.add("prodid", f"-//brevgen//brevgen {letter.meta.brevgen_version}//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", f"{stable_uuid('ics', meta.sender_authority, meta.case_ref, meta.event)}@brevgen")
    event.add("dtstamp", stamp)
    event.add("sequence", sequence(meta.letter_date, meeting.start))
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


def _guard_cpr(data: bytes, case: LetterCase | None) -> None:
    if case is None or case.citizen.cpr is None:
        return
    digits = case.citizen.cpr.get_secret_value().strip().replace("-", "")
    text = data.decode("utf-8").replace("\r\n ", "")  # undo iCalendar line folding
    if digits in text or f"{digits[:6]}-{digits[6:]}" in text:
        raise LetterError("kalenderaftalen ville vise borgerens CPR-nummer. Ret sagens data")


# --- the format ----------------------------------------------------------------------------


def _render(letter: Letter, job: RenderJob) -> bytes:
    return render_ics(letter, job.case)


def texts(data: bytes) -> list[str]:
    """The entry's lines with iCalendar line folding undone."""
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").splitlines()


register_format(
    Format(
        name="ics",
        suffix="ics",
        media_type="text/calendar",
        title="iCalendar (kalenderaftale)",
        render=_render,
        check=missing_for_ics,
        text=True,
        order=5,
        texts=texts,
    )
)
