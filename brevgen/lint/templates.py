"""Lint templates, not just letters: every event template rendered with every example case.

Each example goes through brevgen's own pipeline (validation, context, ``compose_letter``),
and the resulting Letter is linted. Every finding points to the template file and line that
produced the sentence (or says it came from the case data, or from a shared partial), and
findings are merged across examples by template position.

Branch coverage: the Jinja AST of each template is instrumented at compile time with a probe
at the start of every ``{% if %}``, ``{% elif %}`` and ``{% else %}`` body. A branch no example
reached is reported (KL10): its text was never linted.

Suppression: a Jinja comment silences named rules on its own line (if the line has text) or
on the next line with text, and must give a reason after a dash:

    {# klarsprog: tillad KS07 – lovpligtig formulering #}

A suppression without a reason (KL01), with an unknown rule id (KL02) or that silences nothing
(KL03) is itself a finding. Silenced findings are counted in the report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import nodes

from ..casefile import CASE_SUFFIXES, read_case_file
from ..templating import TemplateSet
from ..errors import BrevgenError, TemplateError
from ..letter import Letter
from .findings import Branch, Hit, Report
from .required import check_required
from .ruleset import RuleSet
from .units import Location, letter_document

PROBE = "_klarsprog_probe"

_SUPPRESSION = re.compile(r"\{#-?\s*klarsprog\s*:\s*(?P<body>.*?)\s*-?#\}", re.S)
_ALLOW = re.compile(r"^tillad\s+(?P<ids>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)\s*(?:[–—-]+\s*(?P<reason>.*))?$", re.S)
_JINJA_TAGS = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
_HTML_ONLY = re.compile(r"^\s*</?[A-Za-z][^>]*>\s*$")

KL_RULES = {
    "KL01": ("Undtagelse uden begrundelse", "error"),
    "KL02": ("Undtagelse for en ukendt regel", "error"),
    "KL03": ("Undtagelse, der ikke bruges", "warning"),
    "KL04": ("Ukendt klarsprog-kommentar", "error"),
    "KL10": ("Gren uden eksempel", "warning"),
    "KL20": ("Eksemplet kan ikke laves", "error"),
    "KL21": ("Brevtype uden eksempler", "warning"),
}


# --- instrumentation ---------------------------------------------------------------------------


def real_ifs(tree: nodes.Node) -> list[nodes.If]:
    """The ``{% if %}`` nodes in source order (Jinja stores each elif as an If inside ``elif_``)."""
    found = list(tree.find_all(nodes.If))
    elifs = {id(e) for n in found for e in n.elif_}
    return [n for n in found if id(n) not in elifs]


def _probe(env, name: str, index: int, branch: int, lineno: int) -> nodes.Node:
    call = nodes.Call(nodes.Name(PROBE, "load"), [nodes.Const(name), nodes.Const(index), nodes.Const(branch)], [], None, None)
    stmt = nodes.ExprStmt(call)
    stmt.set_lineno(lineno)
    stmt.set_environment(env)
    return stmt


def instrument(env, tree: nodes.Template, name: str | None) -> nodes.Template:
    for index, node in enumerate(real_ifs(tree)):
        node.body.insert(0, _probe(env, name or "", index, 0, node.lineno))
        for b, elif_node in enumerate(node.elif_, start=1):
            elif_node.body.insert(0, _probe(env, name or "", index, b, elif_node.lineno))
        if node.else_:
            node.else_.insert(0, _probe(env, name or "", index, len(node.elif_) + 1, node.lineno))
    return tree


_coverage_classes: dict[type, type] = {}


def _coverage_class(base: type) -> type:
    if base not in _coverage_classes:

        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            if isinstance(source, str):
                source = instrument(self, self.parse(source, name, filename), name)
            return base.compile(self, source, name, filename, raw, defer_init)

        _coverage_classes[base] = type(f"Coverage{base.__name__}", (base,), {"compile": compile})
    return _coverage_classes[base]


class CoverageTemplateSet(TemplateSet):
    """brevgen's TemplateSet whose compiled templates record which branches ran."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.hits: set[tuple[str, int, int]] = set()
        # Same environment and settings as the pipeline's; only compile() gains the probes.
        self.env.__class__ = _coverage_class(type(self.env))
        self.env.globals[PROBE] = self._record

    def _record(self, name: str, index: int, branch: int) -> str:
        self.hits.add((name, index, branch))
        return ""


