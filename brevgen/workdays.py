"""Danish working days: which days count, and how deadlines move around weekends and holidays.

Public holidays come from the maintained ``holidays`` package, never from a hand-made list.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from babel.dates import format_date

from .formatting import LOCALE


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.Denmark(years=year, language="da")


def holiday_name(day: dt.date) -> str | None:
    """The Danish name of the public holiday on ``day``, or ``None``."""
    return _danish_holidays(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Danish public holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_working_day(day: dt.date) -> dt.date:
    """The last working day strictly before ``day``."""
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """``count`` working days after ``day`` (``count`` >= 0)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def deadline(start: dt.date, days: int = 0, weeks: int = 0) -> tuple[dt.date, bool]:
    """A "senest" date ``days``/``weeks`` after ``start``, moved to the next working day.

    Returns the date and whether it was moved, so a letter (or a report) can say so.
    """
    raw = start + dt.timedelta(days=days, weeks=weeks)
    moved = next_working_day(raw)
    return moved, moved != raw


def why_not_working(day: dt.date) -> str | None:
    """Why ``day`` is no working day, in words ("en søndag", "en helligdag (Juledag)"), or ``None``."""
    if is_working_day(day):
        return None
    holiday = holiday_name(day)
    return f"en helligdag ({holiday})" if holiday else "en " + format_date(day, "EEEE", locale=LOCALE)


# --- phone hours ---------------------------------------------------------------------------------
# ``hours`` is any iterable of objects with ``weekdays`` (Monday is 0), ``opens`` and ``closes``
# (brevgen.casedata.PhoneHours, or the phone times a Letter carries in its facts).


def phone_slots(hours, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The phone hours on ``day`` as (opens, closes), earliest first; none on a day off."""
    if not is_working_day(day):
        return []
    return sorted((h.opens, h.closes) for h in hours if day.weekday() in h.weekdays)


def can_call_at(hours, moment: dt.datetime) -> bool:
    """A deadline "ring senest <moment>" can be met: the line is open on that day and opens before it,
    and the moment is not after it closes (a deadline past closing time promises calls nobody takes)."""
    return any(opens < moment.time() <= closes for opens, closes in phone_slots(hours, moment.date()))


def can_call_on(hours, day: dt.date) -> bool:
    """A deadline "ring senest <day>" can be met on the day itself."""
    return bool(phone_slots(hours, day))


def can_call_before(hours, moment: dt.datetime) -> bool:
    """Someone answers on the day of ``moment`` before it ("ring, før samtalen begynder")."""
    return any(opens < moment.time() for opens, _ in phone_slots(hours, moment.date()))


def last_call_before(hours, moment: dt.datetime, after: dt.date) -> dt.datetime | None:
    """The latest end of a phone slot on a working day after ``after`` and before the day of
    ``moment``; else on the day itself, before ``moment``; ``None`` when the line is never open."""
    day = moment.date() - dt.timedelta(days=1)
    while day > after:
        slots = phone_slots(hours, day)
        if slots:
            return dt.datetime.combine(day, max(closes for _, closes in slots))
        day -= dt.timedelta(days=1)
    same_day = [min(closes, moment.time()) for opens, closes in phone_slots(hours, moment.date()) if opens < moment.time()]
    if same_day and moment.date() > after:
        return dt.datetime.combine(moment.date(), max(same_day))
    return None
