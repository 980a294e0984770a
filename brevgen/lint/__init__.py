"""brevgen's klarsprog lint: plain-Danish rules, LIX and required content.

Rules live as YAML files in ``plain_language_rules/`` (see its README). The lint works on
the Letter model, so findings point to the template line that produced a sentence, and the
required-content check reads the roles templates put on sections.

    from brevgen.lint import load_rules, lint_paths
    report = lint_paths([Path("templates/da")], load_rules())
    report.exit_code  # 0 clean, 1 error findings

Modules: text (tokenizer, sentence splitter), lix (the index and what it is measured on),
schema (the shape of rule files), patterns (how rule files write patterns and messages),
engines (how each kind of rule finds problems), ruleset (loading the rule folder and running
it over a document), units (what rules read), required (required content), findings
(hits, findings, the report), templates (template lint, branch coverage, suppressions),
sources (.md/.txt/.html/.docx/.pdf), report (text, JSON, SARIF).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..templating import front_matter
from .findings import Report
from .ruleset import RuleSet, RuleSetError, load_rules

__all__ = ["Report", "RuleSet", "RuleSetError", "lint_case", "lint_paths", "load_rules"]

def _event_of(path: Path) -> str | None:
    """The event an event template is for (from its front matter); None for anything else."""
    if path.suffix != ".md" or not path.is_file():
        return None
    try:
        meta = front_matter(path.read_text(encoding="utf-8"))
    except Exception:  # broken front matter: not an event template here; compose reports it
        return None
    event = (meta or {}).get("event")
    return str(event) if event else None


def _is_event_template(path: Path) -> bool:
    return _event_of(path) is not None


def template_root_of(path: Path) -> Path | None:
    """The template folder a path belongs to (a folder holding event templates), if any."""
    path = path.resolve()
    candidates = [path] if path.is_dir() else []
    candidates += list(path.parents)[:3]
    for folder in candidates:
        if any(_is_event_template(p) for p in folder.glob("*.md")):
            return folder
    return None


def lint_paths(paths: Iterable[Path], rules: RuleSet, *, examples: Path | None = None, min_level: str = "suggestion") -> Report:
    """Lint template folders (with every example) and/or plain letter files; one report."""
    from .sources import SUFFIXES, read_source
    from .templates import lint_templates

    template_runs: dict[Path, set[str] | None] = {}
    files: list[Path] = []
    for path in paths:
        root = template_root_of(path)
        if root is not None and (path.is_dir() or path.suffix == ".md"):
            if path.is_file() and _is_event_template(path) and path.resolve().parent == root:
                event = _event_of(path)
                current = template_runs.setdefault(root, set())
                if current is not None:
                    current.add(event)
            else:
                template_runs[root] = None  # a partial or the folder: every event
        elif path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)

    report = Report(rules, mode="templates" if template_runs and not files else "files", min_level=min_level)
    for root, events in template_runs.items():
        part = lint_templates(root, rules, examples=examples, events=events, min_level=min_level)
        report.findings.extend(part.findings)
        report.documents.extend(part.documents)
        report.branches = (report.branches or []) + (part.branches or [])
    for path in files:
        source = read_source(path, heading_roles=rules.config.file_heading_roles)
        hits, result = rules.check(source.document)
        if source.blocks is not None and source.document.event:
            from .required import check_required

            anchor = source.document.anchor
            hits += check_required(source.blocks, source.document.event, rules.required, lambda role: anchor, origins_known=False)
            result.findings = len(hits)
        report.add(hits, None)
        report.documents.append(result)
    report.sort()
    return report


def lint_case(event: str, casefile: Path, rules: RuleSet, *, min_level: str = "suggestion") -> Report:
    """Compose the letter for one case file, exactly as ``brevgen render`` would, and lint it."""
    from ..casefile import read_case_file
    from ..pipeline import build_letter
    from ..templating import template_set
    from .templates import TemplateFiles, lint_letter

    templates = template_set()
    letter = build_letter(event, read_case_file(casefile), record=str(casefile), templates=templates)
    info = templates.events[event]
    hits, result = lint_letter(letter, rules, TemplateFiles(templates.root), info.name, str(casefile))
    report = Report(rules, mode="letter", min_level=min_level)
    report.add(hits, str(casefile))
    report.documents.append(result)  # type: ignore[arg-type]
    report.sort()
    return report


from .ruleset import default_rules  # noqa: E402  (the pipeline's checks share it)


def lint_text(text: str, name: str = "tekst", *, markdown: bool = True, rules: RuleSet | None = None) -> Report:
    """Lint a text given as a string (Markdown or plain), e.g. from the HTTP service."""
    from .sources import read_text_document

    rules = rules or default_rules()
    document = read_text_document(text, name, markdown=markdown, heading_roles=rules.config.file_heading_roles)
    hits, result = rules.check(document)
    report = Report(rules, mode="files")
    report.add(hits, None)
    report.documents.append(result)
    report.sort()
    return report


def letter_report(letter) -> dict:
    """The lint and required-content report of a composed Letter, ready for JSON.

    Registered as the ``lint`` report of the Python API and the HTTP envelope.
    """
    import json

    from ..templating import template_set
    from .report import render_json
    from .templates import TemplateFiles, lint_letter

    rules = default_rules()
    name = f"{letter.meta.event}/{letter.meta.case_ref}"
    templates = template_set()
    info = templates.events[letter.meta.event]
    hits, result = lint_letter(letter, rules, TemplateFiles(templates.root), info.name, name)
    report = Report(rules, mode="letter")
    report.add(hits, name)
    report.documents.append(result)  # type: ignore[arg-type]
    report.sort()
    data = json.loads(render_json(report))
    data["ok"] = report.exit_code == 0
    return data
