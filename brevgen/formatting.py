"""Danish formatting of dates, times, amounts and phone numbers.

Everything a citizen reads about time or money goes through here, so all letters say
"mandag den 3. marts 2026", "kl. 10.00", "1.234,50 kr." and "33 66 33 66" the same way.
Working days and public holidays are in :mod:`brevgen.workdays`.

In a letter, a date, a clock time, an amount and a phone number are never split over two
lines ("70 / 10 10 13", a headline ending on a lone "2026"): the template filters print them
with no-break spaces (:func:`unbroken`). Messages for caseworkers keep plain spaces.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
import phonenumbers
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

LOCALE = "da_DK"
NBSP = "\u00a0"


def unbroken(text: str) -> str:
    """``text`` with no-break spaces: one unit on a printed line."""
    return text.replace(" ", NBSP)


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


@functools.lru_cache(maxsize=4096)
def phone_parts(raw: str) -> tuple[str, str]:
    """``("+4533663366", "33 66 33 66")``: the number to dial and the number as printed.

    Numbers outside Denmark keep their country code when printed (``+46 8 123 456 78``).
    Raises ``ValueError`` if invalid. Cached: a case names the same few numbers many times
    (validation, the letter, the contact block), and libphonenumber's parse is not cheap."""
    parsed = parse_phone(raw)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 45 else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return "+" + str(parsed.country_code) + str(parsed.national_number), phonenumbers.format_number(parsed, style)


def phone(raw: str) -> str:
    """``33 66 33 66``; numbers outside Denmark keep their country code (``+46 8 123 456 78``)."""
    return phone_parts(raw)[1]


def phone_hours(hours) -> str:
    """``mandag til torsdag kl. 9.00 til 15.00 og fredag kl. 9.00 til 12.00`` from a list of
    phone hours (objects or mappings with days, opens and closes)."""

    def get(h, key):
        return h[key] if isinstance(h, dict) else getattr(h, key)

    return word_list([f"{get(h, 'days')} {time_span(get(h, 'opens'), get(h, 'closes'))}" for h in hours])


def word_list(items: list[str], last: str = "og") -> str:
    """``PDF, DOCX og HTML``: a Danish enumeration."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
