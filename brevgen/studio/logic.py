"""Letter logic the studio checks until brevgen's lint has its own letter-logic rules (issue 13).

A letter that asks the impossible is wrong even when every sentence is plain Danish. The one
rule here: a call-by deadline ("ring senest ... kl. 18.00") must fall inside the phone hours
the letter gives, on a working day, or nobody answers. The studio shows the finding in the same
panel as the lint's (grouped by level, quoting the sentence, linked to the line), so when the
lint gains letter-logic rules they appear there by themselves and this module can go.

Pure: text and phone hours in, findings with character offsets out. The engine adapter maps the
offsets to template lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)

RULE_ID = "BL01"
RULE_TITLE = "Ring senest uden for telefontiden"

_CALL = re.compile(r"(?<!\w)ring(?:e|er)?(?!\w)", re.I)
_BY = re.compile(r"(?<!\w)(?:senest|inden)(?!\w)", re.I)
_TIME = re.compile(r"(?<!\w)kl\.\s*(?P<h>\d{1,2})[.:](?P<m>\d{2})(?!\d)")
_DATE = re.compile(r"(?P<d>\d{1,2})\.\s*(?P<month>" + "|".join(MONTHS) + r")\s+(?P<y>\d{4})", re.I)
_WEEKDAY = re.compile(r"(?<!\w)(?P<day>" + "|".join(WEEKDAYS) + r")(?!\w)", re.I)


@dataclass(frozen=True)
class PhoneHours:
    days: frozenset[int]  # 0 = Monday
    opens: dt.time
    closes: dt.time
    text: str  # as the letter says it: "mandag til torsdag kl. 9.00-10.30"


@dataclass(frozen=True)
class LogicFinding:
    rule_id: str
    level: str
    message: str
    start: int  # offsets in the text that was checked
    end: int


def parse_days(text: str) -> frozenset[int]:
    """ "mandag til torsdag", "mandag, onsdag og fredag", "hverdage" -> weekday numbers.

    Text it cannot read counts as every working day, so an odd wording never invents a finding.
    """
    lowered = text.lower()
    if "hverdag" in lowered:
        return frozenset(range(5))
    found = [m for m in _WEEKDAY.finditer(lowered)]
    if not found:
        return frozenset(range(5))
    days: set[int] = set()
    i = 0
    while i < len(found):
        a = WEEKDAYS.index(found[i].group("day"))
        between = lowered[found[i].end() : found[i + 1].start()] if i + 1 < len(found) else ""
        if i + 1 < len(found) and re.fullmatch(r"\s*(?:til|-|–)\s*", between):
            b = WEEKDAYS.index(found[i + 1].group("day"))
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
            i += 2
        else:
            days.add(a)
            i += 1
    return frozenset(days)


def _clock(t: dt.time) -> str:
    return f"{t.hour}.{t.minute:02d}"


def call_deadlines(
    sentences: Iterable[tuple[int, int, str]],
    hours: list[PhoneHours],
    is_working_day: Callable[[dt.date], bool] = lambda d: d.weekday() < 5,
) -> list[LogicFinding]:
    """Findings for sentences that ask the reader to call by a time no one answers the phone.

    ``sentences``: (start, end, text) of each sentence, offsets in the checked text.
    """
    if not hours:
        return []
    found: list[LogicFinding] = []
    for start, _end, text in sentences:
        if not (_CALL.search(text) and _BY.search(text)):
            continue
        for tm in _TIME.finditer(text):
            try:
                at = dt.time(int(tm.group("h")), int(tm.group("m")))
            except ValueError:
                continue
            before = text[: tm.start()]
            dates = list(_DATE.finditer(before))
            day: dt.date | None = None
            weekday: int | None = None
            if dates:
                d = dates[-1]
                try:
                    day = dt.date(int(d.group("y")), MONTHS.index(d.group("month").lower()) + 1, int(d.group("d")))
                    weekday = day.weekday()
                except ValueError:
                    day = None
            if weekday is None and (names := list(_WEEKDAY.finditer(before))):
                weekday = WEEKDAYS.index(names[-1].group("day").lower())
            begin = dates[-1].start() if dates else tm.start()
            lead = re.search(r"(?:(?:" + "|".join(WEEKDAYS) + r")\s+den\s+)$", text[:begin], re.I)
            if lead:
                begin = lead.start()
            when = text[begin : tm.end()]
            span = (start + begin, start + tm.end())
            if day is not None and not is_working_day(day):
                found.append(LogicFinding(RULE_ID, "error", f"Borgeren skal ringe senest {when}, men det er ikke en hverdag. Vælg en hverdag i telefontiden.", *span))
                continue
            windows = [h for h in hours if weekday is None or weekday in h.days]
            if not any(h.opens <= at <= h.closes for h in windows):
                said = " og ".join(dict.fromkeys(h.text for h in hours))
                found.append(
                    LogicFinding(
                        RULE_ID,
                        "error",
                        f"Borgeren skal ringe senest {when}, men telefontiden er {said}. Ingen tager telefonen kl. {_clock(at)}. Vælg et tidspunkt i telefontiden.",
                        *span,
                    )
                )
    return found
