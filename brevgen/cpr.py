"""CPR numbers in any spelling: the one detector brevgen uses everywhere.

A CPR number is six digits that form a date (DDMMYY) and four more digits. People write it in
many ways, and every one of them is a data breach in a letter: ``010190-1234``, ``0101901234``,
``010190 1234``, ``010190–1234`` (any dash), ``010190.1234``, ``010190/1234``, ``01.01.90-1234``,
fullwidth digits, a zero-width character typed in the middle, or glued into longer text
(``nr0101901234``). :func:`find` knows all of them:

- digits are any Unicode decimal digits, and invisible characters (soft hyphen, zero-width
  spaces and joiners, direction marks) may follow any digit;
- between the day, month, year and the last four digits there may be nothing, or up to three
  of: spaces (any Unicode space except line breaks), dots, slashes, hyphens, any Unicode dash
  or the minus sign;
- inside longer digit runs only when bounded by non-digits (``12345678901`` is no CPR number,
  ``tlf0101901234`` is);
- the first six digits must form a real day and month (``320190-1234`` is no CPR number;
  29 February only in a year that is a leap year in some century).

Used by the case models (free text holding a CPR number is refused, naming the field), the
composed Letter's last-line guard, every format's output check, file names, the service's and
the CLI's log filter, every error message (:mod:`brevgen.errors` redacts them) and the batch's
errors and manifest. Nothing here ever returns or prints the number it found.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote_plus

# Characters that may sit unseen between digits: soft hyphen, zero-width space/joiners,
# direction marks and embeddings, word joiner and invisible operators, BOM.
IGNORABLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_IG = f"[{IGNORABLE}]*"
# Spaces other than line breaks (a number is not split over two lines of a letter).
_SPACES = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_DOTS = ".\u00b7\u2024\u2027\ufe52\uff0e"
_SLASHES = "/\u2044\u2215\uff0f"
_DASHES = "\\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_SEP = f"(?:[{_SPACES}{_DOTS}{_SLASHES}{_DASHES}]{_IG}){{0,3}}"
_D = rf"\d{_IG}"

PATTERN = re.compile(
    rf"(?<!\d)(?P<dd>{_D}{_D}){_SEP}(?P<mm>{_D}{_D}){_SEP}(?P<yy>{_D}{_D}){_SEP}(?P<serial>{_D}{_D}{_D}{_D})(?!{_IG}\d)"
)
# The strict form the citizen.cpr field accepts: ASCII digits, DDMMYY-XXXX or DDMMYYXXXX.
STRICT = re.compile(r"(?P<dd>[0-9]{2})(?P<mm>[0-9]{2})(?P<yy>[0-9]{2})-?(?P<serial>[0-9]{4})")
_NOT_DIGIT = re.compile(r"\D")
# Machine values that are no text: UUIDs and SHA-256/hex digests, which may by chance hold ten
# digits in a row that form a date. Output checks strip them before looking.
_MACHINE = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")

REDACTED = "[CPR fjernet]"
# What a caseworker reads when a field holds one (the field is named by the caller).
MESSAGE = "ligner et CPR-nummer. Et CPR-nummer må aldrig stå i et brev: fjern det"


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def _is_day(dd: str, mm: str, yy: str) -> bool:
    day, month, year = int(_digits(dd)), int(_digits(mm)), int(_digits(yy))
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        return any(calendar.isleap(century + year) for century in (1800, 1900, 2000))
    return day <= calendar.monthrange(2001, month)[1]


def find(text: str) -> Iterator[re.Match]:
    """Every CPR number in ``text``, in any spelling (the matches, for positions only)."""
    if not text or not isinstance(text, str):
        return
    pos = 0
    while True:
        match = PATTERN.search(text, pos)
        if match is None:
            return
        if _is_day(match["dd"], match["mm"], match["yy"]):
            yield match
            pos = match.end()
        else:
            # Not a date here ("00 241299-0013": the 00 and the next digits): a number may
            # still start inside this candidate.
            pos = match.start() + 1


def contains(text: str) -> bool:
    """Whether ``text`` holds something shaped like a CPR number."""
    return next(find(text), None) is not None


def is_cpr(value: str) -> bool:
    """Whether ``value`` is exactly one CPR number as the citizen.cpr field takes it."""
    match = STRICT.fullmatch(value)
    return bool(match) and _is_day(match["dd"], match["mm"], match["yy"])


def redact(text: str) -> str:
    """``text`` with every CPR number replaced by ``[CPR fjernet]``, also when the text is
    percent-encoded (a URL in an access log: ``010190%201234``, ``010190%E2%80%931234``)."""
    if not isinstance(text, str) or not text:
        return text
    out = _sub(text)
    if "%" in out or "+" in out:
        decoded = unquote_plus(out)
        if decoded != out and contains(decoded):
            out = _sub(decoded)
    return out


def _sub(text: str) -> str:
    pieces, pos = [], 0
    for match in find(text):
        pieces += [text[pos : match.start()], REDACTED]
        pos = match.end()
    return "".join(pieces) + text[pos:] if pieces else text


def own_number_in(text: str, cpr_digits: str | None) -> bool:
    """Whether the citizen's own number is in ``text``: its ten digits in order with at most
    three characters that are neither letters nor digits between any two (a spelling the
    general detector might not know, such as ``241 299 0013``)."""
    if not cpr_digits or not text:
        return False
    gap = r"[^\w]{0,3}"
    return re.search(gap.join(cpr_digits), text) is not None


def strip_machine_values(text: str, known: Iterable[str] = ()) -> str:
    """``text`` without UUIDs and the given machine values (hashes), which are not text."""
    for value in known:
        if value:
            text = text.replace(value, " ")
    return _MACHINE.sub(" ", text)


class RedactingFilter(logging.Filter):
    """Strips CPR numbers from every log record (message, arguments, traceback) before it is
    written. Nothing in brevgen logs a CPR number on purpose; this catches what others log,
    such as uvicorn's access line for a URL someone typed a CPR number into."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the traceback (and the exception's message) is redacted too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
