"""brevgen's klarsprog lint: plain-Danish rules, LIX and required content.

Rules live as YAML files in ``plain_language_rules/`` (see its README). The lint works on
the Letter model, so findings point to the template line that produced a sentence, and the
required-content check reads the roles templates put on sections.

    from brevgen.lint import load_rules, lint_paths
    report = lint_paths([Path("templates/da")], load_rules())
    report.exit_code  # 0 clean, 1 error findings

Modules: text (tokenizer, sentence splitter), lix, schema + rules (rule files), checks (rule
engines), units (what rules read), required (required content), linter (findings, report),
templates (template lint, branch coverage, suppressions), sources (.md/.txt/.html/.docx/.pdf),
report (text, JSON, SARIF).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .linter import Report, lint_document
from .rules import RuleSet, RuleSetError, load_rules

__all__ = ["Report", "RuleSet", "RuleSetError", "lint_case", "lint_paths", "load_rules"]

_EVENT_FRONT_MATTER = re.compile(r"\A---\n(?:.*\n)*?event:\s*\S+.*\n(?:.*\n)*?---\n")


def _is_event_template(path: Path) -> bool:
    if path.suffix != ".md" or not path.is_file():
        return False
    head = path.read_text(encoding="utf-8")[:2000]
    return bool(_EVENT_FRONT_MATTER.match(head))


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
                from ..compose import _FRONT_MATTER

                import yaml

                event = str((yaml.safe_load(_FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1)) or {}).get("event"))
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
        hits, result = lint_document(source.document, rules)
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
    from ..paths import templates_dir
    from ..pipeline import build_letter, template_set
    from ..validation import read_case_file
    from .templates import TemplateFiles, lint_letter

    letter = build_letter(event, read_case_file(casefile), record=str(casefile))
    info = template_set().events[event]
    hits, result = lint_letter(letter, rules, TemplateFiles(templates_dir()), info.name, str(casefile))
    report = Report(rules, mode="letter", min_level=min_level)
    report.add(hits, str(casefile))
    report.documents.append(result)  # type: ignore[arg-type]
    report.sort()
    return report


_DEFAULT_RULES: RuleSet | None = None


def default_rules() -> RuleSet:
    """The shipped rule set, loaded once per process (loading runs every rule's examples)."""
    global _DEFAULT_RULES
    if _DEFAULT_RULES is None:
        _DEFAULT_RULES = load_rules()
    return _DEFAULT_RULES


def lint_text(text: str, name: str = "tekst", *, markdown: bool = True, rules: RuleSet | None = None) -> Report:
    """Lint a text given as a string (Markdown or plain), e.g. from the HTTP service."""
    from .sources import read_text_document

    rules = rules or default_rules()
    document = read_text_document(text, name, markdown=markdown, heading_roles=rules.config.file_heading_roles)
    hits, result = lint_document(document, rules)
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

    from ..paths import templates_dir
    from ..pipeline import template_set
    from .report import render_json
    from .templates import TemplateFiles, lint_letter

    rules = default_rules()
    name = f"{letter.meta.event}/{letter.meta.case_ref}"
    info = template_set().events[letter.meta.event]
    hits, result = lint_letter(letter, rules, TemplateFiles(templates_dir()), info.name, name)
    report = Report(rules, mode="letter")
    report.add(hits, name)
    report.documents.append(result)  # type: ignore[arg-type]
    report.sort()
    data = json.loads(render_json(report))
    data["ok"] = report.exit_code == 0
    return data
