"""The Python API: what a case system's own Python code calls.

Everything here goes through the one pipeline the CLI and the HTTP service use, so the
same case gives the same letter and the same errors everywhere.

    import brevgen

    result = brevgen.generate_letter("indkaldelse", case, formats=["pdf", "memo"])
    result.files["pdf"]          # bytes of the PDF
    result.files["memo"]         # MeMo 1.1 XML for Digital Post (needs citizen.cpr, sender.cvr)
    result.notes                 # e.g. a deadline moved past a public holiday
    result.reports               # checks on the letter, by name (see below)
    result.write("/srv/breve")   # atomic writes, file names without personal data

``case`` is a mapping (parsed YAML/JSON) or the event's pydantic model
(``brevgen.events.indkaldelse.Summons`` etc.). Formats: ``pdf``, ``docx``, ``html`` (the default
set), ``memo`` (Digital Post) and ``ics`` (calendar entry for letters that book a meeting);
``brevgen.render.all_formats()`` lists them.

Errors are :class:`brevgen.BrevgenError` subclasses with a stable ``code`` and a Danish
message, the same the CLI prints:

==================  ======================  =========  =====================================
class               ``code``                CLI exit   when
==================  ======================  =========  =====================================
``CaseDataError``   ``invalid-case-data``   1          the case data is wrong; ``.problems``
                                                       lists every field (``.path``,
                                                       ``.label``, ``.message``)
``LetterError``     ``letter``              1          the letter would break a hard rule
``TemplateError``   ``template``            1          a template is broken (file and line)
``RenderError``     ``render``              1          a renderer failed
``UsageError``      ``usage``               2          unknown event or format, a format the
                                                       event cannot have (ics for an offer)
==================  ======================  =========  =====================================

Reports: ``GeneratedLetter.reports`` is a dict from a report's name to its JSON-ready
result. It is empty in this build; the plain-language lint and the required-content check
plug in with :func:`register_report` (``register_report("lint", fn)`` where ``fn(letter)``
returns a dict), and then appear here and in the HTTP envelope without an API change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import events
from .casedata import LetterCase
from .errors import UsageError
from .letter import Letter
from .output import file_name, write_letter
from .pipeline import available_formats as _available, build_case_letter, make_letter
from .render import default_formats, parse_formats
from .render.pdf import check_engine, check_variant
from .render.memo import check_memo_options
from .validation import validate_case as _validate
from .versions import template_set_for

ReportFn = Callable[[Letter], Any]
_REPORTS: dict[str, ReportFn] = {}


def register_report(name: str, fn: ReportFn) -> None:
    """Add a check whose JSON-ready result every generated letter carries under ``reports[name]``."""
    _REPORTS[name] = fn


def _lint_report(letter: Letter) -> Any:
    # Imported on first use: loading the rule set runs every rule's examples (~0.1 s).
    from .lint import letter_report

    return letter_report(letter)


register_report("lint", _lint_report)


@dataclass(frozen=True)
class EventInfo:
    event: str
    title: str  # Danish name of the letter


@dataclass(frozen=True)
class GeneratedLetter:
    """A letter in the asked formats, with the checks run on it."""

    letter: Letter
    files: Mapping[str, bytes]
    reports: Mapping[str, Any] = field(default_factory=dict)

    @property
    def event(self) -> str:
        return self.letter.meta.event

    @property
    def notes(self) -> tuple[str, ...]:
        return self.letter.meta.notes

    @property
    def provenance(self) -> dict[str, str]:
        return self.letter.meta.provenance()

    def filename(self, fmt: str) -> str:
        """``indkaldelse_JC-2026-0412_2026-03-02.pdf`` (MeMo: ``.memo.xml``): event, case reference, date; never a name or CPR."""
        return file_name(self.letter.meta, fmt)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every format atomically to ``out_dir``; returns the paths."""
        return write_letter(self.letter.meta, dict(self.files), Path(out_dir))


def list_events() -> list[EventInfo]:
    return [EventInfo(e.name, e.title) for e in events.all_events()]


def case_schema(event: str) -> dict[str, Any]:
    """JSON Schema of the case data for ``event`` (field titles in Danish)."""
    return _model(event).model_json_schema()


def validate_case(event: str, case: Mapping[str, Any] | BaseModel, record: str | None = None, template_version: str | None = None) -> LetterCase:
    """The validated case, or :class:`CaseDataError` listing every problem."""
    return _validate(event, _as_data(event, case), template_set_for(template_version).regimes, record=record)


def available_formats(event: str, case: Mapping[str, Any] | BaseModel, template_version: str | None = None) -> dict[str, str | None]:
    """Each format -> None if this case can have it, else the Danish reason it cannot.

    Raises :class:`CaseDataError` if the case itself is invalid.
    """
    valid, letter = build_case_letter(event, _as_data(event, case), templates=template_set_for(template_version))
    return _available(letter, valid)


def generate_letter(
    event: str,
    case: Mapping[str, Any] | BaseModel,
    formats: str | Iterable[str] | None = None,
    *,
    record: str | None = None,
    memo_options: Mapping[str, Any] | None = None,
    pdf_variant: str | None = None,
    pdf_engine: str | None = None,
    template_version: str | None = None,
) -> GeneratedLetter:
    """Validate ``case``, compose the letter for ``event`` and render it to ``formats``.

    ``record`` names the case in error messages (the CLI uses the file name).
    ``memo_options`` are passed to :func:`brevgen.render.memo.render_memo`: ``case_system``
    (your system's name in ContentData/CaseID), ``message_uuid`` (a new message for the same
    letter), ``created``, ``mandatory``, ``legal_notification``. ``pdf_variant``: "pdf/ua-1"
    (default), "pdf/a-2a", "pdf/a-3a"; ``pdf_engine``: "weasyprint" (default) or "typst".
    ``template_version``: a published version (its number or the start of its hash) to make
    the letter exactly as that version did; default the newest published version (or the
    working template folder when none is published). The letter's provenance names it.
    """
    chosen = parse_formats(formats) if formats is not None else default_formats()
    # Checked before the letter is made, so a bad option costs no rendering.
    options = check_memo_options(memo_options)
    variant = check_variant(pdf_variant) if pdf_variant else None
    engine = check_engine(pdf_engine)
    letter, files = make_letter(
        event, _as_data(event, case), chosen, record=record, memo_options=options, pdf_variant=variant, pdf_engine=engine,
        templates=template_set_for(template_version),
    )
    reports = {name: fn(letter) for name, fn in _REPORTS.items()}
    return GeneratedLetter(letter=letter, files=files, reports=reports)


def _model(event: str) -> type[LetterCase]:
    return events.get(event).model


def _as_data(event: str, case: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    model = _model(event)
    if isinstance(case, BaseModel):
        if not isinstance(case, model):
            raise UsageError(f"sagens data er en {type(case).__name__}, men brevtypen '{event}' bruger {model.__name__}")
        # Python mode keeps the CPR number as a SecretStr; validation runs again so the
        # cross-field rules apply to models built in code too.
        return case.model_dump(mode="python")
    if not isinstance(case, Mapping):
        raise UsageError("sagens data skal være en gruppe af felter (et JSON-objekt), ikke en liste eller en tekst")
    return dict(case)
