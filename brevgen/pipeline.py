"""The one pipeline: case data -> validated case -> context -> composed Letter -> formats.

The CLI, the demo, tests and every later front end (batch, HTTP, lint) call these
functions; none of them has a second way to make a letter.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .compose import TemplateSet, markdown_to_blocks
from .context import case_view, derive
from .errors import CaseDataError, LetterError, TemplateError, UsageError
from .letter import Letter, LetterMeta, Party
from .models import CPR_SHAPE, LetterCase
from .paths import templates_dir
from .regime import regime_problem
from .validation import validate_case

FORMATS = ("pdf", "docx", "html")
# Delivery formats: made from the letter and the case (CPR for Digital Post, the meeting for a
# calendar), so they are asked for by name and are not part of the default set.
DELIVERY_FORMATS = ("memo", "ics")
ALL_FORMATS = FORMATS + DELIVERY_FORMATS


# WeasyPrint's shared font configuration (Pango/fontconfig) is not safe to use from two threads
# at once: parallel renders in one process made GLib report "corrupted double-linked list".
# The GIL gives threads no PDF speed-up anyway; processes (brevgen serve --workers) do.
_PDF_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def template_set(root: Path | None = None) -> TemplateSet:
    return TemplateSet(root or templates_dir())


def data_hash(case: LetterCase) -> str:
    """SHA-256 of the canonical case data without the CPR number (provenance, not identity)."""
    canonical = json.dumps(case_view(case), sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compose_letter(event: str, case: LetterCase, templates: TemplateSet | None = None) -> Letter:
    templates = templates or template_set()
    info = templates.events.get(event)
    if info is None:
        raise TemplateError(f"der er ingen skabelon for brevtypen '{event}'", str(templates.root))
    try:
        regime = templates.regime_table().for_date(case.letter_date)
    except LookupError as exc:
        raise CaseDataError([regime_problem(exc)]) from None
    derived, notes = derive(event, case, regime)
    context = {"event": event, "case": case_view(case), "regime": regime.as_context(), "derived": derived}
    text, state = templates.render_markdown(info.name, context)
    blocks = markdown_to_blocks(text, state, templates.loader.lines)
    sender = case.sender
    sender_lines = (*sender.address.lines(), f"Telefon {_phone(sender.phone)}")
    if sender.web:
        sender_lines += (sender.web,)
    meta = LetterMeta(
        event=event,
        template_id=info.id,
        template_version=info.version,
        subject=templates.render_subject(info, context),
        letter_date=case.letter_date,
        case_ref=case.case_ref,
        sender_authority=sender.authority,
        sender_unit=sender.unit,
        sender_lines=sender_lines,
        recipient=Party(name=case.citizen.name, lines=tuple(case.citizen.address.lines())),
        regime_id=regime.id,
        data_sha256=data_hash(case),
        brevgen_version=__version__,
        notes=tuple(notes),
    )
    letter = Letter(meta=meta, blocks=blocks)
    _guard_cpr(letter, case)
    return letter


def _phone(raw: str) -> str:
    from .formatting import phone

    return phone(raw)


def _guard_cpr(letter: Letter, case: LetterCase) -> None:
    """Last line of defence: a letter that would show a CPR number is never produced."""
    texts = [*letter.head_lines(), *letter.body_lines()]
    cpr = case.citizen.cpr.get_secret_value().replace("-", "") if case.citizen.cpr else None
    for text in texts:
        digits = text.replace("-", "").replace(" ", "")
        if (cpr and cpr in digits) or CPR_SHAPE.search(text):
            raise LetterError("brevet ville vise noget, der ligner et CPR-nummer. Ret sagens data")


def build_letter(event: str, data: dict[str, Any], record: str | None = None) -> Letter:
    """Validate ``data`` for ``event`` and compose its Letter."""
    return build_case_letter(event, data, record=record)[1]


def build_case_letter(
    event: str, data: dict[str, Any], record: str | None = None, formats: Iterable[str] = ()
) -> tuple[LetterCase, Letter]:
    """Validate ``data``, check it has what ``formats`` need, and compose the Letter.

    Returns the validated case too: the delivery formats (memo, ics) need values the
    Letter deliberately does not carry (the CPR number, meeting instants).
    """
    case = validate_case(event, data, record=record)
    check_formats(event, case, formats, record=record)
    try:
        return case, compose_letter(event, case)
    except CaseDataError as exc:
        raise CaseDataError(exc.problems, record=record) from None


def make_letter(
    event: str,
    data: dict[str, Any],
    formats: Iterable[str] = FORMATS,
    record: str | None = None,
    memo_options: dict[str, Any] | None = None,
    pdf_variant: str | None = None,
) -> tuple[Letter, dict[str, bytes]]:
    """Case data -> (Letter, {format: bytes}): what the CLI, the Python API and HTTP call."""
    formats = tuple(formats)
    case, letter = build_case_letter(event, data, record=record, formats=formats)
    return letter, render_letter(letter, formats, case=case, memo_options=memo_options, pdf_variant=pdf_variant)


def check_formats(event: str, case: LetterCase, formats: Iterable[str], record: str | None = None) -> None:
    """Fail before anything is rendered if the case lacks what a delivery format needs.

    Every missing field is reported at once (a memo and an ics both asked for name both).
    """
    formats = tuple(formats)
    problems = []
    if "ics" in formats:
        from .render.ics import appointment_or_error

        try:
            appointment_or_error(event, case)
        except CaseDataError as exc:
            problems += exc.problems
    if "memo" in formats:
        from .render.memo import missing_for_memo

        problems += missing_for_memo(case)
    if problems:
        raise CaseDataError(problems, record=record)


def derived_values(event: str, case: LetterCase) -> dict[str, Any]:
    """The ``derived`` values the letter's template saw (deadlines as the letter prints them)."""
    regime = template_set().regime_table().for_date(case.letter_date)
    return derive(event, case, regime)[0]


