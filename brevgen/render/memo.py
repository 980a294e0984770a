"""Letter + case -> a MeMo 1.1 message (Digital Post), with the letter's PDF as main document.

MeMo (Meddelelsesmodel) is the XML format Danish authorities send Digital Post in. The
structure follows the published MeMo 1.1 model (namespace ``https://DigitalPost.dk/MeMo-1``):
a MessageHeader (what it is, who sends it, who gets it, the case it belongs to) and a
MessageBody (the documents). brevgen fills:

- ``label``: the letter's subject line. It is shown in the mailbox and in notifications, so
  it holds no personal data (the templates' subjects are built from dates only).
- ``Sender``: the authority's CVR number (``sender.cvr``).
- ``Recipient``: the citizen's CPR number (``citizen.cpr``). This is the only place in
  all of brevgen's output where the CPR number appears.
- ``ContentData/CaseID``: the case reference, so the reply and the archive find the case.
- ``replyByDateTime``: for an offer, the end of the answer day (the day the letter prints).
- ``MainDocument``: the PDF (base64), named like the letter files (no name, no CPR), with an
  ``AFTALE`` action and a reservation for the meeting (summons, sick-leave follow-up) and a
  ``SELVBETJENING`` action for an online form (the sick-leave questionnaire). The meeting,
  the answer deadline and the form come from the Letter, as compose derived them.

Determinism: ``messageUUID`` and ``reservationUUID`` are derived from the letter's data hash,
event and template version (see :func:`brevgen.identifiers.stable_uuid`), and
``createdDateTime`` is the start of the letter date in Danish time, so the same case gives
the same message byte for byte. A resend of the same letter therefore carries the same
messageUUID; pass ``message_uuid`` to send a genuinely new message.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..casedata import LetterCase
from ..danish_time import end_of_day, start_of_day, utc_z
from ..errors import CaseDataError, Problem, UsageError
from ..identifiers import stable_uuid
from ..letter import Letter
from ..letter import letter_stem
from ..problems import problem
from . import Format, RenderJob, register_format

NAMESPACE = "https://DigitalPost.dk/MeMo-1"
MEMO_VERSION = "1.1"
MEMO_SCHEMA_VERSION = "1.1.0"
MAX_TEXT = 256  # memoTextType and memoUriType are at most 256 characters

_WHY = "skal udfyldes, når brevet skal sendes som Digital Post (MeMo)"


def missing_for_memo(case: LetterCase) -> list[Problem]:
    """What the case lacks to be sent as Digital Post: the recipient's CPR and the sender's CVR."""
    problems = []
    if case.sender.cvr is None:
        problems.append(problem(type(case), "sender.cvr", _WHY))
    if case.citizen.cpr is None:
        problems.append(problem(type(case), "citizen.cpr", _WHY))
    return problems


# What the schema accepts as a message or reservation UUID: version 4, RFC 4122 variant.
UUID_V4 = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
MEMO_OPTIONS = ("message_uuid", "created", "case_system", "mandatory", "legal_notification")


def check_memo_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The MeMo options, checked before anything is written; every problem at once, in Danish.

    A message brevgen cannot make valid is refused here rather than sent to Digital Post:
    ``message_uuid`` must be a version-4 UUID (the schema's pattern), ``case_system`` a text of
    1-256 characters (it identifies the system, so it is never shortened), ``created`` a time
    with a time zone, ``mandatory`` and ``legal_notification`` true or false.
    Raises :class:`UsageError` (the call is wrong, not the case data).
    """
    options = dict(options or {})
    problems = []
    unknown = sorted(set(options) - set(MEMO_OPTIONS))
    if unknown:
        problems.append(f"ukendte MeMo-indstillinger: {', '.join(unknown)}. Brug: {', '.join(MEMO_OPTIONS)}")
    value = options.get("message_uuid")
    if value is not None:
        text = str(value) if isinstance(value, uuid.UUID) else value
        if not isinstance(text, str) or not UUID_V4.match(text):
            problems.append(
                "message_uuid skal være et UUID af version 4, fx 0b5e6f3c-1d2a-4c3b-9a8f-7e6d5c4b3a21 "
                "(8-4-4-4-12 hextegn, et 4 først i tredje gruppe og 8, 9, a eller b først i fjerde)"
            )
        else:
            options["message_uuid"] = text.lower()
    value = options.get("case_system")
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT):
        problems.append(f"case_system skal være en tekst på 1-{MAX_TEXT} tegn (sagssystemets navn)")
    value = options.get("created")
    if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
        problems.append("created skal være et tidspunkt med tidszone (datetime med tzinfo)")
    for name in ("mandatory", "legal_notification"):
        if name in options and not isinstance(options[name], bool):
            problems.append(f"{name} skal være true eller false")
    if problems:
        raise UsageError("MeMo: " + "; ".join(problems))
    return options


def _cpr_digits(case: LetterCase) -> str:
    # Digital Post wants the ten digits without the hyphen.
    return case.citizen.cpr.get_secret_value().strip().replace("-", "")


def _text(value: str) -> str:
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


class _Builder:
    def __init__(self) -> None:
        self.nsmap = {"memo": NAMESPACE}

    def el(self, parent, name: str, text: str | None = None):
        node = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}") if parent is not None else etree.Element(f"{{{NAMESPACE}}}{name}", nsmap=self.nsmap)
        if text is not None:
            node.text = text
        return node