# --- branches (for the report) -----------------------------------------------------------------


@dataclass
class IfChain:
    index: int
    tags: list[tuple[int, str]] = field(default_factory=list)  # (line, tag text) per branch


_BLOCK_OPENERS = {"for", "block", "macro", "call", "filter", "with", "autoescape", "raw", "trans"}


def if_chains(env, source: str) -> list[IfChain]:
    """Every if/elif/else tag with its line, in source order, from Jinja's own lexer."""
    tokens = [t for t in env.lex(source)]
    chains: list[IfChain] = []
    stack: list[IfChain | str] = []
    i = 0
    while i < len(tokens):
        line, kind, value = tokens[i]
        if kind != "block_begin":
            i += 1
            continue
        j = i + 1
        parts = [value]
        while j < len(tokens) and tokens[j][1] != "block_end":
            parts.append(tokens[j][2])
            j += 1
        if j < len(tokens):
            parts.append(tokens[j][2])
        words = [t for t in tokens[i + 1 : j] if t[1] == "name"]
        keyword = words[0][2] if words else ""
        tag = " ".join("".join(parts).split())
        if keyword == "if":
            chain = IfChain(len(chains), [(line, tag)])
            chains.append(chain)
            stack.append(chain)
        elif keyword in ("elif", "else"):
            if stack and isinstance(stack[-1], IfChain):
                stack[-1].tags.append((line, tag))
        elif keyword in _BLOCK_OPENERS:
            stack.append(keyword)
        elif keyword == "set" and not any(t[1] == "operator" and t[2] == "=" for t in tokens[i + 1 : j]):
            stack.append("set")
        elif keyword.startswith("end") and stack:
            stack.pop()
        i = j + 1
    return chains


# --- suppressions ------------------------------------------------------------------------------


@dataclass
class Suppression:
    file: str  # display path
    line: int  # where the comment starts
    col: int
    target: int  # the line it silences
    ids: tuple[str, ...]
    reason: str | None
    used: bool = False


def _line_has_text(line: str) -> bool:
    rest = _JINJA_TAGS.sub("", line)
    return bool(rest.strip()) and not _HTML_ONLY.match(rest)


def find_suppressions(source: str, display: str) -> tuple[list[Suppression], list[Hit]]:
    lines = source.split("\n")
    found: list[Suppression] = []
    problems: list[Hit] = []
    for m in _SUPPRESSION.finditer(source):
        start_line = source.count("\n", 0, m.start()) + 1
        end_line = source.count("\n", 0, m.end()) + 1
        col = m.start() - (source.rfind("\n", 0, m.start()) + 1) + 1
        where = Location(display, start_line, col, "partial" if "partials/" in display else "template")
        body = " ".join(m.group("body").split())
        allow = _ALLOW.match(body)
        if not allow:
            problems.append(Hit("KL04", "error", f"Ukendt klarsprog-kommentar '{body}'. Skriv fx '{{# klarsprog: tillad KS07 – begrundelse #}}'.", where, match=body))
            continue
        ids = tuple(x.strip() for x in allow.group("ids").split(","))
        reason = (allow.group("reason") or "").strip() or None
        own_line = lines[start_line - 1]
        if start_line == end_line and _line_has_text(own_line.replace(m.group(), "")):
            target = start_line
        else:
            target = next((n for n in range(end_line + 1, len(lines) + 1) if _line_has_text(lines[n - 1])), end_line + 1)
        found.append(Suppression(display, start_line, col, target, ids, reason))
    return found, problems


# --- the template lint ---------------------------------------------------------------------------


