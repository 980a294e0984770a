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
