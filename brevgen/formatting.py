"""Danish formatting of dates, times, amounts and phone numbers, and working-day arithmetic.

Everything a citizen reads about time or money goes through here, so all letters say
"mandag den 3. marts 2026", "kl. 10.00", "1.234,50 kr." and "33 66 33 66" the same way.
Public holidays come from the maintained ``holidays`` package, never from a hand-made list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import holidays
import phonenumbers
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

LOCALE = "da_DK"


def long_date(value: dt.date) -> str:
    """``mandag den 3. marts 2026``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, "EEEE 'den' d. MMMM y", locale=LOCALE)


def short_date(value: dt.date) -> str:
    """``3. marts 2026`` (no weekday), for places where the weekday would be noise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, "d. MMMM y", locale=LOCALE)


def clock(value: dt.time | dt.datetime) -> str:
    """``kl. 10.00``, ``kl. 9.30``."""
    if isinstance(value, dt.datetime):
        value = value.time()
    return "kl. " + format_time(value, "H.mm", locale=LOCALE)


def date_and_time(value: dt.datetime) -> str:
    """``mandag den 3. marts 2026 kl. 10.00``."""
    return f"{long_date(value)} {clock(value)}"


def time_span(start: dt.time | dt.datetime, end: dt.time | dt.datetime) -> str:
    """``kl. 9.00 til 15.00``."""
    end_t = end.time() if isinstance(end, dt.datetime) else end
    return f"{clock(start)} til {format_time(end_t, 'H.mm', locale=LOCALE)}"


def amount(value: Decimal | float | int) -> str:
    """``1.234,50 kr.``."""
    return format_decimal(value, "#,##0.00", locale=LOCALE) + " kr."


def number(value: int | float | Decimal) -> str:
    """``1.234`` or ``37,5``: Danish separators, no forced decimals."""
    return format_decimal(value, "#,##0.##", locale=LOCALE)


def parse_phone(raw: str) -> phonenumbers.PhoneNumber:
    """Parse a Danish (or +-prefixed foreign) phone number; raises ``ValueError`` if invalid."""
    try:
        parsed = phonenumbers.parse(raw, "DK")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return parsed


def phone(raw: str) -> str:
    """``33 66 33 66``; numbers outside Denmark keep their country code (``+46 8 123 456 78``)."""
    parsed = parse_phone(raw)
    if parsed.country_code == 45:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
