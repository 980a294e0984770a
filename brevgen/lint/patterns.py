"""How rule files write what to look for and what to say: patterns and message templates.

Patterns are literal text unless written ``/like this/``; whole-word matching uses
``(?<!\\w)`` and ``(?!\\w)``, which know that æ, ø and å are letters. Messages are
``str.format`` templates with named placeholders ({match}, {suggestion}, {value}, ...).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable


class PatternError(ValueError):
    """A pattern in a rule file is not a valid regular expression."""


def is_regex(pattern: str) -> bool:
    return len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/")


def pattern_source(pattern: str) -> str:
    if is_regex(pattern):
        body = pattern[1:-1]
        try:
            re.compile(body)
        except re.error as exc:
            raise PatternError(f"'{pattern}' er ikke et gyldigt regulært udtryk: {exc}") from None
        return body
    return r"\s+".join(re.escape(part) for part in pattern.split())


def compile_alternation(patterns: Iterable[str], *, case_sensitive: bool, whole_words: bool, named: bool = False) -> re.Pattern:
    sources = [pattern_source(p) for p in patterns]
    if named:
        body = "|".join(f"(?P<k{i}>{src})" for i, src in enumerate(sources))
    else:
        body = "|".join(f"(?:{src})" for src in sources)
    if whole_words:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    return re.compile(body, 0 if case_sensitive else re.IGNORECASE)


class Exceptions:
    """Literal texts (any case) and /regexes/ (must match the whole finding) that are allowed."""

    def __init__(self, items: Iterable[str], case_sensitive: bool = False):
        self.literal: set[str] = set()
        self.regexes: list[re.Pattern] = []
        for item in items:
            if is_regex(item):
                self.regexes.append(re.compile(pattern_source(item), 0 if case_sensitive else re.IGNORECASE))
            else:
                self.literal.add(" ".join(item.lower().split()))

    def __contains__(self, text: str) -> bool:
        norm = " ".join(text.lower().split())
        return norm in self.literal or any(r.fullmatch(text) for r in self.regexes)


def quote_list(words: list[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " eller " + quoted[-1]


def format_message(template: str, values: dict) -> str:
    return string.Formatter().vformat(template, (), _Missing(values))


class _Missing(dict):
    def __missing__(self, key):  # unknown placeholders are caught at load; never crash a lint
        return "{" + key + "}"


def message_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.0f}"


def capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]