class TemplateFiles:
    """Paths and raw lines of the templates, as printed in findings."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._lines: dict[str, list[str]] = {}
        self._display: dict[str, str] = {}
        self._names: list[str] | None = None
        self._roles: dict[tuple[str, str], Location] = {}

    def display(self, name: str) -> str:
        if name not in self._display:
            self._display[name] = self._relative(name)
        return self._display[name]

    def _relative(self, name: str) -> str:
        path = self.root / name
        try:
            rel = os.path.relpath(path)
        except ValueError:
            return str(path)
        return str(path) if rel.startswith("..") else rel

    def lines(self, name: str) -> list[str] | None:
        if name not in self._lines:
            path = self.root / name
            self._lines[name] = path.read_text(encoding="utf-8").split("\n") if path.is_file() else []
        return self._lines[name] or None

    def names(self) -> list[str]:
        if self._names is None:
            self._names = sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*.md"))
        return self._names

    def subject_location(self, name: str) -> Location:
        for i, line in enumerate(self.lines(name) or [], start=1):
            if line.startswith("subject:"):
                return Location(self.display(name), i, 1, "template")
        return Location(self.display(name), 1, 1, "template")

    def role_location(self, event_template: str, role: str) -> Location:
        key = (event_template, role)
        if key not in self._roles:
            self._roles[key] = self._find_role(event_template, role)
        return self._roles[key]

    def _find_role(self, event_template: str, role: str) -> Location:
        needle = f'data-role="{role}"'
        for name in [event_template, *[n for n in self.names() if n != event_template]]:
            for i, line in enumerate(self.lines(name) or [], start=1):
                col = line.find(needle)
                if col >= 0:
                    origin = "partial" if name.startswith("partials/") else "template"
                    return Location(self.display(name), i, col + 1, origin)
        return Location(self.display(event_template), 1, 1, "template")


def lint_letter(letter: Letter, rules: RuleSet, files: TemplateFiles, event_template: str, name: str) -> tuple[list[Hit], object]:
    """Lint one composed letter: text rules, LIX and required content, mapped to its templates."""
    doc = letter_document(
        letter,
        source_lines=files.lines,
        display=files.display,
        subject_location=files.subject_location(event_template),
        anchor=Location(files.display(event_template), 1, 1, "template"),
        name=name,
    )
    hits, result = rules.check(doc)
    hits += check_required(letter.blocks, letter.meta.event, rules.required, lambda role: files.role_location(event_template, role))
    result.findings = len(hits)
    return hits, result


def default_examples_dir(templates_root: Path) -> Path:
    from ..paths import examples_dir

    candidate = templates_root.resolve().parent.parent / "examples"
    return candidate if candidate.is_dir() else examples_dir()


def lint_templates(
    root: Path,
    rules: RuleSet,
    *,
    examples: Path | None = None,
    events: Iterable[str] | None = None,
    min_level: str = "suggestion",
) -> Report:
    from ..compose import compose_letter
    from ..validation import validate_case

    root = root.resolve()
    examples = (examples or default_examples_dir(root)).resolve()
    templates = CoverageTemplateSet(root)
    files = TemplateFiles(root)
    report = Report(rules, mode="templates", min_level=min_level)
    wanted = set(events) if events is not None else None

    for event, info in sorted(templates.events.items()):
        if wanted is not None and event not in wanted:
            continue
        cases = sorted(p for p in (examples / event).glob("*") if p.suffix in CASE_SUFFIXES) if (examples / event).is_dir() else []
        if not cases:
            where = Location(files.display(info.name), 1, 1, "template")
            report.add([Hit("KL21", "warning", f"Brevtypen '{event}' har ingen eksempler i {examples / event}. Skabelonen bliver ikke tjekket.", where)], None)
        for case_path in cases:
            label = f"{event}/{case_path.stem}"
            try:
                case = validate_case(event, read_case_file(case_path), templates.regimes, record=label)
                letter = compose_letter(event, case, templates=templates)
            except BrevgenError as exc:
                if isinstance(exc, TemplateError) and exc.template:
                    # A broken template is one finding at its line, naming every example it stops.
                    where = Location(files.display(exc.template), exc.line or 1, 1, "partial" if exc.template.startswith("partials/") else "template")
                    text = exc.message.removeprefix(f"{exc.template}:{exc.line}: " if exc.line else f"{exc.template}: ")
                    report.add([Hit("KL20", "error", f"Brevet kan ikke laves: {text}", where, match=text)], label)
                    continue
                where = Location(_display_path(case_path), 1, 1, "file")
                report.add([Hit("KL20", "error", f"Eksemplet {label} kan ikke laves: {exc.message}", where)], label)
                continue
            hits, result = lint_letter(letter, rules, files, info.name, label)
            report.add(hits, label)
            report.documents.append(result)  # type: ignore[arg-type]

    skip = {info.name for event, info in templates.events.items() if wanted is not None and event not in wanted}
    report.branches = _branches(templates, files, report, skip)
    _apply_suppressions(report, files, rules)
    report.sort()
    return report


def _display_path(path: Path) -> str:
    rel = os.path.relpath(path.resolve())
    return str(path) if rel.startswith("..") else rel


def _branches(templates: CoverageTemplateSet, files: TemplateFiles, report: Report, skip: set[str]) -> list[Branch]:
    """Every branch of the templates linted (other events' templates left out when asked)."""
    branches: list[Branch] = []
    hits: list[Hit] = []
    for name in files.names():
        if name in skip:
            continue
        try:
            source, _, _ = templates.loader.get_source(templates.env, name)
            tree = templates.env.parse(source, name)
        except Exception:  # a broken template is reported by rendering it, not here
            continue
        chains = if_chains(templates.env, source)
        ifs = real_ifs(tree)
        for index, node in enumerate(ifs):
            chain = chains[index] if index < len(chains) and chains[index].tags[0][0] == node.lineno else None
            count = 1 + len(node.elif_) + (1 if node.else_ else 0)
            for b in range(count):
                if chain and b < len(chain.tags):
                    line, tag = chain.tags[b]
                else:
                    line, tag = node.lineno, "{% if %}"
                covered = (name, index, b) in templates.hits
                branch = Branch(files.display(name), line, tag, covered)
                branches.append(branch)
                if not covered:
                    col = ((files.lines(name) or [""] * line)[line - 1].find(tag[:5]) + 1) or 1
                    where = Location(branch.file, line, col, "partial" if name.startswith("partials/") else "template")
                    hits.append(Hit("KL10", "warning", f"Intet eksempel når grenen {tag}. Dens tekst er ikke tjekket: tilføj et eksempel i examples/.", where, match=tag))
    report.add(hits, None)
    return branches


def _apply_suppressions(report: Report, files: TemplateFiles, rules: RuleSet) -> None:
    suppressions: list[Suppression] = []
    problems: list[Hit] = []
    for name in files.names():
        found, bad = find_suppressions("\n".join(files.lines(name) or []), files.display(name))
        suppressions.extend(found)
        problems.extend(bad)
    known = rules.known_ids | set(KL_RULES) | {"IN01", "IN02", "IN03"}
    active: list[Suppression] = []
    for s in suppressions:
        where = Location(s.file, s.line, s.col, "partial" if "partials/" in s.file else "template")
        unknown = [i for i in s.ids if i not in known]
        if unknown:
            problems.append(Hit("KL02", "error", f"Undtagelsen nævner en ukendt regel: {', '.join(unknown)}.", where, match=", ".join(unknown)))
        if s.reason is None:
            problems.append(
                Hit("KL01", "error", f"Undtagelsen for {', '.join(s.ids)} mangler en begrundelse. Skriv den efter en tankestreg: 'tillad {s.ids[0]} – fordi …'.", where, match=", ".join(s.ids))
            )
            continue
        active.append(s)
    for finding in report.findings:
        loc = finding.location
        for s in active:
            if finding.rule_id in s.ids and loc.file == s.file and loc.line == s.target:
                finding.silenced = s.reason
                s.used = True
    for s in active:
        if not s.used:
            where = Location(s.file, s.line, s.col, "partial" if "partials/" in s.file else "template")
            problems.append(Hit("KL03", "warning", f"Undtagelsen for {', '.join(s.ids)} bruges ikke: linje {s.target} har ingen sådanne fund. Fjern den.", where, match=", ".join(s.ids)))
    report.add(problems, None)
