"""The Letter: the one document model between composing and everything after it.

A Letter is metadata plus a list of blocks. Every piece of text is a :class:`Run` that
remembers where it came from: a line of a template file, or a value from the case data.
The required-content check and the lint use the blocks' ``role`` (set by the template)
and the runs' ``origin``; the renderers use only text, formatting and links. No renderer
reaches back into the case data or the templates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

from . import cpr
from .errors import LetterError


@dataclass(frozen=True)
class Origin:
    """Where a run of text came from."""

    kind: Literal["template", "data"]
    template: str | None = None  # template file, relative to the template folder
    line: int | None = None  # 1-based line in that file

    def __str__(self) -> str:
        if self.kind == "data":
            return "sagens data" + (f" (indsat i {self.template}:{self.line})" if self.template else "")
        return f"{self.template}:{self.line}"


@dataclass(frozen=True)
class Run:
    text: str
    origin: Origin
    bold: bool = False
    italic: bool = False
    href: str | None = None


Runs = tuple[Run, ...]


def runs_text(runs: Runs) -> str:
    return normalise_space("".join(r.text for r in runs))


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Heading:
    level: int
    runs: Runs
    source: Origin | None = None
    kind: str = "heading"

    @property
    def text(self) -> str:
        return runs_text(self.runs)


@dataclass(frozen=True)
class Paragraph:
    runs: Runs
    source: Origin | None = None
    kind: str = "paragraph"

    @property
    def text(self) -> str:
        return runs_text(self.runs)


@dataclass(frozen=True)
class ListBlock:
    items: tuple[Runs, ...]
    ordered: bool = False
    source: Origin | None = None
    kind: str = "list"


@dataclass(frozen=True)
class Table:
    header: tuple[Runs, ...]
    rows: tuple[tuple[Runs, ...], ...]
    source: Origin | None = None
    kind: str = "table"


@dataclass(frozen=True)
class Section:
    """A group of blocks with a role, e.g. ``hvad-skal-du-goere`` or ``kontakt``."""

    role: str
    blocks: tuple[Block, ...]
    source: Origin | None = None
    kind: str = "section"


Block = Union[Heading, Paragraph, ListBlock, Table, Section]


@dataclass(frozen=True)
class Party:
    """A name and postal address as printed in the letter head."""

    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Appointment:
    """A meeting the letter books: when, where or how, and with whom. No personal numbers.

    Times are aware (Europe/Copenhagen), so the calendar and Digital Post show the instant the
    letter prints."""

    start: dt.datetime
    end: dt.datetime
    summary: str  # "Samtale om job med Jobcenter Rudersdal": the calendar title
    location: str  # the address, or "Telefonmøde" / "Videomøde"
    details: str  # how to take part, in plain Danish
    organizer_name: str
    organizer_email: str
    url: str | None = None  # the video link, when there is one


@dataclass(frozen=True)
class SelfService:
    """A form the citizen must fill in online by a deadline (Digital Post's SELVBETJENING action)."""

    label: str  # "Udfyld oplysningsskemaet"
    url: str
    deadline: dt.date  # as the letter prints it


@dataclass(frozen=True)
class PhoneTime:
    """Phone hours as the letter prints them: weekdays (Monday is 0), from and to."""

    weekdays: tuple[int, ...]
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Contact:
    """Someone the letter tells the citizen to call or write to, as printed."""

    key: str  # caseworker | substitute | sender | a_kasse | provider
    name: str  # as the letter prints it ("Mette Kjær", "Jobcenter Rudersdal")
    phone: str | None = None  # as the letter prints it ("46 11 22 33")
    hours: tuple[PhoneTime, ...] = ()  # the phone hours the letter prints for it (none: unknown)
    hours_field: str | None = None  # the case field they come from ("caseworker.phone_hours")
    writes: bool = False  # the letter gives a way to write to it (e-mail, Digital Post)
    us: bool = True  # "ring til os" means this contact too


@dataclass(frozen=True)
class Deadline:
    """A date or time by which the citizen must act, as the letter prints it."""

    key: str  # "cancel_by", "answer_by", ...
    what: str  # in Danish, for messages: "flytte eller aflyse samtalen"
    at: dt.date | dt.datetime
    field: str  # the case field a caseworker changes when the deadline cannot be met
    serves: str | None = None  # the moment it must come before (a key of Facts.moments)
    contact: str | None = None  # the contact the citizen calls to meet it (a Contact key)


@dataclass(frozen=True)
class Facts:
    """What the letter logic checks need to know about the case, in structured form.

    Filled once in compose from the case and the event's ``facts`` hook. The lint's logic
    rules read it; renderers never do (they print the blocks, nothing else)."""

    event: str
    letter_date: dt.date
    benefit: str | None = None  # dagpenge | kontanthjælp | sygedagpenge
    mode: str | None = None  # fremmøde | telefon | video | selvbooking
    values: tuple[tuple[str, Any], ...] = ()  # more conditions for rules: income, offer_kind, ...
    contacts: tuple[Contact, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    moments: tuple[tuple[str, dt.date | dt.datetime], ...] = ()  # "samtalen" -> when it begins

    def conditions(self) -> dict[str, Any]:
        """Every fact a rule's ``when`` may test, by name."""
        return {"event": self.event, "benefit": self.benefit, "mode": self.mode, **dict(self.values)}

    def moment(self, key: str) -> dt.date | dt.datetime | None:
        return dict(self.moments).get(key)

    def contact(self, key: str) -> Contact | None:
        return next((c for c in self.contacts if c.key == key), None)


@dataclass(frozen=True)
class LetterMeta:
    event: str
    template_id: str
    template_version: str
    subject: str
    letter_date: dt.date
    case_ref: str
    sender_authority: str
    sender_unit: str
    sender_lines: tuple[str, ...]  # address, phone, web: printed in the sender block
    recipient: Party
    regime_id: str
    data_sha256: str
    brevgen_version: str
    title: str = ""  # the event's Danish name, "Tilbud om aktivering" (document properties)
    lang: str = "da"
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. "deadline moved past a holiday"
    # Derived once in compose, for the delivery formats (they never re-derive or read templates):
    reply_by: dt.date | None = None  # the answer deadline the letter prints (MeMo replyByDateTime)
    appointment: Appointment | None = None  # the meeting it books (.ics, MeMo AFTALE)
    self_service: SelfService | None = None  # a form to fill in by a deadline (MeMo SELVBETJENING)
    facts: Facts | None = None  # for the letter logic checks only; renderers never read it
    # The template set version (content hash, brevgen.versioning) the letter was composed from.
    template_set: str = ""
    # That set's folder: the renderers read its stylesheets and fonts (never its templates), so
    # a letter from a pinned version looks as it did. Not part of the stamp (a local path).
    template_root: Path | None = field(default=None, compare=False, repr=False)
    # Which kind of this letter it is (benefit, offer kind ...), for the citizen feedback counts.
    variant: str = ""
    feedback_url: str | None = None  # the short link the letter prints, when feedback is on

    def provenance(self) -> dict[str, str]:
        """The stamp every format carries in its metadata (never personal data)."""
        return {
            "brevgen-event": self.event,
            "brevgen-template": self.template_id,
            "brevgen-template-version": self.template_version,
            "brevgen-template-set": self.template_set,
            "brevgen-regime": self.regime_id,
            "brevgen-version": self.brevgen_version,
            "brevgen-data-sha256": self.data_sha256,
            "brevgen-case-ref": self.case_ref,
        }


@dataclass(frozen=True)
class Letter:
    meta: LetterMeta
    blocks: tuple[Block, ...]

    def walk(self) -> Iterator[tuple[tuple[str, ...], Block]]:
        """Every non-section block with the roles of the sections around it (outermost first)."""

        def visit(blocks: tuple[Block, ...], roles: tuple[str, ...]):
            for block in blocks:
                if isinstance(block, Section):
                    yield from visit(block.blocks, roles + (block.role,))
                else:
                    yield roles, block

        yield from visit(self.blocks, ())

    def sections(self, role: str) -> list[Section]:
        found: list[Section] = []

        def visit(blocks):
            for block in blocks:
                if isinstance(block, Section):
                    if block.role == role:
                        found.append(block)
                    visit(block.blocks)

        visit(self.blocks)
        return found

    def body_lines(self) -> list[str]:
        """The body as plain text, one line per heading, paragraph, list item or table row.

        This is the canonical text a citizen reads; every renderer's extracted text must
        contain it (parity), and golden files store it.
        """
        lines: list[str] = []
        for _roles, block in self.walk():
            lines.extend(block_lines(block))
        return lines

    def head_lines(self) -> list[str]:
        """Sender, recipient, date and subject as printed above the body."""
        from .formatting import short_date

        return [
            self.meta.sender_unit,
            *self.meta.sender_lines,
            self.meta.recipient.name,
            *self.meta.recipient.lines,
            f"Dato: {short_date(self.meta.letter_date)}",
            f"Sagsnummer: {self.meta.case_ref}",
            self.meta.subject,
        ]


def block_lines(block: Block) -> list[str]:
    if isinstance(block, (Heading, Paragraph)):
        return [block.text]
    if isinstance(block, ListBlock):
        return [runs_text(item) for item in block.items]
    if isinstance(block, Table):
        rows = [block.header, *block.rows] if block.header else list(block.rows)
        return [" ".join(runs_text(cell) for cell in row) for row in rows]
    if isinstance(block, Section):
        return [line for b in block.blocks for line in block_lines(b)]
    raise TypeError(block)


def letter_stem(meta: LetterMeta) -> str:
    """``indkaldelse_2026-0412_2026-03-02``: event, case reference, letter date. Never a name or CPR.

    The start of every file name a letter gets (output folder, batch, MeMo's file name)."""
    stem = f"{meta.event}_{meta.case_ref}_{meta.letter_date.isoformat()}"
    if cpr.contains(stem):  # the case reference is checked alone; this guards the joining
        raise LetterError("filnavnet ville ligne et CPR-nummer. Ret sagsnummeret")
    return stem
