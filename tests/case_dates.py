"""Move every date in a case by whole days (test and benchmark inputs made from the examples)."""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def shift_dates(value, days: int):
    """``value`` with every ISO date or date-time string moved by ``days``; times are kept."""
    if isinstance(value, dict):
        return {k: shift_dates(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_dates(v, days) for v in value]
    if isinstance(value, str) and _ISO.match(value):
        day = dt.date.fromisoformat(value[:10]) + dt.timedelta(days=days)
        return day.isoformat() + value[10:]
    return value
