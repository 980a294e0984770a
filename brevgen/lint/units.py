"""What the lint reads: a letter (or any text) as units of text that know where they came from.

A unit is one heading, paragraph, list item or table cell (or the subject line). It carries
its kind, the roles of the sections around it, and a source map from every character to a
position: a template file:line:col, a value from the case data inserted at a template line,
or a line in a plain file. Rules never see the Letter itself; they see units, so a rule's
scope ("only in the body", "not in lovgrundlag") is a property of the unit, not a guess.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..letter import Heading, Letter, ListBlock, Paragraph, Run, Table
from .text import Analysis, Analyzer


@dataclass(frozen=True)
class Location:
    file: str | None
    line: int | None = None
    col: int | None = None
    origin: str = "file"  # template | partial | data | file | letter
    inserted_at: str | None = None  # for data: the template file:line that inserted it

    def where(self) -> str:
        parts = [self.file or "<tekst>"]
        if self.line:
            parts.append(str(self.line))
            if self.col:
                parts.append(str(self.col))
        return ":".join(parts)

    def origin_note(self) -> str | None:
        """Who can fix it: said in Danish next to the finding."""
        if self.origin == "data":
            return "sagens data"
        if self.origin == "partial":
            return "fælles del"
        return None


@dataclass(frozen=True)
class Segment:
    """``text[start:end]`` of a unit came from here."""

    start: int
    end: int
    file: str | None
    line: int | None
    col: int | None  # column of ``start``; None when unknown
    origin: str
    inserted_at: str | None = None
    exact: bool = True  # False: every character maps to ``col`` (data values, html)


@dataclass
class Unit:
    text: str
    kind: str  # subject | heading | body | list_item | table_cell
    roles: tuple[str, ...] = ()
    section: str = ""  # outermost role, or the heading above for plain files
    segments: list[Segment] = field(default_factory=list)
    analysis: Analysis | None = None

    def locate(self, offset: int) -> Location:
        if not self.segments:
            return Location(None)
        starts = [s.start for s in self.segments] if len(self.segments) > 1 else [0]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        seg = self.segments[i]
        col = seg.col
        if col is not None and seg.exact:
            col += max(0, offset - seg.start)
        return Location(seg.file, seg.line, col, seg.origin, seg.inserted_at)

    def is_data(self, offset: int) -> bool:
        return self.locate(offset).origin == "data"


@dataclass
class Document:
    """Units in reading order plus where letter-level findings are anchored."""

    units: list[Unit]
    anchor: Location
    name: str = ""  # what a person calls it: an example case, a file
    event: str | None = None
    facts: Any = None  # brevgen.letter.Facts of the case behind a composed letter; None for a file

    def analyse(self, analyzer: Analyzer) -> Document:
        for unit in self.units:
            if unit.analysis is None:
                unit.analysis = analyzer.analyse(unit.text)
        return self


# --- building units from a Letter -------------------------------------------------------------

SourceLines = Callable[[str], list[str] | None]
"""template name -> the file's lines (for columns); None when unknown."""


class _TemplatePlacer:
    """Finds the column of each run in its template line, left to right."""

    def __init__(self, source_lines: SourceLines | None, display: Callable[[str], str]):
        self.source_lines = source_lines
        self.display = display
        self.cursor: dict[tuple[str, int], int] = {}

    def segment(self, run: Run, start: int, end: int, text: str) -> Segment:
        origin = run.origin
        if not origin.template:
            return Segment(start, end, None, None, None, "letter", exact=False)
        name, line = origin.template, origin.line or 1
        kind = "data" if origin.kind == "data" else ("partial" if name.startswith("partials/") else "template")
        source = self._line(name, line)
        col: int | None = None
        if source is not None:
            key = (name, line)
            if kind == "data":
                found = source.find("{{")
                col = found + 1 if found >= 0 else 1
            else:
                probe = text.strip()[:24]
                lead = len(text) - len(text.lstrip())
                found = source.find(probe, self.cursor.get(key, 0)) if probe else -1
                if found < 0 and probe:
                    found = source.find(probe)
                if found >= 0:
                    self.cursor[key] = found + len(probe)
                    col = found + 1 - lead
                else:
                    col = 1
        inserted = f"{self.display(name)}:{line}" if kind == "data" else None
        return Segment(start, end, self.display(name), line, col, kind, inserted, exact=kind != "data" and col is not None)

    def _line(self, name: str, line: int) -> str | None:
        if self.source_lines is None:
            return None
        lines = self.source_lines(name)
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]


