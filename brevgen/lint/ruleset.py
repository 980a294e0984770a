"""The rule set: ``plain_language_rules/`` loaded (rule files, vocabularies, config and
required content) and run over a document.

Every problem in every file is collected and reported at once, each with file, line and
field, in Danish (mkdocs style), and then loading stops: a lint with a half-loaded rule set
would pass letters it should fail. A rule whose own examples do not behave is a broken rule.

YAML 1.1 turns unquoted ``no``, ``yes``, ``on`` and ``off`` into booleans, which would make a
Danish word list lose words ("no" is not Danish, but "on" appears in abbreviations and a
Norwegian cognate list could contain "no"). Rule files are read with a loader where only
``true`` and ``false`` are booleans (as in YAML 1.2); everything else stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import BrevgenError
from ..paths import rules_dir
from ..problems import field_path, translate
from . import engines, logic, patterns, terms as termsmod
from .findings import DocumentResult, Hit
from .lix import lix_counts
from .sources import heading_role
from .schema import PLACEHOLDERS, RULE_ID, RULE_TYPES, Config, Example, RequiredContent, RuleBase, Terms
from .text import Analyzer, read_abbreviations
from .units import Document, Location, plain_unit

CONFIG_FILE = "config.yml"
REQUIRED_FILE = "indhold.yml"
TERMS_FILE = "termer.yml"
VOCABULARY_DIR = "vocabulary"
RESERVED_IDS = re.compile(r"^(KL|IN)\d{2}$")  # findings about suppressions and required content


# --- YAML --------------------------------------------------------------------------------------


class RuleLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (YAML 1.2), so 'no', 'on', 'yes' stay text."""


RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    loader = RuleLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def node_line(node: yaml.Node | None, path: tuple) -> int | None:
    """The line of the deepest YAML node on ``path`` (for 'file:line' in error messages)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for key in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    child = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


# --- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleProblem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"felt '{self.field}': " if self.field else ""
        return f"{where}: {what}{self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class RuleSetError(BrevgenError):
    """The rule files are broken. Exit code 2: the lint cannot judge anything with them."""

    code = "rules"
    exit_code = 2

    def __init__(self, problems: list[RuleProblem]):
        self.problems = problems
        n = len(problems)
        super().__init__(f"reglerne har {n} fejl: " + "; ".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def as_dict(self) -> dict:
        return {"code": self.code, "problems": [p.as_dict() for p in self.problems]}


# Rule files hold no personal data, so the wrong value is quoted back to the person editing them.
_RULE_PATTERNS = {RULE_ID: "skal have formen KS01 eller KS01a: to store bogstaver, to cifre"}


def schema_problems(exc: ValidationError, model: type[BaseModel], file: str, node: yaml.Node | None) -> list[RuleProblem]:
    return [
        RuleProblem(file, node_line(node, t.loc), field_path(t.loc, count_from=0) or None, t.message)
        for t in translate(model, exc, echo_input=True, pattern_messages=_RULE_PATTERNS)
    ]


# --- the rule set ------------------------------------------------------------------------------


@dataclass
class RuleSet:
    root: Path
    config: Config
    required: RequiredContent
    rules: list[engines.CompiledRule]
    analyzer: Analyzer
    vocab: dict[str, set[str]]
    files: dict[str, str] = field(default_factory=dict)  # rule id -> rule file (relative)

    def rule(self, rule_id: str) -> engines.CompiledRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def known_ids(self) -> set[str]:
        return set(self.files)

    def check(self, doc: Document) -> tuple[list[Hit], DocumentResult]:
        """Every rule's hits on one document, and its LIX (whole and per section)."""
        doc.analyse(self.analyzer)
        hits: list[Hit] = []
        for rule in self.rules:
            if logic.applies(rule, doc):
                hits.extend(rule.check(doc))
        total, sections = lix_counts(doc, self.config)
        return hits, DocumentResult(doc.name, doc.event, total, sections, findings=len(hits))


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.parent != path else str(path)
    except ValueError:
        return str(path)


