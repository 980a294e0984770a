"""Letter logic: rules that check a letter against the facts of its case, not only its words.

A letter is a legal act. An instruction the citizen cannot carry out ("ring senest onsdag
kl. 12.00" to someone who answers the phone on Tuesdays and Thursdays), two sentences that
contradict each other, or a text that does not fit the case ("kom til samtalen" in a phone
summons) is a defect as real as officialese. The composed Letter carries structured
:class:`~brevgen.letter.Facts` (benefit, meeting mode, the contacts with the phone hours it
prints, the deadlines and what they serve); these rules read the text and the facts together.

Three kinds of rule file use this module:

- ``when:`` on any rule: the rule only applies to letters whose case has those facts.
- ``contradiction``: two statements that must not stand in the same letter.
- ``logic``: one of a fixed set of checks (``check:``), see :class:`brevgen.lint.schema.Logic`.
- ``rare_words``: words a reader seldom meets, by wordfreq's Danish frequency list.

Facts in rule-file examples are written the way a case file is (see :func:`facts_from_example`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from .. import workdays
from ..casedata import parse_weekdays, weekdays_text
from ..formatting import clock, long_date
from ..letter import Contact, Deadline, Facts, PhoneTime
from .engines import CompiledRule, Context
from .findings import Hit
from .patterns import Exceptions, compile_alternation, format_message
from .schema import Contradiction, Logic, RareWords, RuleBase
from .units import Document, Location, Unit

# --- facts -------------------------------------------------------------------------------------


def when_matches(when: dict[str, Any], facts: Facts | None) -> bool:
    """Whether a rule's ``when`` holds for a letter's facts (never for a text without facts)."""
    if not when:
        return True
    if facts is None:
        return False
    known = facts.conditions()
    for key, wanted in when.items():
        have = known.get(key)
        options = wanted if isinstance(wanted, list) else [wanted]
        if not any(_same(have, option) for option in options):
            return False
    return True


def _same(have: Any, option: Any) -> bool:
    if isinstance(option, bool) or isinstance(have, bool):
        return have is option or have == option
    if option is None:
        return have is None
    return str(have) == str(option)


_HOURS = re.compile(r"^(?P<days>.+?)\s+(?:kl\.\s*)?(?P<o>\d{1,2}[.:]\d{2})\s*(?:-|–|til)\s*(?P<c>\d{1,2}[.:]\d{2})$")


def _time(text: str) -> dt.time:
    h, m = re.split(r"[.:]", text)
    return dt.time(int(h), int(m))


def _when(value: Any) -> dt.date | dt.datetime:
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    text = str(value)
    return dt.datetime.fromisoformat(text) if "T" in text or " " in text.strip() else dt.date.fromisoformat(text)


def phone_time(text: str) -> PhoneTime:
    """``"tirsdag og torsdag 9.00-11.00"`` -> PhoneTime (the form rule-file examples use)."""
    match = _HOURS.match(" ".join(text.split()))
    if not match:
        raise ValueError(f"telefontiden '{text}' kan ikke læses. Skriv fx \"mandag til torsdag 9.00-12.00\"")
    return PhoneTime(parse_weekdays(match.group("days")), _time(match.group("o")), _time(match.group("c")))


def facts_from_example(data: dict[str, Any]) -> Facts:
    """Facts written in a rule file's example, e.g.::

        facts:
          letter_date: 2026-02-09
          benefit: kontanthjælp
          mode: telefon
          income: løn                         # anything else is a condition for 'when'
          contacts:
            - {name: Mette Kjær, phone: "46 11 22 33", hours: ["mandag til fredag 8.30-10.00"], writes: true}
          moments: {samtalen: 2026-02-19T11:00}
          deadlines:
            - {key: cancel_by, at: 2026-02-18T12:00, field: cancel_by, serves: samtalen, contact: mette}
    """
    data = dict(data)
    contacts = []
    for i, c in enumerate(data.pop("contacts", []) or []):
        hours = tuple(phone_time(h) for h in c.get("hours", []) or [])
        contacts.append(
            Contact(
                key=str(c.get("key", f"kontakt{i + 1}")),
                name=str(c["name"]),
                phone=str(c["phone"]) if c.get("phone") else None,
                hours=hours,
                hours_field=c.get("hours_field", "caseworker.phone_hours" if hours else None),
                writes=bool(c.get("writes", False)),
                us=bool(c.get("us", True)),
            )
        )
    deadlines = tuple(
        Deadline(str(d["key"]), str(d.get("what", d["key"])), _when(d["at"]), str(d.get("field", d["key"])), d.get("serves"), d.get("contact"))
        for d in data.pop("deadlines", []) or []
    )
    moments = tuple(sorted((str(k), _when(v)) for k, v in (data.pop("moments", {}) or {}).items()))
    letter_date = _when(data.pop("letter_date", "2026-01-05"))
    return Facts(
        event=str(data.pop("event", "eksempel")),
        letter_date=letter_date if not isinstance(letter_date, dt.datetime) else letter_date.date(),
        benefit=data.pop("benefit", None),
        mode=data.pop("mode", None),
        values=tuple(sorted(data.items())),
        contacts=tuple(contacts),
        deadlines=deadlines,
        moments=moments,
    )


# --- dates in Danish text ------------------------------------------------------------------------

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december")
_DATE = re.compile(
    r"(?:(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\s+den\s+)?"
    r"(?P<d>\d{1,2})\.\s+(?P<m>" + "|".join(MONTHS) + r")\s+(?P<y>\d{4})"
    r"(?:\s+kl\.\s+(?P<h>\d{1,2})[.:](?P<min>\d{2}))?",
    re.IGNORECASE,
)


def printed_dates(text: str) -> Iterator[tuple[int, int, dt.date | dt.datetime]]:
    """Every date (with its time, when "kl." follows) printed in a text, with its span."""
    for m in _DATE.finditer(text):
        try:
            day = dt.date(int(m.group("y")), MONTHS.index(m.group("m").lower()) + 1, int(m.group("d")))
        except ValueError:
            continue
        if m.group("h") is not None:
            yield m.start(), m.end(), dt.datetime.combine(day, dt.time(int(m.group("h")), int(m.group("min"))))
        else:
            yield m.start(), m.end(), day


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def said(value: dt.date | dt.datetime) -> str:
    """A deadline as the letter prints it."""
    if isinstance(value, dt.datetime):
        return f"{long_date(value)} {clock(value)}"
    return long_date(value)


def hours_said(contact: Contact) -> str:
    if not contact.hours:
        return "ingen telefontid i brevet"
    return "; ".join(f"{weekdays_text(h.weekdays)} {clock(h.opens)} til {clock(h.closes)[4:]}" for h in contact.hours)


# --- rule kinds --------------------------------------------------------------------------------


def _sentences(unit: Unit) -> Iterator[tuple[int, int, str]]:
    assert unit.analysis is not None
    for sentence in unit.analysis.sentences:
        yield sentence.start, sentence.end, unit.text[sentence.start : sentence.end]


def _words(words: Iterable[str]) -> re.Pattern:
    return compile_alternation(list(words), case_sensitive=False, whole_words=True)


class ContradictionRule(CompiledRule):
    """Two statements that must not stand in one letter: the second is reported where it stands."""

    spec: Contradiction

    def __init__(self, spec: Contradiction, ctx: Context):
        super().__init__(spec, ctx)
        self.first = _words(spec.statement)
        self.second = _words(spec.contradicts)

    def check(self, doc: Document) -> list[Hit]:
        units = list(self.units(doc))
        first = next(((u, m) for u in units for m in self.first.finditer(u.text)), None)
        if first is None:
            return []
        hits = []
        for unit in units:
            for m in self.second.finditer(unit.text):
                other = first[1].group()
                if unit is first[0] and m.start() == first[1].start():
                    continue
                message = format_message(self.spec.message, {"match": m.group(), "other": other})
                hits.append(self.hit(unit, m.start(), m.end(), message, match=m.group()))
        return hits


@lru_cache(maxsize=1)
def _zipf():
    from wordfreq import zipf_frequency  # the Danish list ships inside the wordfreq package

    return lambda word: zipf_frequency(word, "da")


class RareWordsRule(CompiledRule):
    """Words a reader seldom meets. Names (a capital letter inside a sentence) are left out."""

    spec: RareWords

    def __init__(self, spec: RareWords, ctx: Context):
        super().__init__(spec, ctx)
        items = list(spec.exceptions)
        for name in spec.exceptions_from:
            items.extend(ctx.vocab[name])
        self.exceptions = Exceptions(items)

    # Inflections the frequency list often lacks ("tolken", "brevets", "arbejdsgiveren").
    ENDINGS = ("erne", "ene", "ens", "ets", "ers", "en", "et", "er", "es", "ne", "e", "s", "n", "t")

    @lru_cache(maxsize=4096)  # noqa: B019 (rules live as long as the process)
    def rare(self, word: str) -> float | None:
        zipf = _zipf()
        low = word.lower()
        value = zipf(low)
        if value >= self.spec.zipf_below:
            return None
        stems = [low] + [low[: -len(e)] for e in self.ENDINGS if low.endswith(e) and len(low) - len(e) >= 3]
        for stem in stems:
            if zipf(stem) >= self.spec.zipf_below or self._compound(stem, zipf):
                return None
        return value

    def _compound(self, word: str, zipf, depth: int = 0) -> bool:
        """Splits into known words, with or without a linking s or e ("oplysning-s-skema")."""
        least = self.spec.part_min_letters
        for i in range(least, len(word) - 2):  # a known tail may be short ("telefon|tid")
            head, tail = word[:i], word[i:]
            heads = [head] + ([head[:-1]] if head[-1] in "se" and len(head) > least else [])
            if not any(zipf(h) >= 3.0 for h in heads):
                continue
            if zipf(tail) >= self.spec.zipf_below + 1.0 or (depth < 1 and self._compound(tail, zipf, depth + 1)):
                return True
        return False

    def check(self, doc: Document) -> list[Hit]:
        hits = []
        for unit in self.units(doc):
            assert unit.analysis is not None
            for sentence in unit.analysis.sentences:
                words = [t for t in sentence.tokens if t.kind == "word"]
                for i, tok in enumerate(words):
                    if tok.letters < self.spec.min_letters or "-" in tok.text:
                        continue
                    if tok.text[:1].isupper() and (i > 0 or tok.text.isupper()):
                        continue  # a name or an abbreviation
                    if tok.text in self.exceptions or self.accepted(tok.text):
                        continue
                    if not self.spec.include_data and unit.is_data(tok.start):
                        continue
                    value = self.rare(tok.text)
                    if value is None:
                        continue
                    message = format_message(self.spec.message, {"match": tok.text, "value": f"{value:.1f}"})
                    hits.append(self.hit(unit, tok.start, tok.end, message, match=tok.text, value=value))
        return hits


class LogicRule(CompiledRule):
    """One of the letter logic checks (``check:``), run on the text and the case's facts."""

    spec: Logic

    def __init__(self, spec: Logic, ctx: Context):
        super().__init__(spec, ctx)
        self.call = _words(spec.call_words)
        self.write = _words(spec.write_words)
        self.us = _words(spec.us_words)
        self.deadline = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in spec.deadline_words) + r")\s+(?:den\s+)?", re.I)
        self.relative = [(_words([phrase]), moment) for phrase, moment in spec.relative.items()]
        self.statements = [(_words([s.says]), s.moment) for s in spec.statements]
        self.says = [_words(group) for group in spec.says]
        self.run = getattr(self, "_" + spec.check)

    def check(self, doc: Document) -> list[Hit]:
        if self.spec.check in ("call_deadline", "deadlines_in_time", "dates_agree") and doc.facts is None:
            return []  # a letter file without its case: nothing to check against
        return list(self.run(doc))

    def _hit(self, unit: Unit | None, span: tuple[int, int] | None, match: str, detail: str, field: str | None, doc: Document) -> Hit:
        message = format_message(self.spec.message, {"match": match, "detail": detail})
        where = unit.locate(span[0]) if unit is not None and span else doc.anchor
        return Hit(self.id, self.level, message, where, match=match, unit=unit, span=span, field=field or self.spec.field)

    # call_deadline ------------------------------------------------------------------------

    def _deadlines_in(self, text: str, facts: Facts) -> Iterator[tuple[int, int, dt.date | dt.datetime, str]]:
        """(start, end, when, kind) for "senest <date>" and relative phrases ("før samtalen begynder")."""
        for lead in self.deadline.finditer(text):
            m = _DATE.match(text, lead.end())
            if m is None:
                continue
            for start, end, when in printed_dates(text[m.start() : m.end()]):
                yield m.start() + start, m.start() + end, when, "by"
                break
        for pattern, moment in self.relative:
            at = facts.moment(moment)
            m = pattern.search(text)
            if m and isinstance(at, dt.datetime):
                yield m.start(), m.end(), at, "before"

    def _named(self, text: str, facts: Facts) -> list[Contact]:
        flat = " ".join(text.split())
        named = [c for c in facts.contacts if " ".join(c.name.split()) in flat or (c.phone and " ".join(c.phone.split()) in flat)]
        if named:
            return named
        return [c for c in facts.contacts if c.us]

    def _call_deadline(self, doc: Document) -> Iterator[Hit]:
        facts: Facts = doc.facts
        for unit in self.units(doc):
            for s_start, _s_end, text in _sentences(unit):
                if not self.call.search(text):
                    continue
                found = list(self._deadlines_in(text, facts))
                if not found:
                    continue
                named = self._named(text, facts)
                written = bool(self.write.search(text)) and any(c.writes for c in named)
                for start, end, when, kind in found:
                    if kind == "before":
                        ok = any(workdays.can_call_before(c.hours, when) for c in named)
                    elif isinstance(when, dt.datetime):
                        ok = any(workdays.can_call_at(c.hours, when) for c in named)
                    else:
                        ok = any(workdays.can_call_on(c.hours, when) for c in named)
                    if not ok and written:
                        ok = workdays.is_working_day(_day(when)) and _day(when) >= facts.letter_date
                    if ok:
                        continue
                    who = ", ".join(f"{c.name} ({hours_said(c)})" for c in named) or "ingen kontakt i brevet"
                    deadline = "før samtalen begynder, " + said(when) if kind == "before" else said(when)
                    detail = f"Fristen er {deadline}, men telefontiden er: {who}."
                    fact = next((d for d in facts.deadlines if d.at == when), None)
                    field = fact.field if fact is not None else (named[0].hours_field if named and named[0].hours_field else None)
                    yield self._hit(unit, (s_start + start, s_start + end), text[start:end], detail, field, doc)

    # deadline_dates -------------------------------------------------------------------------

    def _deadline_dates(self, doc: Document) -> Iterator[Hit]:
        facts: Facts | None = doc.facts
        for unit in self.units(doc):
            for lead in self.deadline.finditer(unit.text):
                m = _DATE.match(unit.text, lead.end())
                if m is None:
                    continue
                when = next(printed_dates(m.group()))[2]
                day = _day(when)
                why = workdays.why_not_working(day)
                detail = None
                if why:
                    detail = f"{said(day)} er {why}."
                elif facts is not None and day < facts.letter_date:
                    detail = f"{said(day)} ligger før brevets dato."
                if detail:
                    fact = next((d for d in facts.deadlines if _day(d.at) == day), None) if facts else None
                    yield self._hit(unit, (m.start(), m.end()), m.group(), detail, fact.field if fact else None, doc)

    # deadlines_in_time ------------------------------------------------------------------------

    def _printed_at(self, doc: Document, when: dt.date | dt.datetime) -> tuple[Unit | None, tuple[int, int] | None]:
        needle = " ".join(long_date(_day(when)).split())
        for unit in self.units(doc):
            i = " ".join(unit.text.split()).find(needle)
            if i >= 0:
                return unit, (i, i + len(needle))
        return None, None

    def _deadlines_in_time(self, doc: Document) -> Iterator[Hit]:
        facts: Facts = doc.facts
        for d in facts.deadlines:
            day = _day(d.at)
            problems = []
            why = workdays.why_not_working(day)
            if why:
                problems.append(f"{said(day)} er {why}")
            if day < facts.letter_date:
                problems.append("den ligger før brevets dato")
            served = facts.moment(d.serves) if d.serves else None
            if served is not None:
                late = d.at >= served if type(d.at) is type(served) else day >= _day(served)
                if late:
                    problems.append(f"den ligger ikke før {d.serves} ({said(served)})")
            contact = facts.contact(d.contact) if d.contact else None
            if contact is not None and contact.hours and not problems:
                first = facts.letter_date + dt.timedelta(days=1)
                days = [first + dt.timedelta(days=i) for i in range((day - first).days + 1)]
                if not any(workdays.can_call_on(contact.hours, x) for x in days):
                    problems.append(f"{contact.name} har ingen telefontid fra brevets dato til fristen ({hours_said(contact)})")
            if problems:
                unit, span = self._printed_at(doc, d.at)
                detail = f"Fristen for at {d.what} er {said(d.at)}, men " + "; ".join(problems) + "."
                yield self._hit(unit, span, said(d.at), detail, d.field, doc)

    # dates_agree ------------------------------------------------------------------------------

    def _dates_agree(self, doc: Document) -> Iterator[Hit]:
        facts: Facts = doc.facts
        for unit in self.units(doc):
            for s_start, _s_end, text in _sentences(unit):
                for pattern, moment in self.statements:
                    at = facts.moment(moment)
                    said_here = pattern.search(text) if at is not None else None
                    if said_here is None:
                        continue
                    for start, end, when in printed_dates(text):
                        if start < said_here.start():
                            continue  # the date the statement gives comes after its words
                        same = _day(when) == _day(at)
                        if same and isinstance(when, dt.datetime) and isinstance(at, dt.datetime):
                            same = when == at
                        if not same:
                            detail = f"Sagen siger {said(at)}."
                            yield self._hit(unit, (s_start + start, s_start + end), text[start:end], detail, None, doc)
                        break

    # before_signature -------------------------------------------------------------------------

    def _before_signature(self, doc: Document) -> Iterator[Hit]:
        signed = False
        reported: set[str] = set()
        for unit in doc.units:
            if self.spec.signature_role in unit.roles:
                signed = True
                continue
            if not signed or unit.kind == "subject":
                continue
            if set(unit.roles) & set(self.spec.after_signature):
                continue
            section = unit.section or (unit.roles[0] if unit.roles else "")
            if section in reported:
                continue
            reported.add(section)
            yield self._hit(unit, (0, min(len(unit.text), 60)), unit.text[:60], f"'{section or unit.text[:40]}' står efter underskriften.", None, doc)

    # must_say ---------------------------------------------------------------------------------

    def _must_say(self, doc: Document) -> Iterator[Hit]:
        units = [u for u in doc.units if set(u.roles) & set(self.spec.in_roles)]
        for group, pattern in zip(self.spec.says, self.says):
            if not any(pattern.search(u.text) for u in units):
                where = units[0] if units else None
                detail = f"Der mangler et af: {', '.join(repr(w) for w in group)}."
                yield self._hit(where, (0, 0) if where else None, "/".join(group), detail, None, doc)


ENGINES: dict[str, type[CompiledRule]] = {"contradiction": ContradictionRule, "rare_words": RareWordsRule, "logic": LogicRule}


def applies(rule: CompiledRule, doc: Document) -> bool:
    """A rule with ``when`` checks only letters whose case has those facts."""
    spec: RuleBase = rule.spec
    return when_matches(spec.when, doc.facts)


__all__ = ["ENGINES", "applies", "facts_from_example", "printed_dates", "when_matches", "Location"]