def _runs_unit(runs: Iterable[Run], kind: str, roles: tuple[str, ...], placer: _TemplatePlacer) -> Unit | None:
    """Join runs into one unit text: whitespace collapsed, <br> kept as a line break."""
    text: list[str] = []
    segments: list[Segment] = []
    for run in runs:
        piece: list[str] = []
        for ch in run.text:
            if ch == "\n":
                if text and text[-1] == " ":
                    text.pop()
                elif piece and piece[-1] == " ":
                    piece.pop()
                if (piece and piece[-1] != "\n") or (not piece and text and text[-1] != "\n"):
                    piece.append("\n")
            elif ch.isspace():
                last = piece[-1] if piece else (text[-1] if text else "\n")
                if last not in (" ", "\n"):
                    piece.append(" ")
            else:
                piece.append(ch)
        if not piece:
            continue
        start = len(text)
        text.extend(piece)
        segments.append(placer.segment(run, start, len(text), "".join(piece)))
    joined = "".join(text)
    stripped = joined.rstrip()
    lead = len(joined) - len(joined.lstrip())
    if not stripped.strip():
        return None
    if lead:
        joined = joined[lead:]
        segments = [
            Segment(max(0, s.start - lead), max(0, s.end - lead), s.file, s.line, s.col, s.origin, s.inserted_at, s.exact)
            for s in segments
            if s.end > lead
        ]
    joined = joined.rstrip()
    roles_t = tuple(roles)
    return Unit(joined, kind, roles_t, roles_t[0] if roles_t else "", segments)


def letter_document(
    letter: Letter,
    *,
    source_lines: SourceLines | None = None,
    display: Callable[[str], str] = lambda name: name,
    subject_location: Location | None = None,
    anchor: Location | None = None,
    name: str = "",
) -> Document:
    """The lintable units of a composed Letter (the address block and letterhead are not linted)."""
    placer = _TemplatePlacer(source_lines, display)
    units: list[Unit] = []
    subject = letter.meta.subject.strip()
    if subject:
        loc = subject_location or Location(None, origin="template")
        units.append(Unit(subject, "subject", (), "", [Segment(0, len(subject), loc.file, loc.line, loc.col, loc.origin, exact=False)]))
    for roles, block in letter.walk():
        if isinstance(block, Heading):
            pieces = [("heading", block.runs)]
        elif isinstance(block, Paragraph):
            pieces = [("body", block.runs)]
        elif isinstance(block, ListBlock):
            pieces = [("list_item", item) for item in block.items]
        elif isinstance(block, Table):
            rows = [block.header, *block.rows] if block.header else list(block.rows)
            pieces = [("table_cell", cell) for row in rows for cell in row]
        else:  # pragma: no cover - walk() never yields sections
            continue
        for kind, runs in pieces:
            unit = _runs_unit(runs, kind, roles, placer)
            if unit is not None:
                units.append(unit)
    return Document(units, anchor or Location(None, origin="letter"), name=name, event=letter.meta.event, facts=letter.meta.facts)


def plain_unit(text: str, kind: str = "body", roles: tuple[str, ...] = (), file: str | None = None, line: int = 1) -> Unit:
    """A unit from bare text (rule examples, tests); columns count from 1."""
    return Unit(text, kind, roles, roles[0] if roles else "", [Segment(0, len(text), file, line, 1, "file")])


__all__ = ["Document", "Location", "Segment", "Unit", "letter_document", "plain_unit"]
