"""LIX (læsbarhedsindeks, Björnsson 1968): words per sentence + percentage of long words.

    LIX = O / P + 100 * L / O

O is the number of words, P the number of sentences ("punktummer") and L the number of words
with more than six letters. Counting conventions (documented because tools disagree):

- Word length counts letters only: "a-kasse" has 6 letters, "10.00" has none.
- Numbers, phone numbers and abbreviations are words; URLs and e-mail addresses are not.
- Sentences come from :mod:`brevgen.lint.text`, so "3. marts" and "f.eks." split nothing.

Which parts of a letter are measured (the LIX sample) is set in ``config.yml`` (``lix:``) and
explained in ``plain_language_rules/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Config
from .text import Sentence
from .units import Document, Unit

# The common Danish five-band scale (fonologisk.dk, sprogvaskeriet.dk, skriveskolen.dk).
BANDS = (
    (25, "meget let"),
    (35, "let"),
    (45, "middel"),
    (55, "svær"),
    (float("inf"), "meget svær"),
)


def band(lix: float) -> str:
    for upper, name in BANDS:
        if lix < upper:
            return name
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class LixCount:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words or not self.sentences:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words

    @property
    def band(self) -> str:
        return band(self.lix)

    def __add__(self, other: LixCount) -> LixCount:
        return LixCount(self.words + other.words, self.sentences + other.sentences, self.long_words + other.long_words)

    def as_dict(self) -> dict:
        return {
            "lix": round(self.lix, 1),
            "band": self.band,
            "words": self.words,
            "sentences": self.sentences,
            "long_words": self.long_words,
        }


EMPTY = LixCount(0, 0, 0)


def count(sentences: Iterable[Sentence], long_word_min_letters: int = 7) -> LixCount:
    words = sents = long = 0
    for sentence in sentences:
        tokens = [t for t in sentence.tokens if t.is_word]
        if not tokens:
            continue
        sents += 1
        words += len(tokens)
        long += sum(1 for t in tokens if t.letters >= long_word_min_letters)
    return LixCount(words, sents, long)


# --- what LIX is measured on ---------------------------------------------------------------


def sections_of(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.section, []).append(unit)
    return list(groups.items())


def is_sentence_item(text: str) -> bool:
    return text.rstrip().rstrip("\"»”’)").endswith((".", "!", "?", "…"))


def lix_sample(units: list[Unit], config: Config) -> list[Unit]:
    """The units LIX is computed on: running prose, not headings, contact box or lists of facts."""
    cfg = config.lix
    out = []
    for unit in units:
        if unit.kind in cfg.exclude_kinds or set(cfg.exclude_roles).intersection(unit.roles):
            continue
        if unit.kind == "list_item":
            if cfg.list_items == "none" or (cfg.list_items == "sentences" and not is_sentence_item(unit.text)):
                continue
        out.append(unit)
    return out


def lix_counts(doc: Document, config: Config) -> tuple[LixCount, list[tuple[str, LixCount]]]:
    """LIX for the whole document and for each section, on the LIX sample."""
    sample = lix_sample(doc.units, config)
    n = config.lix.long_word_min_letters
    total = count((s for u in sample for s in u.analysis.sentences), n)  # type: ignore[union-attr]
    sections = [
        (name, count((s for u in units for s in u.analysis.sentences), n))  # type: ignore[union-attr]
        for name, units in sections_of(sample)
    ]
    return total, sections