def render_memo(
    letter: Letter,
    case: LetterCase,
    pdf: bytes,
    *,
    message_uuid: uuid.UUID | str | None = None,
    created: dt.datetime | None = None,
    case_system: str = "brevgen",
    mandatory: bool = False,
    legal_notification: bool = False,
) -> bytes:
    """The MeMo XML (UTF-8 bytes) for ``letter``, carrying ``pdf`` as its main document.

    ``case`` supplies what the Letter deliberately does not carry: the CPR number (for
    ``Recipient`` only), the sender's CVR number and the meeting and deadline instants.
    ``mandatory`` and ``legal_notification`` default to ``false`` as in the official MeMo
    minimum example; what they mean for delivery is set out in the MeMo model description,
    so a municipality sets them to match its Digital Post agreement.
    Raises :class:`CaseDataError` naming ``citizen.cpr`` / ``sender.cvr`` if they are missing.
    """
    problems = missing_for_memo(case)
    if problems:
        raise CaseDataError(problems)
    checked = check_memo_options(
        {"message_uuid": message_uuid, "created": created, "case_system": case_system, "mandatory": mandatory, "legal_notification": legal_notification}
    )
    message_uuid = checked["message_uuid"]
    meta = letter.meta
    identity = (meta.event, meta.template_id, meta.template_version, meta.data_sha256)
    message_id = str(message_uuid or stable_uuid("memo-message", *identity))
    created_at = created or start_of_day(meta.letter_date)
    stem = letter_stem(meta)

    b = _Builder()
    root = b.el(None, "Message")
    root.set("memoVersion", MEMO_VERSION)
    root.set("memoSchVersion", MEMO_SCHEMA_VERSION)

    header = b.el(root, "MessageHeader")
    b.el(header, "messageType", "DIGITALPOST")
    b.el(header, "messageUUID", message_id)
    b.el(header, "messageID", _text(stem))
    b.el(header, "label", _text(meta.subject))
    if meta.reply_by is not None:
        b.el(header, "replyByDateTime", utc_z(end_of_day(meta.reply_by)))
    b.el(header, "mandatory", "true" if mandatory else "false")
    b.el(header, "legalNotification", "true" if legal_notification else "false")

    sender = b.el(header, "Sender")
    b.el(sender, "senderID", case.sender.cvr)
    b.el(sender, "idType", "CVR")
    b.el(sender, "label", _text(f"{case.sender.authority}, {case.sender.unit}"))

    recipient = b.el(header, "Recipient")
    b.el(recipient, "recipientID", _cpr_digits(case))
    b.el(recipient, "idType", "CPR")

    content = b.el(header, "ContentData")
    case_id = b.el(content, "CaseID")
    b.el(case_id, "caseID", _text(meta.case_ref))
    b.el(case_id, "caseSystem", _text(case_system))

    body = b.el(root, "MessageBody")
    b.el(body, "createdDateTime", utc_z(created_at))
    main = b.el(body, "MainDocument")
    b.el(main, "mainDocumentID", _text(stem))
    b.el(main, "label", _text(meta.subject))
    file = b.el(main, "File")
    b.el(file, "encodingFormat", "application/pdf")
    b.el(file, "filename", _text(f"{stem}.pdf"))
    b.el(file, "language", meta.lang[:2])
    b.el(file, "content", base64.b64encode(pdf).decode("ascii"))

    meeting = meta.appointment
    if meeting is not None:
        action = b.el(main, "Action")
        b.el(action, "label", _text(meeting.summary))
        b.el(action, "actionCode", "AFTALE")
        b.el(action, "startDateTime", utc_z(meeting.start))
        b.el(action, "endDateTime", utc_z(meeting.end))
        reservation = b.el(action, "Reservation")
        b.el(reservation, "description", _text(meeting.details))
        b.el(reservation, "reservationUUID", str(stable_uuid("memo-reservation", *identity)))
        b.el(reservation, "abstract", _text(meeting.summary))
        b.el(reservation, "location", _text(meeting.location))
        b.el(reservation, "startDateTime", utc_z(meeting.start))
        b.el(reservation, "endDateTime", utc_z(meeting.end))
        b.el(reservation, "organizerMail", _text(meeting.organizer_email))
        b.el(reservation, "organizerName", _text(meeting.organizer_name))
    form = meta.self_service
    if form is not None and len(form.url) <= MAX_TEXT:
        action = b.el(main, "Action")
        b.el(action, "label", _text(form.label))
        b.el(action, "actionCode", "SELVBETJENING")
        b.el(action, "endDateTime", utc_z(end_of_day(form.deadline)))
        entry = b.el(action, "EntryPoint")
        b.el(entry, "url", form.url)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- the format ----------------------------------------------------------------------------


def _render(letter: Letter, job: RenderJob) -> bytes:
    return render_memo(letter, job.case, job.inputs["pdf"], **dict(job.memo_options))


def texts(data: bytes) -> list[str]:
    """Every element and attribute except the recipient's CPR number (where it belongs) and the
    embedded PDF (checked as a PDF when it was made)."""
    out: list[str] = []
    for el in etree.fromstring(data).iter():
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).localname in ("recipientID", "content"):
            continue
        out.extend(el.attrib.values())
        if el.text:
            out.append(el.text)
    return out


register_format(
    Format(
        name="memo",
        suffix="memo.xml",  # says both what it is and how to open it
        media_type="application/xml",
        title="MeMo (Digital Post)",
        render=_render,
        needs_case=True,
        requires=("pdf",),
        check=lambda letter, case: missing_for_memo(case),
        order=4,
        texts=texts,
    )
)
