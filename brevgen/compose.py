"""Compose a Letter from a validated case: derived values -> template -> blocks -> Letter.

Everything the formats need is decided here, once: the text (blocks with their origins),
the metadata and provenance stamp, and the values the delivery formats carry (the answer
deadline, the meeting, an online form). No renderer re-derives any of it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterator

from . import __version__, cpr, events, feedback
from .blocks import markdown_to_blocks
from .casedata import LetterCase
from .derive import case_view, derive
from .errors import CaseDataError, LetterError, TemplateError
from .formatting import phone, unbroken
from .letter import Contact, Facts, Letter, LetterMeta, Party, PhoneTime, Section
from .regime import regime_problem
from .problems import problem
from .templating import TemplateSet, template_set
from .window import AddressLine, window_problems


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
    _check_window(case, templates)
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
    sender_lines = (*sender.address.lines(), f"Telefon {unbroken(phone(sender.phone))}")
    if sender.web:  # printed without "https://", as a reader types it (the letter's links keep it)
        sender_lines += (sender.web.split("://", 1)[-1].rstrip("/"),)
    meta = LetterMeta(
        event=event,
        template_id=info.id,
        template_version=info.version,
        subject=_no_widow(templates.render_subject(info, context)),
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
        facts=letter_facts(spec, case, derived),
        template_set=version,
        template_root=templates.root,
        variant=variant,
        feedback_url=feedback_url,
    )
    letter = Letter(meta=meta, blocks=blocks)
    _guard_cpr(letter, case)
    return letter


def _no_widow(headline: str) -> str:
    """The last two words of the headline on one line: it never ends on a lone word."""
    head, sep, last = headline.rstrip().rpartition(" ")
    return f"{head}\u00a0{last}" if sep and head else headline


def _phone_times(hours) -> tuple[PhoneTime, ...]:
    return tuple(PhoneTime(h.weekdays, h.opens, h.closes) for h in hours)


def letter_facts(spec, case: LetterCase, derived: dict) -> Facts:
    """The structured facts the letter logic checks read: every letter's contacts (the
    caseworker, the substitute and the general line, with the phone hours the letter prints
    for them) plus what the event adds (benefit, meeting mode, deadlines, moments)."""
    cw = case.caseworker
    contacts = [
        Contact("caseworker", cw.name, phone(cw.phone), _phone_times(cw.phone_hours), "caseworker.phone_hours", writes=True),
        Contact("substitute", cw.substitute.name, phone(cw.substitute.phone)),
        Contact(
            "sender", derived["sender_name"], phone(case.sender.phone), _phone_times(case.sender.phone_hours),
            "sender.phone_hours", writes=True,
        ),
    ]
    extra = spec.facts(case, derived)
    contacts += extra.get("contacts", [])
    values = dict(extra.get("values", {}))
    return Facts(
        event=spec.name,
        letter_date=case.letter_date,
        benefit=extra.get("benefit", getattr(case, "benefit", None)),
        mode=extra.get("mode"),
        values=tuple(sorted(values.items())),
        contacts=tuple(contacts),
        deadlines=tuple(extra.get("deadlines", ())),
        moments=tuple(sorted(extra.get("moments", {}).items())),
    )


def _check_window(case: LetterCase, templates: TemplateSet) -> None:
    """The recipient's name and address must fit the envelope window (see brevgen.window)."""
    address = case.citizen.address
    lines = [AddressLine("citizen.name", case.citizen.name)]
    if address.co:
        lines.append(AddressLine("citizen.address.co", f"c/o {address.co}"))
    street = address.street + (f", {address.floor_door}" if address.floor_door else "")
    longer_floor = address.floor_door and len(address.floor_door) > len(address.street)
    lines.append(AddressLine("citizen.address.floor_door" if longer_floor else "citizen.address.street", street))
    lines.append(AddressLine("citizen.address.city", f"{address.postcode} {address.city}"))
    found = window_problems(lines, templates.root)
    if found:
        raise CaseDataError([problem(type(case), path, message) for path, message in found])


def letter_strings(letter: Letter) -> Iterator[str]:
    """Every text the Letter carries: head, body, link targets, subject, notes, the meeting and
    the online form (what any format may print or put in metadata), but not the data hash."""
    yield from letter.head_lines()
    yield from letter.body_lines()
    stack: list = [letter.blocks, letter.meta]
    while stack:  # depth first, in the Letter's own order
        value = stack.pop()
        kind = type(value)
        if kind is str:
            yield value
        elif kind is tuple or kind is list:
            stack.extend(reversed(value))
        elif isinstance(value, str):
            yield value
        elif isinstance(value, (tuple, list)):
            stack.extend(reversed(value))
        else:
            stack.extend([getattr(value, name) for name in _fields_last_first(kind)])


@functools.lru_cache(maxsize=None)
def _fields_last_first(kind: type) -> tuple[str, ...]:
    """A dataclass's fields that may carry text, last first (none for any other type)."""
    if not dataclasses.is_dataclass(kind):
        return ()
    return tuple(reversed([f.name for f in dataclasses.fields(kind) if f.name != "data_sha256"]))


def cpr_digits(case: LetterCase) -> str | None:
    return case.citizen.cpr.get_secret_value().strip().replace("-", "") if case.citizen.cpr else None


def _with_feedback(blocks: tuple, templates: TemplateSet, context: dict) -> tuple:
    """The question "Var brevet let at forstå?" from the feedback partial, before the closing
    "Regler" (legal references stay last)."""
    text, state = templates.render_markdown(feedback.PARTIAL, context)
    question = markdown_to_blocks(text, state, templates.loader.lines)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Section) and b.role == "lovgrundlag"), len(blocks))
    return (*blocks[:at], *question, *blocks[at:])


def _guard_cpr(letter: Letter, case: LetterCase) -> None:
    """Last line of defence: a letter that would show a CPR number is never produced.

    The case models refuse free text holding one; this catches what a template or a derived
    value might put together (and the citizen's own number in a spelling nobody thought of)."""
    own = cpr_digits(case)
    for text in dict.fromkeys(letter_strings(letter)):  # each text once: most repeat
        if cpr.contains(text) or cpr.own_number_in(text, own):
            raise LetterError("brevet ville vise noget, der ligner et CPR-nummer. Ret sagens data eller skabelonen")
