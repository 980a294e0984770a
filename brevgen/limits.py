"""How much brevgen reads: the limits on case data, checked before any work is done.

Every entry point (a case file for the CLI and batch, a JSON body over HTTP, a JSONL line, a
dict from Python) goes through :func:`check_data` in validation, and the readers in
:mod:`brevgen.casefile` apply the same limits while parsing (so a million nested brackets
never reach a recursive parser). The messages are the same wherever the data came from.
docs/reliability.md lists every limit.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

MAX_CASE_BYTES = 1_000_000  # a case file, an HTTP body, a JSONL line (a case is a few kB)
MAX_DEPTH = 12  # groups and lists inside each other (the deepest case model has 5)
MAX_VALUES = 10_000  # values in one case, all levels together
MAX_NUMBER_DIGITS = 15  # no number in a case is near this (minutes, hours, kroner)
MAX_KEY_LENGTH = 100

TOO_DEEP = f"sagens data er indlejret for dybt: højst {MAX_DEPTH} niveauer af grupper og lister inden i hinanden"
TOO_MANY = f"sagens data har for mange værdier: højst {MAX_VALUES:,}".replace(",", ".")
NUMBER_TOO_BIG = f"er et for stort tal: højst {MAX_NUMBER_DIGITS} cifre"
NOT_FINITE = "er ikke et tal, der kan stå i et brev (uendeligt eller NaN)"
KEY_NOT_TEXT = "har et feltnavn, der ikke er tekst"
KEY_TOO_LONG = f"har et feltnavn på over {MAX_KEY_LENGTH} tegn"
LOOP = "henviser til sig selv"


def duplicate_key(key: Any, line: int | None = None) -> str:
    shown = str(key)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    where = f" (linje {line})" if line else ""
    return f"feltet '{shown}' står to gange i samme gruppe{where}. Slet det ene (ellers ville det sidste gælde uden varsel)"


class TooBigNumber:
    """A number too long to read (thousands of digits), kept as a marker so validation can name
    the field it was in. Converting it to an int would itself be unbounded work."""

    def __repr__(self) -> str:
        return "<tal med for mange cifre>"

    __str__ = __repr__


def number_too_big(value: Any) -> bool:
    if isinstance(value, TooBigNumber):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value.bit_length() > 60 or abs(value) >= 10**MAX_NUMBER_DIGITS
    if isinstance(value, float) and math.isfinite(value):
        return abs(value) >= 10**MAX_NUMBER_DIGITS
    if isinstance(value, Decimal) and value.is_finite():
        return value != 0 and value.adjusted() >= MAX_NUMBER_DIGITS
    return False


def not_finite(value: Any) -> bool:
    return (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, Decimal) and not value.is_finite())


def check_data(data: Any) -> list[tuple[tuple, str]]:
    """Problems as (location, Danish message); location () means the whole case.

    Walks without recursion, so any depth or a structure that contains itself (possible from
    Python) is reported, not a RecursionError."""
    problems: list[tuple[tuple, str]] = []
    stack: list[tuple[Any, tuple, int, frozenset]] = [(data, (), 1, frozenset())]
    seen = 0
    while stack:
        value, loc, depth, ancestors = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            return [((), TOO_MANY)]
        if isinstance(value, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                return [((), TOO_DEEP)]
            if id(value) in ancestors:
                problems.append((loc, LOOP))
                continue
            inner = ancestors | {id(value)}
            if isinstance(value, dict):
                for key, item in reversed(list(value.items())):
                    if not isinstance(key, str):
                        problems.append((loc, KEY_NOT_TEXT))
                        continue
                    if len(key) > MAX_KEY_LENGTH:
                        problems.append((loc, KEY_TOO_LONG))
                        continue
                    stack.append((item, loc + (key,), depth + 1, inner))
            else:
                for index in range(len(value) - 1, -1, -1):
                    stack.append((value[index], loc + (index,), depth + 1, inner))
        elif number_too_big(value):
            problems.append((loc, NUMBER_TOO_BIG))
        elif not_finite(value):
            problems.append((loc, NOT_FINITE))
    return problems