def load_rules(root: Path | None = None) -> RuleSet:
    """Load and check every file under ``root``; raise RuleSetError with all problems found."""
    root = (root or rules_dir()).resolve()
    problems: list[RuleProblem] = []
    if not root.is_dir():
        raise RuleSetError([RuleProblem(str(root), None, None, "mappen med regler findes ikke")])

    config = _load_model(root / CONFIG_FILE, Config, root, problems, required=True) or Config()
    required = _load_model(root / REQUIRED_FILE, RequiredContent, root, problems, required=False) or RequiredContent()

    vocab_dir = root / VOCABULARY_DIR
    vocab: dict[str, set[str]] = {}
    abbreviations: dict[str, bool] = {}
    for path in sorted(vocab_dir.glob("*.txt")) if vocab_dir.is_dir() else []:
        if path.stem == "abbreviations":
            abbreviations = read_abbreviations(path)
            vocab[path.stem] = set(abbreviations)
        else:
            vocab[path.stem] = {line.lower() for line in read_word_list(path)}
    if not abbreviations:
        problems.append(RuleProblem(_rel(vocab_dir / "abbreviations.txt", root), None, None, "listen over forkortelser mangler"))
    accept = patterns.Exceptions(read_word_list(vocab_dir / "accept.txt") if (vocab_dir / "accept.txt").is_file() else ())
    terms = _load_model(root / TERMS_FILE, Terms, root, problems, required=False) or Terms()
    problems.extend(_term_problems(terms, _rel(root / TERMS_FILE, root)))
    vocab["terms"] = {w.lower() for t in terms.terms for w in (t.term, *t.forms) if not patterns.is_regex(w)}
    ctx = engines.Context(config=config, vocab=vocab, accept=accept, terms=terms.terms)
    analyzer = Analyzer(abbreviations)

    specs: list[tuple[str, RuleBase]] = []
    ids: dict[str, str] = {}
    for path in sorted(root.rglob("*.yml")) + sorted(root.rglob("*.yaml")):
        rel = _rel(path, root)
        if path.parent == root or path.parts[-2].startswith("_"):
            continue  # config.yml, indhold.yml, termer.yml, _schema/
        spec = _load_rule(path, rel, problems, vocab)
        if spec is None:
            continue
        if spec.id in ids:
            problems.append(RuleProblem(rel, 1, "id", f"id'et {spec.id} bruges også i {ids[spec.id]}"))
            continue
        ids[spec.id] = rel
        specs.append((rel, spec))

    for rule_id in [*config.disabled, *config.levels]:
        if rule_id not in ids:
            problems.append(RuleProblem(_rel(root / CONFIG_FILE, root), None, "disabled/levels", f"ukendt regel {rule_id}"))

    compiled: list[engines.CompiledRule] = []
    for rel, spec in specs:
        try:
            rule = compile_rule(spec, ctx)
        except (patterns.PatternError, re.error) as exc:
            problems.append(RuleProblem(rel, None, None, str(exc)))
            continue
        problems.extend(run_examples(rule, rel, ctx, analyzer))
        if spec.enabled and spec.id not in config.disabled:
            compiled.append(rule)

    problems.extend(_run_term_examples(terms, compiled, _rel(root / TERMS_FILE, root), analyzer))
    if problems:
        raise RuleSetError(problems)
    return RuleSet(root, config, required, compiled, analyzer, vocab, files={s.id: rel for rel, s in specs})


def _term_problems(terms: Terms, rel: str) -> list[RuleProblem]:
    problems = []
    seen: dict[str, int] = {}
    for i, term in enumerate(terms.terms):
        key = term.term.lower()
        if key in seen:
            problems.append(RuleProblem(rel, None, f"terms[{i}].term", f"'{term.term}' står også som terms[{seen[key]}]"))
        seen[key] = i
        if term.legal and not (term.explanation and term.explained_by):
            problems.append(RuleProblem(rel, None, f"terms[{i}]", f"'{term.term}' er et fagord (legal: true): skriv explanation og explained_by"))
        for j, pattern in enumerate([*term.forms, *term.banned, *term.explained_by]):
            try:
                patterns.pattern_source(pattern)
            except patterns.PatternError as exc:
                problems.append(RuleProblem(rel, None, f"terms[{i}]", str(exc)))
    return problems


