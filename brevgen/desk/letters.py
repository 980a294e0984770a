"""What the desk does with a case: preview it with every finding at its field, make its files,
read a case in and write it out. All through the one pipeline, as the CLI and the API do.

The case arrives as the JSON the desk's form makes (or a case system hands over). Nothing of
it is kept or logged here; the CPR number is added only to a MeMo download and dropped from
everything read in or written out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from .. import cpr, events
from ..casedata import MONTHS
from ..errors import BrevgenError, CaseDataError, Problem, UsageError
from ..letter import Letter, ListBlock, Section

PREVIEW_ASSETS = ("fonts.css", "brev.css", "screen.css")  # served by the studio under /brevfiler/
DOWNLOADS = ("pdf", "docx", "html", "memo", "ics")
_RULE_ID = re.compile(r"^(?P<rule>[A-Z]{2}\d+[a-z]?): ")
_SUGGESTION_LEVELS = {"error": "Fejl", "warning": "Advarsel", "suggestion": "Forslag"}


class DeskError(BrevgenError):
    """A request the desk refuses, in Danish (with an HTTP status)."""

    code = "desk"

    def __init__(self, message: str, status: int = 400, problems: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.problems = problems or []


# --- problems at their fields ------------------------------------------------------------------


def kind_of(problem: Problem) -> str:
    """"missing", "logic" (letter logic), "language" (plain-language rule on free text) or "data"."""
    found = _RULE_ID.match(problem.message)
    if found:
        return "logic" if found["rule"].startswith(("LO", "IN")) else "language"
    if problem.message.startswith("skal udfyldes"):
        return "missing"
    return "data"


_KEY = re.compile(r"\(?\b(?:meeting|self_booking|[a-z]+(?:_[a-z]+)+)\b\)?")
_KEY_LIST = re.compile(r": (?:[a-z]+(?:_[a-z]+)*(?:\.[\wæøå-]+)*(?:, )?)+\. ")


def danish(message: str, model: Any = None) -> str:
    """A message without the English field names some pipeline messages carry for integrators:
    a name becomes the field's Danish title, a list of regime keys is left out."""
    from ..problems import label_for_path

    message = _KEY_LIST.sub(". ", message)

    def title(m: re.Match) -> str:
        word = m.group(0)
        key = word.strip("()")
        label = label_for_path(model, key) if model is not None else None
        if label is None:
            return word
        return f"({label})" if word.startswith("(") else f"»{label}«"

    return _KEY.sub(title, message)


def problem_dict(problem: Problem, model: Any = None) -> dict:
    found = _RULE_ID.match(problem.message)
    message = danish(problem.message[found.end():] if found else problem.message, model)
    return {
        "path": problem.path,
        "label": problem.label or "",
        "message": message[:1].upper() + message[1:],
        "rule": found["rule"] if found else None,
        "kind": kind_of(problem),
        "level": "error",
    }


# --- preview -----------------------------------------------------------------------------------


def preview(event: str, data: Mapping[str, Any]) -> dict:
    """The letter as the citizen will see it (HTML), or every problem that stops it, each at
    the field it concerns; with plain-language findings on the free text and the Kort fortalt
    check when the letter can be made."""
    from ..pipeline import available_formats, build_case_letter
    from ..versions import template_set_for

    info = events.get(event)
    case_data = without_cpr(data)
    out: dict[str, Any] = {"ok": False, "html": None, "problems": [], "findings": [], "notes": [], "kort_fortalt": [], "formats": {}}
    try:
        case, letter = build_case_letter(event, case_data, templates=template_set_for())
    except CaseDataError as exc:
        out["problems"] = [problem_dict(p, info.model) for p in exc.problems]
        return out
    except BrevgenError as exc:
        out["problems"] = [{"path": "", "label": "", "message": "; ".join(exc.lines()), "rule": None, "kind": "letter", "level": "error"}]
        return out
    out["ok"] = True
    out["html"] = letter_page(letter)
    out["findings"] = free_text_findings(case, info.free_text)
    # Free-text findings stand at their fields; the rest in words without field names.
    out["notes"] = [danish(n, info.model) for n in letter.meta.notes if not n.startswith("Fritekst i ")]
    out["kort_fortalt"] = kort_fortalt_check(letter)
    formats = available_formats(letter, case)
    # MeMo asks for the CPR number only at the download; here it counts as there.
    formats["memo"] = _memo_needs(formats.get("memo"))
    out["formats"] = {name: formats.get(name) for name in DOWNLOADS}
    return out


