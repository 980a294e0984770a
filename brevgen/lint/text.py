"""Danish tokenizer and sentence splitter for the klarsprog lint.

A general-purpose segmenter (or Vale's English one) ends sentences at "3. marts", "kl. 10.00",
"f.eks." and "nr. 5". Letters are full of these, and every wrong split makes sentences look
shorter and LIX look better than they are. The rules here:

- Known abbreviations (``vocabulary/abbreviations.txt``) are one token and never end a
  sentence, except those marked as able to stand last ("osv.", "kr.") when the next word
  starts with a capital letter.
- A number followed by "." is an ordinal ("3. marts", "2. th.", "1. sal") when the next token
  is a lower-case word or a number; before a capital letter or at the end it ends a sentence.
- A single capital letter with a full stop is an initial ("H. C. Andersen").
- URLs (also without "https://": "www.kk.dk", "job.jobnet.dk/booking"), e-mail addresses,
  Danish phone numbers ("46 11 22 33") and decimal numbers are one token each, so their dots
  and spaces split nothing.
- "!", "?" and "…" always end a sentence; ":" and ";" never do.
- A line break (``<br>`` in a letter, a line in an address block) ends a sentence.
- The end of a unit (heading, paragraph, list item, table cell) ends a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WORD_KINDS = frozenset({"word", "abbr", "number", "phone"})
"""Token kinds that count as words for LIX (URLs and e-mail addresses do not)."""

_CLOSERS = set('"«”“’)]\'')
_ENDERS = re.compile(r"[.!?…]+")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    kind: str  # word | abbr | number | phone | url | email | end | punct
    letters: int = 0  # letters only (no digits, hyphens or dots): the length LIX uses
    is_word: bool = False  # counts as a word for LIX (URLs and e-mail addresses do not)


def _token(start: int, end: int, text: str, kind: str) -> Token:
    letters = sum(1 for c in text if c.isalpha()) if kind in ("word", "abbr", "number") else 0
    return Token(start, end, text, kind, letters, kind in WORD_KINDS)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...]
    words: tuple[Token, ...] = ()  # word-like tokens, URLs and e-mail addresses included (one word to read each)


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]

    @property
    def sentence_starts(self) -> frozenset[int]:
        return frozenset(s.start for s in self.sentences)


class Analyzer:
    """Tokenizes and splits Danish text; holds the abbreviation list it needs."""

    def __init__(self, abbreviations: dict[str, bool]):
        # abbreviation (lower case, with its dots) -> may it end a sentence?
        self.abbreviations = {k.lower(): v for k, v in abbreviations.items()}
        self._cache: dict[str, Analysis] = {}
        alternatives = sorted(self.abbreviations, key=len, reverse=True)
        abbr = "|".join(re.escape(a) for a in alternatives) or r"(?!x)x"
        self._token = re.compile(
            rf"""
            (?P<url>(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"»”]
                |(?<![\w@.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:dk|com|org|net|eu|nu|io|gov|info)(?![\w-])(?:/[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"»”])?)
            |(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
            |(?P<phone>(?<![\w.,])(?:\+45[ \xa0]?)?\d{{2}}(?:[ \xa0]\d{{2}}){{3}}(?![\w]|[.,]\d))
            |(?P<abbr>(?<!\w)(?i:{abbr})(?![\w]))
            |(?P<number>\d+(?:[.,:/]\d+)*(?:[-–]\d+(?:[.,:/]\d+)*)?[^\W\d_]*)
            |(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+|-\d+)*)
            |(?P<end>[.!?…]+)
            |(?P<punct>\S)
            """,
            re.X,
        )

    @classmethod
    def from_file(cls, path: Path) -> Analyzer:
        return cls(read_abbreviations(path))

    def tokenize(self, text: str) -> tuple[Token, ...]:
        return tuple(_token(m.start(), m.end(), m.group(), m.lastgroup or "punct") for m in self._token.finditer(text))

    def analyse(self, text: str) -> Analysis:
        # Letters made from one template repeat most of their text: analyse each text once.
        cached = self._cache.get(text)
        if cached is None:
            tokens = self.tokenize(text)
            cached = Analysis(text, tokens, tuple(self._sentences(text, tokens)))
            if len(self._cache) >= 20000:
                self._cache.clear()
            self._cache[text] = cached
        return cached

    def _sentences(self, text: str, tokens: tuple[Token, ...]):
        current: list[Token] = []
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            if current and "\n" in text[current[-1].end : tok.start]:
                yield _sentence(current)
                current = []
            current.append(tok)
            i += 1
            if not self._ends_here(tok, tokens, i, current):
                continue
            while i < n and tokens[i].text in _CLOSERS and "\n" not in text[current[-1].end : tokens[i].start]:
                current.append(tokens[i])
                i += 1
            yield _sentence(current)
            current = []
        if current:
            yield _sentence(current)

    def _ends_here(self, tok: Token, tokens: tuple[Token, ...], i: int, current: list[Token]) -> bool:
        nxt = _next_significant(tokens, i)
        if tok.kind == "abbr":
            may_end = self.abbreviations.get(tok.text.lower(), False)
            return may_end and nxt is not None and _starts_upper(nxt)
        if tok.kind != "end":
            return False
        if tok.text != ".":
            return True  # ! ? … and runs like "?!" or "..."
        before = current[-2] if len(current) >= 2 else None
        if before is None:
            return True
        if before.kind == "number" and before.text.isdigit() and nxt is not None and not _starts_upper(nxt):
            return False  # ordinal: "3. marts", "2. th.", "1. sal"
        if before.kind == "word" and len(before.text) == 1 and before.text.isupper():
            return False  # initial: "H. C. Andersen"
        return True


def _next_significant(tokens: tuple[Token, ...], i: int) -> Token | None:
    while i < len(tokens) and tokens[i].text in _CLOSERS:
        i += 1
    return tokens[i] if i < len(tokens) else None


def _starts_upper(tok: Token) -> bool:
    first = tok.text[:1]
    return first.isalpha() and first.isupper() or tok.text[:1] in ("“", '"', "»", "(")


def _sentence(tokens: list[Token]) -> Sentence:
    words = tuple(t for t in tokens if t.is_word or t.kind in ("url", "email"))
    return Sentence(tokens[0].start, tokens[-1].end, tuple(tokens), words)


def read_abbreviations(path: Path) -> dict[str, bool]:
    """``abbreviations.txt``: one per line; a trailing "+" means it may end a sentence."""
    found: dict[str, bool] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        may_end = line.endswith("+")
        found[line.rstrip("+").strip().lower()] = may_end
    return found


@lru_cache(maxsize=8)
def analyzer_for(path: Path) -> Analyzer:
    return Analyzer.from_file(path)