def _run_term_examples(terms: Terms, compiled: list, rel: str, analyzer: Analyzer) -> list[RuleProblem]:
    """Each term's own examples against the terminology rules; a legal term's explanation must
    satisfy the glossary check, and the bare term must not."""
    rules = [r for r in compiled if r.spec.type == "terminology"]
    if not rules:
        return []
    problems = []

    def hits(text: str) -> list[Hit]:
        doc = Document([plain_unit(p.strip()) for p in re.split(r"\n\s*\n", text) if p.strip()], Location(None, origin="file"), name="eksempel")
        doc.analyse(analyzer)
        return [h for r in rules for h in r.check(doc)]

    for i, term in enumerate(terms.terms):
        for j, text in enumerate(term.examples.flags):
            if not hits(text):
                problems.append(RuleProblem(rel, None, f"terms[{i}].examples.flags[{j}]", f"reglerne fanger ikke eksemplet: {text!r}"))
        for j, text in enumerate(term.examples.passes):
            found = hits(text)
            if found:
                problems.append(RuleProblem(rel, None, f"terms[{i}].examples.passes[{j}]", f"reglerne fanger eksemplet ({found[0].match!r}): {text!r}"))
        for b in term.banned:
            if not patterns.is_regex(b) and not hits(f"Her står {b} i en sætning."):
                problems.append(RuleProblem(rel, None, f"terms[{i}].banned", f"'{b}' bliver ikke fanget"))
        if term.legal and term.explanation:
            found = [h for h in hits(term.explanation) if h.rule_id in {r.id for r in rules if r.spec.check == "explained"}]
            if found:
                problems.append(RuleProblem(rel, None, f"terms[{i}].explanation", f"forklaringen forklarer ikke '{term.term}' efter explained_by"))
    return problems


_DEFAULT: dict[Path, RuleSet] = {}


def default_rules() -> RuleSet:
    """The rule set in ``rules_dir()`` (BREVGEN_RULES or plain_language_rules/), loaded once per
    process: loading runs every rule's examples. The pipeline's checks and the lint share it."""
    root = rules_dir().resolve()
    if root not in _DEFAULT:
        _DEFAULT[root] = load_rules(root)
    return _DEFAULT[root]


def compile_rule(spec: RuleBase, ctx: engines.Context) -> engines.CompiledRule:
    """Text rules (engines) and the letter logic, contradiction and rare-word rules (logic)."""
    kinds = {**engines.ENGINES, **logic.ENGINES, **termsmod.ENGINES}
    return kinds[spec.type](spec, ctx)  # type: ignore[attr-defined]


def read_word_list(path: Path) -> list[str]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _load_model(path: Path, model: type[BaseModel], root: Path, problems: list[RuleProblem], required: bool):
    rel = _rel(path, root)
    if not path.is_file():
        if required:
            problems.append(RuleProblem(rel, None, None, "filen mangler"))
        return None
    try:
        data, node = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(rel, exc))
        return None
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        problems.extend(schema_problems(exc, model, rel, node))
        return None


def _yaml_problem(rel: str, exc: yaml.YAMLError) -> RuleProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else None
    return RuleProblem(rel, line, None, f"filen er ikke gyldig YAML: {getattr(exc, 'problem', exc)}")


def _load_rule(path: Path, rel: str, problems: list[RuleProblem], vocab: dict[str, set[str]]) -> RuleBase | None:
    try:
        data, node = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(rel, exc))
        return None
    if not isinstance(data, dict):
        problems.append(RuleProblem(rel, 1, None, "en regel skal være en række 'nøgle: værdi'"))
        return None
    kind = data.get("type")
    model = RULE_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        problems.append(RuleProblem(rel, node_line(node, ("type",)), "type", f"skal være en af: {', '.join(RULE_TYPES)} (fik {kind!r})"))
        return None
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(schema_problems(exc, model, rel, node))
        return None
    before = len(problems)
    _semantic_checks(spec, rel, node, vocab, problems)
    return spec if len(problems) == before else None


