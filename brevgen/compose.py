"""Compose a Letter from a validated case: derived values -> template -> blocks -> Letter.

Everything the formats need is decided here, once: the text (blocks with their origins),
the metadata and provenance stamp, and the values the delivery formats carry (the answer
deadline, the meeting, an online form). No renderer re-derives any of it.
"""

from __future__ import annotations

import hashlib
import json

from . import __version__, events, feedback
from .blocks import markdown_to_blocks
from .casedata import CPR_SHAPE, LetterCase
from .derive import case_view, derive
from .errors import CaseDataError, LetterError, TemplateError
from .formatting import phone
from .letter import Letter, LetterMeta, Party, Section
from .regime import regime_problem
from .templating import TemplateSet, template_set


def data_hash(case: LetterCase) -> str:
    """SHA-256 of the canonical case data without the CPR number (provenance, not identity)."""
    canonical = json.dumps(case_view(case), sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compose_letter(event: str, case: LetterCase, templates: TemplateSet | None = None) -> Letter:
    templates = templates or template_set()
    spec = events.get(event)
    info = templates.events.get(event)
    if info is None:
        raise TemplateError(f"der er ingen skabelon for brevtypen '{event}'", str(templates.root))
    try:
        regime = templates.regimes.for_date(case.letter_date)
    except LookupError as exc:
        raise CaseDataError([regime_problem(exc)]) from None
    derived, notes = derive(spec, case, regime)
    context = {"event": event, "case": case_view(case), "regime": regime.as_context(), "derived": derived}
    text, state = templates.render_markdown(info.name, context)
    blocks = markdown_to_blocks(text, state, templates.loader.lines)
    version = templates.version
    variant = spec.variant(case)
    digest = data_hash(case)
    feedback_url = None
    settings = feedback.settings()
    if settings is not None and (templates.root / feedback.PARTIAL).is_file():
        feedback_url = feedback.link(settings, version, event, variant, digest)
        blocks = _with_feedback(blocks, templates, {**context, "feedback": {"url": feedback_url}})
    sender = case.sender
    sender_lines = (*sender.address.lines(), f"Telefon {phone(sender.phone)}")
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
        data_sha256=digest,
        brevgen_version=__version__,
        title=spec.title,
        notes=tuple(notes),
        reply_by=spec.reply_by(case, derived),
        appointment=spec.appointment(case),
        self_service=spec.self_service(case, derived),
        template_set=version,
        template_root=templates.root,
        variant=variant,
        feedback_url=feedback_url,
    )
    letter = Letter(meta=meta, blocks=blocks)
    _guard_cpr(letter, case)
    return letter


def _with_feedback(blocks: tuple, templates: TemplateSet, context: dict) -> tuple:
    """The question "Var brevet let at forstå?" from the feedback partial, before the closing
    "Regler" (legal references stay last)."""
    text, state = templates.render_markdown(feedback.PARTIAL, context)
    question = markdown_to_blocks(text, state, templates.loader.lines)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Section) and b.role == "lovgrundlag"), len(blocks))
    return (*blocks[:at], *question, *blocks[at:])


def _guard_cpr(letter: Letter, case: LetterCase) -> None:
    """Last line of defence: a letter that would show a CPR number is never produced."""
    texts = [*letter.head_lines(), *letter.body_lines()]
    cpr = case.citizen.cpr.get_secret_value().replace("-", "") if case.citizen.cpr else None
    for text in texts:
        digits = text.replace("-", "").replace(" ", "")
        if (cpr and cpr in digits) or CPR_SHAPE.search(text):
            raise LetterError("brevet ville vise noget, der ligner et CPR-nummer. Ret sagens data")