def _memo_needs(reason: str | None) -> str | None:
    if reason is None:
        return None
    parts = [p for p in reason.split("; ") if "cpr" not in p.lower()]
    return "; ".join(parts) or None


def letter_page(letter: Letter) -> str:
    """The citizen's HTML page; stylesheets linked (the studio's CSP allows no inline style)."""
    from ..render.html import render_html

    links = "".join(f'<link rel="stylesheet" href="/brevfiler/{name}">\n' for name in PREVIEW_ASSETS)
    return render_html(letter, inline_css=False, extra_head=links)


def free_text_findings(case: Any, paths: tuple[str, ...]) -> list[dict]:
    """Warnings and suggestions of the plain-language rules on the caseworker's own words,
    each at its field (errors stop the letter and come as problems instead)."""
    from ..lint.gate import free_text_hits
    from ..problems import label_for_path

    out = []
    for path, rule, hit in free_text_hits(case, paths):
        if hit.level == "error":
            continue
        out.append({
            "path": path, "label": label_for_path(type(case), path) or "", "rule": rule.id, "kind": "language",
            "level": hit.level, "message": hit.message, "match": getattr(hit, "match", None),
        })
    return out


def _section_text(section: Section) -> str:
    parts = []
    for block in section.blocks:
        if isinstance(block, ListBlock):
            parts += [getattr(i, "text", "") if not isinstance(i, tuple) else "".join(r.text for r in i) for i in block.items]
        elif isinstance(block, Section):
            parts.append(_section_text(block))
        elif block.kind != "heading":
            parts.append(getattr(block, "text", ""))
    return " ".join(" ".join(parts).replace("\u00a0", " ").split())


def _said(when: dt.date | dt.datetime) -> str:
    day = when.date() if isinstance(when, dt.datetime) else when
    return f"{day.day}. {MONTHS[day.month - 1]}"


def kort_fortalt_check(letter: Letter) -> list[dict]:
    """Is the Kort fortalt box complete? It must be there, say something, and name the day of
    every meeting and every deadline the citizen must act on (not the complaint deadline,
    which belongs in the klagevejledning)."""
    box = next((b for b in letter.blocks if isinstance(b, Section) and b.role == "kort-fortalt"), None)
    text = _section_text(box) if box is not None else ""
    items = [{"text": "Brevet har en Kort fortalt-boks, der siger, hvad brevet handler om", "ok": bool(text)}]
    facts = letter.meta.facts
    if facts is None:
        return items
    for key, when in facts.moments:
        if key.endswith("_slutter"):
            continue
        items.append({"text": f"Kort fortalt nævner {key.replace('_', ' ')}: {_said(when)}", "ok": _said(when) in text})
    for deadline in facts.deadlines:
        if deadline.key in ("complaint_by", "cancel_by"):
            continue  # the complaint and moving the meeting are explained where they belong
        items.append({"text": f"Kort fortalt nævner fristen for at {deadline.what}: {_said(deadline.at)}", "ok": _said(deadline.at) in text})
    return items


# --- files ----------------------------------------------------------------------------------------