def _semantic_checks(spec: RuleBase, rel: str, node, vocab, problems: list[RuleProblem]) -> None:
    def add(path: tuple, message: str) -> None:
        problems.append(RuleProblem(rel, node_line(node, path), field_path(path, count_from=0), message))

    if RESERVED_IDS.match(spec.id):
        add(("id",), "id'er, der begynder med KL eller IN, er forbeholdt brevgen selv")
    unknown = message_fields_safe(spec.message) - PLACEHOLDERS[spec.type]  # type: ignore[attr-defined]
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS[spec.type]))  # type: ignore[attr-defined]
        add(("message",), f"ukendt pladsholder {', '.join('{' + u + '}' for u in sorted(unknown))}. Brug {allowed}")
    names: list[tuple[tuple, str]] = []
    for attr in ("words_from", "exceptions_from"):
        for i, name in enumerate(getattr(spec, attr, []) or []):
            names.append(((attr, i), name))
    for a, seq in enumerate(getattr(spec, "match_any", []) or []):
        for s, step in enumerate(seq):
            for attr in ("words_from", "not_from"):
                for i, name in enumerate(getattr(step, attr)):
                    names.append((("match_any", a, s, attr, i), name))
    for path, name in names:
        if name not in vocab:
            add(path, f"ordlisten '{name}' findes ikke i vocabulary/ (kendte: {', '.join(sorted(vocab))})")
    if spec.type == "existence" and not (spec.tokens or spec.words_from):  # type: ignore[attr-defined]
        add(("tokens",), "en existence-regel skal have tokens eller words_from")
    if spec.type == "metric":  # type: ignore[attr-defined]
        m = spec
        if m.max is None and m.min is None:  # type: ignore[attr-defined]
            add(("max",), "en metric-regel skal have max eller min")
        if m.measure == "matching_words" and not m.words:  # type: ignore[attr-defined]
            add(("words",), "measure: matching_words kræver words")
        if m.measure == "fronted_clause" and not m.openers:  # type: ignore[attr-defined]
            add(("openers",), "measure: fronted_clause kræver openers")
        if m.error_max is not None and m.max is not None and m.error_max < m.max:  # type: ignore[attr-defined]
            add(("error_max",), "error_max skal være større end max")
    if spec.examples.fixes:
        if spec.type != "substitution":  # type: ignore[attr-defined]
            add(("examples", "fixes"), "fixes kan kun bruges i en substitution-regel")
    for attr in ("tokens", "exceptions", "words", "statement", "contradicts", "call_words", "write_words", "us_words"):
        for i, pattern in enumerate(getattr(spec, attr, []) or []):
            try:
                patterns.pattern_source(pattern)
            except patterns.PatternError as exc:
                add((attr, i), str(exc))
    for g, group in enumerate(getattr(spec, "says", []) or []):
        for i, pattern in enumerate(group):
            try:
                patterns.pattern_source(pattern)
            except patterns.PatternError as exc:
                add(("says", g, i), str(exc))
    for i, statement in enumerate(getattr(spec, "statements", []) or []):
        try:
            patterns.pattern_source(statement.says)
        except patterns.PatternError as exc:
            add(("statements", i, "says"), str(exc))
    if spec.type == "logic":  # type: ignore[attr-defined]
        needs = {"dates_agree": "statements", "must_say": "says", "before_signature": "after_signature"}.get(spec.check)  # type: ignore[attr-defined]
        if needs and not getattr(spec, needs):
            add((needs,), f"check: {spec.check} kræver {needs}")  # type: ignore[attr-defined]
    for i, key in enumerate(getattr(spec, "swap", {}) or {}):
        try:
            patterns.pattern_source(key)
        except patterns.PatternError as exc:
            add(("swap", key), str(exc))


def message_fields_safe(template: str) -> set[str]:
    try:
        return patterns.message_fields(template)
    except ValueError:
        return {"<ugyldig>"}


# --- examples ----------------------------------------------------------------------------------


_ROLE_MARK = re.compile(r"^\[(?P<role>[\w-]+)\]\s*")


