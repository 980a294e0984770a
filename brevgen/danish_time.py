"""Instants in Danish time, for the formats that need an unambiguous moment (calendar, MeMo).

Case data gives meeting times as local wall-clock time in Denmark ("2026-03-30T10:00"), which
is what caseworkers type and what the letter prints. Every such time is read as
Europe/Copenhagen here, once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local(value: dt.datetime) -> dt.datetime:
    """Case times without a zone are Danish wall-clock time; aware times are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=COPENHAGEN)
    return value.astimezone(COPENHAGEN)


def utc_z(value: dt.datetime) -> str:
    """UTC with a trailing Z, as MeMo requires (``2026-03-30T08:00:00Z``)."""
    return local(value).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in Danish time: a deadline "senest <day>" ends here."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=COPENHAGEN)


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=COPENHAGEN)
