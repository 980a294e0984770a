"""The rule engines: how a loaded rule finds problems in a document's units.

Four kinds, after Vale and prh, kept flat so communications staff can write them:

- ``substitution``: a word or phrase with a plainer replacement (såfremt -> hvis).
- ``existence``: a word, phrase or pattern that should not be there (De/Dem/Deres, § 31).
- ``sequence``: a run of words described by simple conditions (bliver + participle).
- ``metric``: a number per sentence, paragraph, section or letter (words, LIX) against a limit.

Patterns are literal text unless written ``/like this/``; whole-word matching uses
``(?<!\\w)`` and ``(?!\\w)``, which know that æ, ø and å are letters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .findings import Hit
from . import lix as lixmod
from .lix import lix_sample, sections_of
from .patterns import Exceptions, capitalise, compile_alternation, format_message, is_regex, number_text, quote_list
from .schema import Config, Existence, Metric, RuleBase, Sequence, Step, Substitution
from .text import Sentence, Token
from .units import Document, Location, Unit


@dataclass
class Context:
    """What every rule may look at besides the document: config and vocabularies."""

    config: Config
    vocab: dict[str, set[str]]
    accept: Exceptions = field(default_factory=lambda: Exceptions(()))
    terms: list = field(default_factory=list)  # schema.Term entries of termer.yml


class CompiledRule:
    def __init__(self, spec: RuleBase, ctx: Context):
        self.spec = spec
        self.id = spec.id
        self.level = ctx.config.levels.get(spec.id, spec.level)
        exclude = spec.exclude_roles if spec.exclude_roles is not None else ctx.config.default_exclude_roles
        self.exclude_roles = set(exclude)
        self.only_roles = set(spec.only_roles)
        self.scope = set(spec.scope)
        self.ctx = ctx

    def applies(self, unit: Unit) -> bool:
        if unit.kind not in self.scope:
            return False
        if self.only_roles and not self.only_roles.intersection(unit.roles):
            return False
        return not self.exclude_roles.intersection(unit.roles)

    def units(self, doc: Document) -> Iterator[Unit]:
        return (u for u in doc.units if self.applies(u))

    def candidates(self, unit):
        """Matches of ``self.regex`` in a unit that are not excepted, accepted, or (unless the
        rule includes it) text from the case data."""
        for m in self.regex.finditer(unit.text):
            text = m.group()
            if text in self.exceptions or self.accepted(text):
                continue
            if not self.spec.include_data and unit.is_data(m.start()):
                continue
            yield m

    def accepted(self, text: str) -> bool:
        return self.spec.use_vocabulary and text in self.ctx.accept

    def hit(self, unit: Unit, start: int, end: int, message: str, **kw) -> Hit:
        return Hit(self.id, kw.pop("level", self.level), message, unit.locate(start), unit=unit, span=(start, end), **kw)

    def check(self, doc: Document) -> list[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


class SubstitutionRule(CompiledRule):
    spec: Substitution

    def __init__(self, spec: Substitution, ctx: Context):
        super().__init__(spec, ctx)
        keys = sorted(spec.swap, key=len, reverse=True)  # longest first: "i henhold til" beats "henhold"
        self.keys = keys
        self.suggestions = [[s] if isinstance(s, str) else list(s) for s in (spec.swap[k] for k in keys)]
        self.regex = compile_alternation(keys, case_sensitive=spec.case_sensitive, whole_words=spec.whole_words, named=True)
        self.exceptions = Exceptions(spec.exceptions, spec.case_sensitive)

    def check(self, doc: Document) -> list[Hit]:
        hits = []
        for unit in self.units(doc):
            for m in self.candidates(unit):
                text = m.group()
                index = int(m.lastgroup[1:]) if m.lastgroup else 0
                options = self.suggestions[index]
                if self.spec.keep_case and text[:1].isupper():
                    options = [capitalise(o) for o in options]
                values = {"match": text, "suggestion": options[0], "suggestions": quote_list(options)}
                hits.append(self.hit(unit, m.start(), m.end(), format_message(self.spec.message, values), match=text, suggestions=tuple(options)))
        return hits


class ExistenceRule(CompiledRule):
    spec: Existence

    def __init__(self, spec: Existence, ctx: Context):
        super().__init__(spec, ctx)
        patterns = list(spec.tokens)
        for name in spec.words_from:
            patterns.extend(sorted(ctx.vocab[name], key=len, reverse=True))
        patterns.sort(key=lambda p: (not is_regex(p), -len(p)))
        self.regex = compile_alternation(patterns, case_sensitive=spec.case_sensitive, whole_words=spec.whole_words)
        items = list(spec.exceptions)
        for name in spec.exceptions_from:
            items.extend(ctx.vocab[name])
        self.exceptions = Exceptions(items, spec.case_sensitive)

    def check(self, doc: Document) -> list[Hit]:
        hits = []
        for unit in self.units(doc):
            starts = _sentence_starts(unit) if self.spec.sentence_start != "any" else frozenset()
            for m in self.candidates(unit):
                text = m.group()
                at_start = m.start() in starts
                if (self.spec.sentence_start == "skip" and at_start) or (self.spec.sentence_start == "only" and not at_start):
                    continue
                values = {"match": text, "suggestion": self.spec.suggestion or ""}
                suggestions = (self.spec.suggestion,) if self.spec.suggestion else ()
                hits.append(self.hit(unit, m.start(), m.end(), format_message(self.spec.message, values), match=text, suggestions=suggestions))
        return hits


def _sentence_starts(unit: Unit) -> frozenset[int]:
    assert unit.analysis is not None
    starts = set()
    for sentence in unit.analysis.sentences:
        first = next((t for t in sentence.tokens if t.kind not in ("punct",) or t.text not in "\"»“'(-–"), None)
        starts.add(first.start if first else sentence.start)
    return frozenset(starts)


class _CompiledStep:
    def __init__(self, step: Step, vocab: dict[str, set[str]]):
        self.words = {w.lower() for w in step.one_of}
        for name in step.words_from:
            self.words |= vocab[name]
        self.ends = tuple(e.lower() for e in step.ends_with)
        self.not_ends = tuple(e.lower() for e in step.not_ends_with)
        self.min_letters = step.min_letters
        self.excluded = {w.lower() for w in step.not_}
        for name in step.not_from:
            self.excluded |= vocab[name]

    def matches(self, token: Token) -> bool:
        word = token.text.lower()
        if self.words and word not in self.words:
            return False
        if self.ends and not word.endswith(self.ends):
            return False
        if self.not_ends and word.endswith(self.not_ends):
            return False
        if token.letters < self.min_letters:
            return False
        return word not in self.excluded


class SequenceRule(CompiledRule):
    spec: Sequence

    def __init__(self, spec: Sequence, ctx: Context):
        super().__init__(spec, ctx)
        self.alternatives = [[_CompiledStep(s, ctx.vocab) for s in seq] for seq in spec.match_any]
        self.exceptions = Exceptions(spec.exceptions)

    def check(self, doc: Document) -> list[Hit]:
        hits = []
        for unit in self.units(doc):
            assert unit.analysis is not None
            taken: set[int] = set()
            for sentence in unit.analysis.sentences:
                for run in _word_runs(unit.text, sentence):
                    for steps in self.alternatives:
                        for i in range(len(run)):
                            end = self._match(run, i, steps)
                            if end is None or run[i].start in taken:
                                continue
                            start_c, end_c = run[i].start, run[end].end
                            text = unit.text[start_c:end_c]
                            if text in self.exceptions or self.accepted(text):
                                continue
                            if not self.spec.include_data and unit.is_data(start_c):
                                continue
                            taken.add(start_c)
                            message = format_message(self.spec.message, {"match": text})
                            hits.append(self.hit(unit, start_c, end_c, message, match=text))
        return hits

    def _match(self, run: list[Token], i: int, steps: list[_CompiledStep]) -> int | None:
        if not steps[0].matches(run[i]):
            return None
        pos = i
        for step in steps[1:]:
            for j in range(pos + 1, min(len(run), pos + 2 + self.spec.gap)):
                if step.matches(run[j]):
                    pos = j
                    break
            else:
                return None
        return pos


def _word_runs(text: str, sentence: Sentence) -> Iterator[list[Token]]:
    """Stretches of words not interrupted by punctuation (a sequence never crosses a comma)."""
    run: list[Token] = []
    prev: Token | None = None
    for tok in sentence.tokens:
        if tok.kind in ("word", "abbr") and (prev is None or not text[prev.end : tok.start].strip()):
            run.append(tok)
        else:
            if run:
                yield run
            run = [tok] if tok.kind in ("word", "abbr") else []
        prev = tok
    if run:
        yield run


class MetricRule(CompiledRule):
    spec: Metric

    def __init__(self, spec: Metric, ctx: Context):
        super().__init__(spec, ctx)
        self.words_regex = (
            compile_alternation(spec.words, case_sensitive=False, whole_words=False) if spec.words else None
        )
        items = list(spec.exceptions)
        for name in spec.exceptions_from:
            items.extend(ctx.vocab[name])
        self.exceptions = Exceptions(items)
        self.openers = {o.lower() for o in spec.openers}

    # measures over sentences
    def _sentence_value(self, unit: Unit, sentence: Sentence) -> tuple[float, str | None]:
        measure = self.spec.measure
        if measure == "words":
            return len(sentence.words), None
        if measure == "characters":
            return sentence.end - sentence.start, None
        if measure == "matching_words":
            found = self._matching(sentence.tokens)
            return len(found), ", ".join(found)
        if measure == "fronted_clause":
            words = sentence.words
            if not words or words[0].text.lower() not in self.openers:
                return 0, None
            comma = next((t for t in sentence.tokens if t.text == ","), None)
            return (comma.start - sentence.start if comma else 0), None
        if measure == "sentences":
            return 1, None
        if measure == "lix":
            c = lixmod.count([sentence], self.ctx.config.lix.long_word_min_letters)
            return c.lix, None
        raise AssertionError(measure)

    def _matching(self, tokens: Iterable[Token]) -> list[str]:
        assert self.words_regex is not None
        return [t.text for t in tokens if t.kind == "word" and self.words_regex.fullmatch(t.text) and t.text not in self.exceptions and not self.accepted(t.text)]

    def _group_value(self, units: list[Unit]) -> tuple[float, str | None, int]:
        sentences = [s for u in units for s in u.analysis.sentences]  # type: ignore[union-attr]
        words = sum(len(s.words) for s in sentences)
        measure = self.spec.measure
        if measure == "words":
            return words, None, words
        if measure == "sentences":
            return len(sentences), None, words
        if measure == "characters":
            return sum(len(u.text) for u in units), None, words
        if measure == "lix":
            c = lixmod.count(sentences, self.ctx.config.lix.long_word_min_letters)
            return c.lix, None, c.words
        if measure == "matching_words":
            found = self._matching(t for s in sentences for t in s.tokens)
            return len(found), ", ".join(found), words
        if measure == "fronted_clause":
            values = [self._sentence_value(u, s)[0] for u in units for s in u.analysis.sentences]  # type: ignore[union-attr]
            return max(values, default=0), None, words
        raise AssertionError(measure)

    def _grade(self, value: float) -> str | None:
        spec = self.spec
        if spec.max is not None and value > spec.max:
            if spec.error_max is not None and value > spec.error_max:
                return "error"
            return self.level
        if spec.min is not None and value < spec.min:
            return self.level
        return None

    def _hit(self, unit: Unit | None, location: Location, value: float, match: str | None, words: int, span=None) -> Hit | None:
        level = self._grade(value)
        if level is None:
            return None
        values = {
            "value": number_text(value),
            "max": number_text(self.spec.max),
            "min": number_text(self.spec.min),
            "band": lixmod.band(value),
            "match": match or "",
            "words": words,
        }
        return Hit(self.id, level, format_message(self.spec.message, values), location, match=match, value=value, unit=unit, span=span)

    def check(self, doc: Document) -> list[Hit]:
        per = self.spec.per
        hits: list[Hit | None] = []
        if self.spec.measure == "lix" and per in ("letter", "section"):
            pool = [u for u in lix_sample(doc.units, self.ctx.config) if self.applies_lix(u)]
        else:
            pool = list(self.units(doc))
        if per == "sentence":
            for unit in pool:
                for sentence in unit.analysis.sentences:  # type: ignore[union-attr]
                    if len(sentence.words) < self.spec.min_words:
                        continue
                    value, match = self._sentence_value(unit, sentence)
                    shown = match or _shorten(unit.text[sentence.start : sentence.end])
                    hits.append(self._hit(unit, unit.locate(sentence.start), value, shown, len(sentence.words), (sentence.start, sentence.end)))
        elif per == "paragraph":
            for unit in pool:
                value, match, words = self._group_value([unit])
                if words >= self.spec.min_words:
                    hits.append(self._hit(unit, unit.locate(0), value, match or _shorten(unit.text), words, (0, len(unit.text))))
        elif per == "section":
            for _name, units in sections_of(pool):
                value, match, words = self._group_value(units)
                if words >= self.spec.min_words:
                    hits.append(self._hit(units[0], units[0].locate(0), value, match, words))
        else:
            if pool:
                value, match, words = self._group_value(pool)
                if words >= self.spec.min_words:
                    hits.append(self._hit(None, doc.anchor, value, match, words))
        return [h for h in hits if h is not None]

    def applies_lix(self, unit: Unit) -> bool:
        # The LIX sample decides kinds; the rule may still narrow roles.
        if self.only_roles and not self.only_roles.intersection(unit.roles):
            return False
        return not self.exclude_roles.intersection(unit.roles)


def _shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


ENGINES = {"substitution": SubstitutionRule, "existence": ExistenceRule, "sequence": SequenceRule, "metric": MetricRule}


def compile_rule(spec: RuleBase, ctx: Context) -> CompiledRule:
    return ENGINES[spec.type](spec, ctx)  # type: ignore[attr-defined]