def example_document(example: Example, rule: engines.CompiledRule, analyzer: Analyzer) -> Document:
    """An example as a document: paragraphs split at blank lines; "## " makes a heading (whose
    role, from config's file_heading_roles, covers what follows), "[rolle] " gives one paragraph
    a role; ``facts`` are the case behind it."""
    scope = rule.spec.scope
    kind = example.kind or ("body" if "body" in scope else scope[0])
    base = (example.role,) if example.role else ()
    heading_roles = rule.ctx.config.file_heading_roles
    units = []
    section: tuple[str, ...] = ()
    for part in (p.strip() for p in re.split(r"\n\s*\n", example.text)):
        if not part:
            continue
        if part.startswith("## "):
            title = part[3:].strip()
            section = heading_role(title, heading_roles)
            units.append(plain_unit(title, "heading", base + section))
            continue
        mark = _ROLE_MARK.match(part)
        roles = base + section
        if mark:
            roles, part = base + (mark.group("role"),), part[mark.end() :]
        units.append(plain_unit(part, kind, roles))
    facts = logic.facts_from_example(example.facts) if example.facts is not None else None
    return Document(units, Location(None, origin="file"), name="eksempel", facts=facts).analyse(analyzer)


def example_hits(rule: engines.CompiledRule, doc: Document) -> list[Hit]:
    return rule.check(doc) if logic.applies(rule, doc) else []


def run_examples(rule: engines.CompiledRule, rel: str, ctx: engines.Context, analyzer: Analyzer) -> list[RuleProblem]:
    """The rule's own examples: texts it must flag, texts it must pass, fixes it must make."""
    problems: list[RuleProblem] = []
    examples = rule.spec.examples

    def as_example(item) -> Example:
        return item if isinstance(item, Example) else Example(text=item)

    for i, item in enumerate(examples.flags):
        ex = as_example(item)
        try:
            hits = example_hits(rule, example_document(ex, rule, analyzer))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(RuleProblem(rel, None, f"examples.flags[{i}]", f"eksemplet kan ikke læses: {exc}"))
            continue
        if not hits:
            problems.append(RuleProblem(rel, None, f"examples.flags[{i}]", f"reglen fanger ikke eksemplet: {ex.text!r}"))
        elif ex.message is not None and hits[0].message != ex.message:
            problems.append(RuleProblem(rel, None, f"examples.flags[{i}]", f"forventede beskeden {ex.message!r}, fik {hits[0].message!r}"))
        elif ex.level is not None and hits[0].level != ex.level:
            problems.append(RuleProblem(rel, None, f"examples.flags[{i}]", f"forventede niveau {ex.level}, fik {hits[0].level}"))
        elif ex.field is not None and hits[0].field != ex.field:
            problems.append(RuleProblem(rel, None, f"examples.flags[{i}]", f"forventede feltet {ex.field!r}, fik {hits[0].field!r}"))
    for i, item in enumerate(examples.passes):
        ex = as_example(item)
        try:
            hits = example_hits(rule, example_document(ex, rule, analyzer))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(RuleProblem(rel, None, f"examples.passes[{i}]", f"eksemplet kan ikke læses: {exc}"))
            continue
        if hits:
            problems.append(
                RuleProblem(rel, None, f"examples.passes[{i}]", f"reglen fanger eksemplet, men skulle lade det passere: {ex.text!r} ({hits[0].match!r})")
            )
    for i, fix in enumerate(examples.fixes):
        fixed = apply_fix(rule, fix.from_, analyzer)
        if fixed != fix.to:
            problems.append(RuleProblem(rel, None, f"examples.fixes[{i}]", f"rettelsen giver {fixed!r}, ikke {fix.to!r}"))
    return problems


def apply_fix(rule: engines.CompiledRule, text: str, analyzer: Analyzer) -> str | None:
    """Replace every finding that has exactly one suggestion (what an editor's quick fix does)."""
    doc = example_document(Example(text=text), rule, analyzer)
    unit = doc.units[0] if doc.units else None
    if unit is None:
        return None
    hits = [h for h in rule.check(doc) if h.span and len(h.suggestions) == 1 and h.unit is unit]
    out = unit.text
    for hit in sorted(hits, key=lambda h: h.span[0], reverse=True):  # type: ignore[index]
        start, end = hit.span  # type: ignore[misc]
        out = out[:start] + hit.suggestions[0] + out[end:]
    return out
