"""Lint output: compiler-style text, versioned JSON, and SARIF 2.1.0 (for code scanning).

Text lines look like a compiler's, so editors and CI can jump to them:

    templates/da/tilbud.md:80:1: warning KS09 Sætningen har 21 ord. ... [sagens data; 6 breve]
"""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__
from .findings import LEVEL_RANK, Finding, Report
from .required import RULE_INFO as IN_RULES
from .templates import KL_RULES

LEVEL_DA = {"error": "fejl", "warning": "advarsler", "suggestion": "forslag"}
SARIF_LEVEL = {"error": "error", "warning": "warning", "suggestion": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "brevgen-lint"


def _suffix(f: Finding, mode: str) -> str:
    notes = []
    loc = f.location
    if loc.origin == "data":
        notes.append("sagens data")
    elif loc.origin == "partial":
        notes.append("fælles del")
    if mode == "templates" and f.letters:
        notes.append(f"{len(f.letters)} brev" if len(f.letters) == 1 else f"{len(f.letters)} breve")
    return f" [{'; '.join(notes)}]" if notes else ""


def finding_line(f: Finding, mode: str = "files") -> str:
    return f"{f.location.where()}: {f.level} {f.rule_id} {f.message}{_suffix(f, mode)}"


def render_text(report: Report) -> str:
    out = [finding_line(f, report.mode) for f in report.shown()]
    if report.documents:
        out.append("")
        out.append("LIX (løbende tekst; se plain_language_rules/config.yml):")
        width = max(len(d.name) for d in report.documents)
        for d in report.documents:
            c = d.lix
            out.append(f"  {d.name:<{width}}  {c.lix:5.1f} {c.band:<10} {c.words} ord, {c.sentences} sætninger")
    if report.branches is not None:
        covered = sum(1 for b in report.branches if b.covered)
        out.append(f"Grene i skabelonerne: {covered} af {len(report.branches)} prøvet af eksemplerne.")
    counts = report.counts()
    silenced = len(report.silenced())
    summary = ", ".join(f"{counts[level]} {LEVEL_DA[level]}" for level in ("error", "warning", "suggestion"))
    out.append(f"I alt: {summary}; {silenced} undertrykt med begrundelse.")
    return "\n".join(out).lstrip("\n") + "\n"


def render_json(report: Report) -> str:
    counts = report.counts()
    payload = {
        "version": 1,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "mode": report.mode,
        "summary": {
            "errors": counts["error"],
            "warnings": counts["warning"],
            "suggestions": counts["suggestion"],
            "silenced": len(report.silenced()),
            "exit_code": report.exit_code,
        },
        "findings": [f.as_dict() for f in report.shown() + report.silenced()],
        "documents": [d.as_dict() for d in report.documents],
    }
    if report.branches is not None:
        payload["branches"] = {
            "covered": sum(1 for b in report.branches if b.covered),
            "total": len(report.branches),
            "not_covered": [b.as_dict() for b in report.branches if not b.covered],
        }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _rule_descriptors(report: Report) -> list[dict]:
    rules = report.rules
    descriptors = []
    for rule in rules.rules:
        spec = rule.spec
        d = {
            "id": spec.id,
            "name": spec.title,
            "shortDescription": {"text": spec.title},
            "defaultConfiguration": {"level": SARIF_LEVEL[rule.level]},
            "properties": {"file": rules.files.get(spec.id)},
        }
        if spec.why:
            d["fullDescription"] = {"text": " ".join(spec.why.split())}
        if spec.source and spec.source.startswith("https://"):
            d["helpUri"] = spec.source
        descriptors.append(d)
    used = {f.rule_id for f in report.findings}
    for rule_id, (title, level) in KL_RULES.items():
        if rule_id in used:
            descriptors.append({"id": rule_id, "name": title, "shortDescription": {"text": title}, "defaultConfiguration": {"level": SARIF_LEVEL[level]}})
    for rule_id, (title, why) in IN_RULES.items():
        if rule_id in used:
            descriptors.append(
                {"id": rule_id, "name": title, "shortDescription": {"text": title}, "fullDescription": {"text": why}, "defaultConfiguration": {"level": "error"}}
            )
    return descriptors


def render_sarif(report: Report) -> str:
    descriptors = _rule_descriptors(report)
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    floor = LEVEL_RANK[report.min_level]
    results = []
    for f in report.findings:
        if LEVEL_RANK[f.level] < floor:
            continue
        result: dict = {"ruleId": f.rule_id, "level": SARIF_LEVEL[f.level], "message": {"text": f.message}}
        if f.rule_id in index:
            result["ruleIndex"] = index[f.rule_id]
        loc = f.location
        if loc.file:
            physical: dict = {"artifactLocation": {"uri": quote(loc.file.replace("\\", "/"))}}
            if loc.line:
                region = {"startLine": loc.line}
                if loc.col:
                    region["startColumn"] = loc.col
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        props = {"origin": loc.origin}
        if loc.inserted_at:
            props["insertedAt"] = loc.inserted_at
        if f.letters:
            props["letters"] = list(f.letters)
        if f.suggestions:
            props["suggestions"] = list(f.suggestions)
        result["properties"] = props
        if f.silenced is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.silenced}]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "semanticVersion": __version__, "rules": descriptors}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _redacted(render):
    """A report names files and quotes text: no CPR number reaches it in any spelling."""
    from ..cpr import redact

    def wrapped(report: Report) -> str:
        return redact(render(report))

    wrapped.__name__ = render.__name__
    return wrapped


RENDERERS = {"text": _redacted(render_text), "json": _redacted(render_json), "sarif": _redacted(render_sarif)}