def parse_formats(value: str | Iterable[str], allowed: Iterable[str] = ALL_FORMATS) -> tuple[str, ...]:
    allowed = tuple(allowed)
    items = [v.strip().lower() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown or not items:
        raise UsageError(f"ukendt format: {', '.join(unknown) or '(intet)'}. Vælg blandt: {', '.join(allowed)}")
    return tuple(dict.fromkeys(items))


def render_letter(
    letter: Letter,
    formats: Iterable[str] = FORMATS,
    case: LetterCase | None = None,
    memo_options: dict[str, Any] | None = None,
    pdf_variant: str | None = None,
) -> dict[str, bytes]:
    """Render a Letter to the asked formats. Renderers are imported lazily (WeasyPrint is slow to import).

    ``memo`` and ``ics`` also need the validated ``case`` the letter was made from;
    ``memo_options`` go to :func:`brevgen.render.memo.render_memo` (e.g. ``case_system``).
    ``pdf_variant``: "pdf/ua-1" (default), "pdf/a-2a" or "pdf/a-3a" (see brevgen.render.pdf).
    """
    formats = tuple(formats)
    out: dict[str, bytes] = {}
    if any(fmt in DELIVERY_FORMATS for fmt in formats) and case is None:
        raise UsageError("formaterne memo og ics kræver sagens data: brug make_letter eller giv case=")
    for fmt in formats:
        if fmt in DELIVERY_FORMATS:
            out[fmt] = b""  # placeholder keeps the asked order; filled after the document formats
            continue
        if fmt == "html":
            from .render.html import render_html

            out["html"] = render_html(letter).encode("utf-8")
        elif fmt == "pdf":
            from .render.pdf import render_pdf

            with _PDF_LOCK:
                out["pdf"] = render_pdf(letter, variant=pdf_variant) if pdf_variant else render_pdf(letter)
        elif fmt == "docx":
            from .render.docx import render_docx

            out["docx"] = render_docx(letter)
        else:
            raise UsageError(f"ukendt format: {fmt}")
    if "memo" in formats:
        from .render.memo import render_memo

        pdf = out.get("pdf") or render_letter(letter, ("pdf",))["pdf"]
        out["memo"] = render_memo(letter, case, pdf, **(memo_options or {}))
    if "ics" in formats:
        from .render.ics import render_ics

        out["ics"] = render_ics(letter, case)
    return out