def make_file(event: str, data: Mapping[str, Any], fmt: str, cpr_number: str | None = None) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of the letter in ``fmt``, made by :func:`brevgen.generate_letter`
    exactly as the CLI and the API make it. MeMo takes the CPR number given here, nowhere else."""
    from ..api import generate_letter
    from ..render import get_format

    if fmt not in DOWNLOADS:
        raise DeskError(f"Ukendt format. Vælg en af: {', '.join(DOWNLOADS)}.")
    case = without_cpr(data)
    if fmt == "memo":
        if not cpr_number or not cpr_number.strip():
            raise DeskError("Skriv borgerens CPR-nummer for at lave brevet til Digital Post.", 422,
                            [{"path": "citizen.cpr", "label": "CPR-nummer", "message": "Skal udfyldes for at sende med Digital Post", "kind": "missing", "rule": None, "level": "error"}])
        citizen = dict(case.get("citizen") or {})
        citizen["cpr"] = cpr_number.strip()
        case["citizen"] = citizen
    try:
        result = generate_letter(event, case, [fmt])
    except CaseDataError as exc:
        problems = [problem_dict(p, events.get(event).model) for p in exc.problems]
        raise DeskError("Brevet kan ikke laves endnu. Ret det, der står ved felterne.", 422, problems) from None
    except UsageError as exc:
        raise DeskError("; ".join(exc.lines()), 422) from None
    return result.filename(fmt), get_format(fmt).media_type, result.files[fmt]


# --- import and export -------------------------------------------------------------------------------


def without_cpr(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the case without the CPR number (it is never shown, kept or written out)."""
    out = dict(data)
    citizen = out.get("citizen")
    if isinstance(citizen, Mapping) and "cpr" in citizen:
        out["citizen"] = {k: v for k, v in citizen.items() if k != "cpr"}
    return out


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def export_case(data: Mapping[str, Any], fmt: str) -> tuple[str, str, str]:
    """(file name, media type, text) of the filled case as JSON or YAML, as ``brevgen render``
    reads it: the same values the desk made the letter from, never a CPR number."""
    case = without_cpr(data)
    if any(cpr.contains(s) for s in _strings(case)):
        raise DeskError("Sagen har noget, der ligner et CPR-nummer, i et felt. Fjern det, før du gemmer sagen.", 422)
    ref = str(case.get("case_ref") or "sag")
    ref = re.sub(r"[^A-Za-z0-9._-]", "_", ref)[:64] or "sag"
    if fmt == "json":
        return f"{ref}.json", "application/json", json.dumps(case, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return f"{ref}.yaml", "application/yaml", yaml.safe_dump(case, allow_unicode=True, sort_keys=False, default_flow_style=False)
    raise DeskError("Vælg JSON eller YAML.")


def import_case(text: str, name: str = "sag.json") -> dict:
    """A case handed over as JSON (or YAML) text: its data for the form, without a CPR number
    (``cpr_dropped`` says one was there). The same reading limits as ``brevgen render``."""
    from ..casefile import DataRefused, parse_case_text

    suffix = ".json" if name.lower().endswith(".json") or text.lstrip().startswith("{") else ".yaml"
    try:
        data = parse_case_text(text, suffix)
    except DataRefused as exc:
        raise DeskError(f"Filen kan ikke læses ind: {exc.message}.", 422) from None
    except (ValueError, yaml.YAMLError):
        raise DeskError("Filen kan ikke læses ind: den er ikke gyldig JSON eller YAML.", 422) from None
    if not isinstance(data, dict):
        raise DeskError("Filen kan ikke læses ind: den skal være én sag (et JSON-objekt med felter).", 422)
    had_cpr = isinstance(data.get("citizen"), dict) and "cpr" in data["citizen"]
    data = json.loads(json.dumps(without_cpr(data), default=str))  # dates from YAML as text, as the form holds them
    return {"data": _iso_dates(data), "cpr_dropped": had_cpr}


def _iso_dates(value: Any) -> Any:
    """Danish dates ("10. december 2026 kl. 10.00") as the form's date and time controls hold them."""
    from ..casedata import parse_danish_date

    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    if isinstance(value, str):
        try:
            found = parse_danish_date(value)
        except ValueError:
            return value  # a date that does not exist: the form shows the field's error
        if found is not None:
            day, clock = found
            return day.isoformat() if clock is None else f"{day.isoformat()}T{clock:%H:%M}"
    return value


__all__ = ["DOWNLOADS", "DeskError", "export_case", "import_case", "kort_fortalt_check", "make_file", "preview", "without_cpr"]
