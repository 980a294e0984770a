"""One word per concept, and every legal term explained where it is first used.

``plain_language_rules/termer.yml`` lists each concept's word, the synonyms letters must not
use for it and, for legal terms (the glossary), a plain explanation and the words that show
the letter explains it. Two rule files use it (``type: terminology``):

- ``check: one_word``: a banned synonym stands in the letter ("jobsamtale" for "samtale").
- ``check: explained``: the first use of a legal term (in reading order, outside the rule's
  excluded sections) has no explanation in the same paragraph, the one before or after, or
  elsewhere in the same part of the letter (under the same heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engines import CompiledRule, Context
from .findings import Hit
from .patterns import compile_alternation, format_message, pattern_source
from .schema import Term, Terminology
from .units import Document


@dataclass
class CompiledTerm:
    term: Term
    uses: re.Pattern  # the term in any form
    banned: re.Pattern | None
    explains: re.Pattern | None


def compile_term(term: Term) -> CompiledTerm:
    forms = term.forms or [f"/{pattern_source(term.term)}[^\\W\\d_]*/"]
    banned = [f"/{pattern_source(b)}[^\\W\\d_]*/" if not b.startswith("/") else b for b in term.banned]
    return CompiledTerm(
        term,
        compile_alternation(forms, case_sensitive=False, whole_words=True),
        compile_alternation(banned, case_sensitive=False, whole_words=True) if banned else None,
        compile_alternation(term.explained_by, case_sensitive=False, whole_words=False) if term.explained_by else None,
    )


class TerminologyRule(CompiledRule):
    spec: Terminology

    def __init__(self, spec: Terminology, ctx: Context):
        super().__init__(spec, ctx)
        self.terms = [compile_term(t) for t in getattr(ctx, "terms", [])]

    def _values(self, term: Term, match: str) -> dict:
        return {"match": match, "term": term.term, "means": term.means, "explanation": term.explanation or ""}

    def check(self, doc: Document) -> list[Hit]:
        return self._one_word(doc) if self.spec.check == "one_word" else self._explained(doc)

    def _one_word(self, doc: Document) -> list[Hit]:
        hits = []
        for unit in self.units(doc):
            for t in self.terms:
                if t.banned is None:
                    continue
                for m in t.banned.finditer(unit.text):
                    if self.accepted(m.group()) or (not self.spec.include_data and unit.is_data(m.start())):
                        continue
                    message = format_message(self.spec.message, self._values(t.term, m.group()))
                    hits.append(self.hit(unit, m.start(), m.end(), message, match=m.group(), suggestions=(t.term.term,)))
        return hits

    def _explained(self, doc: Document) -> list[Hit]:
        units = list(self.units(doc))
        hits = []
        for t in self.terms:
            if not t.term.legal or t.explains is None:
                continue
            for i, unit in enumerate(units):
                m = t.uses.search(unit.text)
                if m is None:
                    continue
                # The paragraph before, the one itself and the one after, and the part of the
                # letter it stands in (a text file wraps a paragraph over several lines).
                part = [u for u in units if unit.section and u.section == unit.section]
                near = "\n".join(u.text for u in [*units[max(0, i - 1) : i + 2], *part])
                if not t.explains.search(near):
                    message = format_message(self.spec.message, self._values(t.term, m.group()))
                    hits.append(self.hit(unit, m.start(), m.end(), message, match=m.group()))
                break  # only the first use must be explained
        return hits


ENGINES = {"terminology": TerminologyRule}
