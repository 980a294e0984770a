"""The one pipeline: case data -> validated case -> composed Letter -> formats.

The CLI, the demo, the Python API, HTTP, batch and the lint call these functions; none of
them has a second way to make a letter. One template set (and so one regime table) is
passed through validation and compose. Without one, the newest published version is used,
or the working template folder when none is published (:mod:`brevgen.versions`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from . import cpr
from .casedata import LetterCase
from .compose import compose_letter, cpr_digits
from .errors import BrevgenError, CaseDataError, LetterError, UsageError
from .letter import Letter
from .render import RenderJob, default_formats, get_format
from .templating import TemplateSet
from .validation import validate_case
from .versions import template_set_for


def build_letter(event: str, data: dict[str, Any], record: str | None = None, templates: TemplateSet | None = None) -> Letter:
    """Validate ``data`` for ``event`` and compose its Letter."""
    return build_case_letter(event, data, record=record, templates=templates)[1]


def build_case_letter(
    event: str,
    data: dict[str, Any],
    record: str | None = None,
    formats: Iterable[str] = (),
    templates: TemplateSet | None = None,
) -> tuple[LetterCase, Letter]:
    """Validate ``data``, compose the Letter and check it has what ``formats`` need.

    Returns the validated case too: Digital Post needs the CPR number, which the Letter
    deliberately does not carry.
    """
    templates = templates or template_set_for()
    case = validate_case(event, data, templates.regimes, record=record)
    try:
        letter = compose_letter(event, case, templates)
    except CaseDataError as exc:
        raise CaseDataError(exc.problems, record=record) from None
    letter = check_letter(letter, case, record=record)
    check_formats(letter, case, formats, record=record)
    return case, letter


def check_letter(letter: Letter, case: LetterCase, record: str | None = None) -> Letter:
    """The checks every letter passes before it is made (brevgen.lint.gate): the caseworker's
    free text and the letter logic. An error stops the letter like invalid data, naming the
    field to fix; warnings about free text are added to the letter's notes."""
    from . import events
    from .lint.gate import free_text_findings, logic_problems

    problems, notes = free_text_findings(case, events.get(letter.meta.event).free_text)
    problems += logic_problems(letter)
    if problems:
        raise CaseDataError(problems, record=record)
    if notes:
        letter = dataclasses.replace(letter, meta=dataclasses.replace(letter.meta, notes=letter.meta.notes + tuple(notes)))
    return letter


def make_letter(
    event: str,
    data: dict[str, Any],
    formats: Iterable[str] | None = None,
    record: str | None = None,
    memo_options: dict[str, Any] | None = None,
    pdf_variant: str | None = None,
    templates: TemplateSet | None = None,
    pdf_engine: str | None = None,
) -> tuple[Letter, dict[str, bytes]]:
    """Case data -> (Letter, {format: bytes}): what the CLI, the Python API and HTTP call."""
    formats = tuple(formats) if formats is not None else default_formats()
    case, letter = build_case_letter(event, data, record=record, formats=formats, templates=templates)
    return letter, render_letter(
        letter, formats, case=case, memo_options=memo_options, pdf_variant=pdf_variant, pdf_engine=pdf_engine
    )


def check_formats(letter: Letter, case: LetterCase | None, formats: Iterable[str], record: str | None = None) -> None:
    """Fail before anything is rendered if the letter or case lacks what a format needs.

    Every missing field is reported at once (a memo and an ics both asked for name both).
    """
    problems = []
    for name in formats:
        fmt = get_format(name)
        if fmt.check is not None:
            problems += fmt.check(letter, case)
    if problems:
        raise CaseDataError(list(dict.fromkeys(problems)), record=record)


def available_formats(letter: Letter, case: LetterCase) -> dict[str, str | None]:
    """Each format -> None if this letter can have it, else the Danish reason it cannot."""
    from .render import format_names

    out: dict[str, str | None] = {}
    for name in format_names():
        try:
            check_formats(letter, case, (name,))
            out[name] = None
        except BrevgenError as exc:
            out[name] = "; ".join(exc.lines())
    return out


def check_output(name: str, data: bytes, letter: Letter, case: LetterCase | None = None) -> None:
    """No made file shows a CPR number: every string its format says a reader or a program can
    get out of it (text, metadata, link targets; for MeMo everything but the recipient) is read
    with brevgen.cpr, after the letter's own hash and UUIDs, which are no text, are taken out."""
    fmt = get_format(name)
    if fmt.texts is None:
        return
    own = cpr_digits(case) if case is not None else None
    known = (letter.meta.data_sha256, letter.meta.data_sha256[:32])
    for text in fmt.texts(data):
        text = cpr.strip_machine_values(text, known)
        if cpr.contains(text) or cpr.own_number_in(text, own):
            raise LetterError(f"formatet {name} ville vise noget, der ligner et CPR-nummer, så brevet er ikke lavet. Ret sagens data")


def render_letter(
    letter: Letter,
    formats: Iterable[str] | None = None,
    case: LetterCase | None = None,
    memo_options: dict[str, Any] | None = None,
    pdf_variant: str | None = None,
    pdf_engine: str | None = None,
) -> dict[str, bytes]:
    """Render a Letter to the asked formats, in the asked order.

    Formats that need the validated ``case`` (MeMo: the CPR number) fail without it. A format
    that embeds another (MeMo carries the PDF) gets it made first, once.
    ``pdf_variant``: "pdf/ua-1" (default), "pdf/a-2a" or "pdf/a-3a"; ``pdf_engine``: "weasyprint"
    (default) or "typst" (see brevgen.render.pdf).
    """
    names = tuple(formats) if formats is not None else default_formats()
    wanted = [get_format(name) for name in names]
    if case is None and any(f.needs_case for f in wanted):
        needing = ", ".join(f.name for f in wanted if f.needs_case)
        raise UsageError(f"formatet {needing} kræver sagens data: brug make_letter eller giv case=")
    made: dict[str, bytes] = {}

    def make(name: str, chain: tuple[str, ...] = ()) -> bytes:
        if name in made:
            return made[name]
        if name in chain:
            raise UsageError(f"formaterne kræver hinanden i ring: {' -> '.join((*chain, name))}")
        fmt = get_format(name)
        inputs = {req: make(req, (*chain, name)) for req in fmt.requires}
        job = RenderJob(case=case, inputs=inputs, pdf_variant=pdf_variant, pdf_engine=pdf_engine, memo_options=memo_options or {})
        made[name] = fmt.render(letter, job)
        check_output(name, made[name], letter, case)
        return made[name]

    # Formats without prerequisites first (the PDF before the MeMo that carries it).
    for fmt in sorted(wanted, key=lambda f: bool(f.requires)):
        make(fmt.name)
    return {name: made[name] for name in names}
