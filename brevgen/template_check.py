"""Check a letter template before it is rendered, and say what is wrong in Danish.

Templates are written by communications staff, so two things are checked here, without
rendering anything and without reading any file (the caller passes the source text and what
the template may use):

- **Syntax.** Jinja's own errors (an unclosed ``{% if %}``, an unknown filter, a stray
  ``}}``) become one Danish sentence at the line where the mistake is. An unclosed block is
  reported at the line that opened it, not where Jinja noticed (often the end of the file).
- **What a template may use** (:func:`check_source`): the names of its event's case data,
  the legal regime and the derived values, the registered filters, and the block structure
  (``if``, ``for``, ``set``, ``block``/``extends`` and ``include`` of a known template).
  Attribute walks (``case.__class__``), calls (``x.upper()``), imports, macros and unknown
  names are refused at their line, so a template saved from the studio cannot reach past its
  data even before the sandbox gets a say.

:func:`describe_syntax_error` and :func:`describe_runtime_error` are used by the pipeline's
error path too, so ``brevgen render`` and ``brevgen lint`` print the same Danish message.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from jinja2 import Environment, TemplateSyntaxError, nodes

# --- what a template may use -------------------------------------------------------------------

ShapeKind = Literal["map", "list", "leaf", "any", "secret"]


@dataclass(frozen=True)
class Shape:
    """The shape of a value a template can reach: a mapping of named fields, a list, or a leaf."""

    kind: ShapeKind
    fields: Mapping[str, Shape] = field(default_factory=dict)
    item: Shape | None = None
    label: str | None = None  # the field's Danish title, where the schema has one

    def merge(self, other: Shape) -> Shape:
        """Either of two shapes (``a if x else b``, or the same name in two examples)."""
        if self.kind == "map" and other.kind == "map":
            merged = dict(self.fields)
            for key, shape in other.fields.items():
                merged[key] = merged[key].merge(shape) if key in merged else shape
            return Shape("map", merged, label=self.label or other.label)
        if self.kind == "list" and other.kind == "list":
            item = self.item.merge(other.item) if self.item and other.item else (self.item or other.item)
            return Shape("list", item=item, label=self.label or other.label)
        if self.kind == other.kind:
            return self
        return Shape("any", label=self.label or other.label)


LEAF = Shape("leaf")
ANY = Shape("any")
# What a refused expression stands for: anything after it is not reported again.
_REFUSED = Shape("any", label="(afvist)")

LOOP = Shape(
    "map",
    {name: LEAF for name in ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0")}
    | {"previtem": ANY, "nextitem": ANY},
    label="løkken",
)


def shape_of_model(model: Any) -> Shape:
    """The shape of a pydantic model class: its fields, with their Danish titles."""
    return _shape_of_annotation(model, None)


def _shape_of_annotation(annotation: Any, label: str | None) -> Shape:
    from pydantic import BaseModel, SecretStr

    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _shape_of_annotation(typing.get_args(annotation)[0], label)
    if origin in (typing.Union, types.UnionType):
        shapes = [_shape_of_annotation(a, label) for a in typing.get_args(annotation) if a is not type(None)]
        out = shapes[0]
        for s in shapes[1:]:
            out = out.merge(s)
        return out
    if origin in (list, tuple, set, frozenset):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return Shape("list", item=_shape_of_annotation(args[0], None) if args else ANY, label=label)
    if origin is dict:
        return Shape("any", label=label)
    if isinstance(annotation, type) and issubclass(annotation, SecretStr):
        return Shape("secret", label=label)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {
            name: _shape_of_annotation(info.annotation, info.title)
            for name, info in annotation.model_fields.items()
        }
        return Shape("map", fields, label=label)
    return Shape("leaf", label=label)


def shape_of_value(value: Any) -> Shape:
    """The shape of plain data (the regime table, derived values): dicts, lists and leaves."""
    if isinstance(value, Mapping):
        return Shape("map", {str(k): shape_of_value(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        item: Shape | None = None
        for element in value:
            item = shape_of_value(element) if item is None else item.merge(shape_of_value(element))
        return Shape("list", item=item or ANY)
    return LEAF


# Jinja's own filters and tests that only read a value. Everything else a template needs is a
# brevgen filter (dato, kl, kr, tlf, ...), registered in the pipeline.
SAFE_BUILTIN_FILTERS = frozenset({"length", "first", "last", "join", "lower", "upper", "capitalize", "trim"})
SAFE_TESTS = frozenset({"defined", "undefined", "none", "number", "string", "sequence", "mapping", "even", "odd", "divisibleby", "in", "eq", "ne", "lt", "le", "gt", "ge", "true", "false"})


@dataclass(frozen=True)
class Allowed:
    """What one event's templates may use."""

    names: Mapping[str, Shape]  # top-level names: case, regime, derived, event
    filters: frozenset[str]
    templates: frozenset[str]  # names that may be included or extended ("partials/brev.md")
    tests: frozenset[str] = SAFE_TESTS


# --- problems --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong in a template, in words a communications officer understands."""

    line: int
    message: str
    code: str  # syntax | unknown-name | not-allowed | unknown-filter | unknown-test | unknown-template
    template: str | None = None
    col: int | None = None
    detail: str | None = None  # Jinja's own (English) words, for developers' logs only

    def __str__(self) -> str:
        where = f"{self.template}:{self.line}" if self.template else f"linje {self.line}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"template": self.template, "line": self.line, "column": self.col, "code": self.code, "message": self.message}


def _parser_env() -> Environment:
    # The same block settings as the letter environment; nothing here renders.
    return Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


_ENV = _parser_env()

# --- syntax errors in Danish ---------------------------------------------------------------------

_BLOCK_OPENERS = ("if", "for", "block", "macro", "call", "filter", "with", "autoescape", "raw", "trans", "set")
_TAG_DA = {
    "if": "{% if %}",
    "for": "{% for %}",
    "block": "{% block %}",
    "set": "{% set %}",
    "with": "{% with %}",
    "macro": "{% macro %}",
    "call": "{% call %}",
    "filter": "{% filter %}",
    "raw": "{% raw %}",
}
_KNOWN_TAGS = "if, elif, else, endif, for, endfor, set, block, endblock, extends og include"


def _open_blocks(source: str, until_line: int | None = None) -> list[tuple[str, int]]:
    """The blocks still open at ``until_line`` (or the end): (keyword, line), innermost last."""
    stack: list[tuple[str, int]] = []
    try:
        tokens = list(_ENV.lex(source))
    except TemplateSyntaxError:
        return stack
    i = 0
    while i < len(tokens):
        line, kind, _value = tokens[i]
        if until_line is not None and line > until_line:
            break
        if kind != "block_begin":
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and tokens[j][1] != "block_end":
            j += 1
        inner = tokens[i + 1 : j]
        names = [t for t in inner if t[1] == "name"]
        keyword = names[0][2] if names else ""
        if until_line is not None and line == until_line and keyword.startswith("end"):
            break  # the tag Jinja stopped at: what is open before it is what matters
        if keyword in _BLOCK_OPENERS:
            is_assignment = keyword == "set" and any(t[1] == "assign" or (t[1] == "operator" and t[2] == "=") for t in inner)
            if not is_assignment:
                stack.append((keyword, line))
        elif keyword.startswith("end") and stack:
            if stack[-1][0] == keyword[3:]:
                stack.pop()
            else:
                # A mismatched end tag: close the nearest block of its kind, if any.
                for k in range(len(stack) - 1, -1, -1):
                    if stack[k][0] == keyword[3:]:
                        del stack[k:]
                        break
        i = j + 1
    return stack


def _tag_line(source: str, line: int) -> str:
    lines = source.split("\n")
    return lines[line - 1] if 1 <= line <= len(lines) else ""


_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(?P<tag>[^']+)'")
_INNERMOST = re.compile(r"innermost block that needs to be closed is '(?P<block>[^']+)'")
_NO_FILTER = re.compile(r"No filter named '(?P<name>[^']+)'")
_NO_TEST = re.compile(r"No test named '(?P<name>[^']+)'")
_TWICE = re.compile(r"block '(?P<name>[^']+)' defined twice", re.I)
_EXPECTED_TOKEN = re.compile(r"expected token '(?P<want>[^']+)', got '(?P<got>[^']+)'")
_UNEXPECTED_CHAR = re.compile(r"unexpected char (?P<q>['\"])(?P<char>.+?)(?P=q) at \d+")
_UNEXPECTED = re.compile(r"unexpected '(?P<tok>[^']+)'(?:, expected '(?P<want>[^']+)')?")


def _unknown_filter_message(name: str, filters: Iterable[str] | None) -> str:
    message = f"Filteret '{name}' findes ikke."
    if filters:
        names = sorted(filters)
        close = difflib.get_close_matches(name, names, n=1)
        if close:
            message += f" Mente du '{close[0]}'?"
        message += f" Du kan bruge: {', '.join(names)}."
    return message


def describe_syntax_error(
    exc: TemplateSyntaxError, source: str | None = None, filters: Iterable[str] | None = None
) -> TemplateProblem:
    """Jinja's syntax error as one Danish message at the line where the mistake is.

    ``source`` is the template text (``exc.source`` when Jinja kept it); without it, an
    unclosed block is reported where Jinja noticed it.
    """
    text = exc.message or str(exc)
    source = source if source is not None else getattr(exc, "source", None)
    line = exc.lineno or 1
    name = exc.name

    def problem(message: str, at: int = line, code: str = "syntax") -> TemplateProblem:
        return TemplateProblem(at, message, code, name, detail=text)

    innermost = _INNERMOST.search(text)
    unknown = _UNKNOWN_TAG.search(text)
    if innermost:
        block = innermost.group("block")
        opened = None
        if source is not None:
            stack = _open_blocks(source, line if unknown else None)
            opened = next((ln for kw, ln in reversed(stack) if kw == block), None)
        tag = _TAG_DA.get(block, f"{{% {block} %}}")
        end = f"{{% end{block} %}}"
        if unknown:
            found = f"{{% {unknown.group('tag')} %}}"
            if unknown.group("tag") in ("else", "elif") and block == "if":
                return problem(f"{tag} har allerede en {{% else %}}. Der kan kun være én {{% else %}}, og den skal stå sidst.")
            if opened is not None:
                return problem(f"{tag} i linje {opened} er ikke lukket. Skriv {end} før {found} i linje {line}.", opened)
            return problem(f"En {tag} er ikke lukket. Skriv {end} før {found}.")
        if opened is not None:
            return problem(f"{tag} i linje {opened} er ikke lukket. Skriv {end}, hvor den skal slutte.", opened)
        return problem(f"En {tag} er ikke lukket. Skriv {end}, hvor den skal slutte.")
    if unknown:
        tag = unknown.group("tag")
        if tag.startswith("end"):
            return problem(f"{{% {tag} %}} lukker ikke noget: der er ingen åben {{% {tag[3:]} %}} før den. Slet den, eller skriv den åbnende linje.")
        return problem(f"{{% {tag} %}} findes ikke i skabeloner. Brug {_KNOWN_TAGS}.")
    if m := _NO_FILTER.search(text):
        return problem(_unknown_filter_message(m.group("name"), filters), code="unknown-filter")
    if m := _NO_TEST.search(text):
        return problem(f"Testen 'is {m.group('name')}' findes ikke. Brug fx 'is defined' eller skriv {{% if feltet %}}.", code="unknown-test")
    if m := _TWICE.search(text):
        return problem(f"Blokken '{m.group('name')}' står to gange. Hver {{% block %}} må kun stå én gang.")
    if "Missing end of comment tag" in text:
        return problem("En kommentar er ikke lukket: skriv #} efter {#.")
    if "Missing end of raw directive" in text:
        return problem("{% raw %} er ikke lukket: skriv {% endraw %}.")
    if "tag name expected" in text:
        return problem(f"Der mangler et ord efter {{%. Brug {_KNOWN_TAGS}.")
    if m := _EXPECTED_TOKEN.search(text):
        want = m.group("want")
        if want == "end of print statement":
            return problem(f"Der står noget ekstra i {{{{ … }}}}: '{m.group('got')}'. Skriv ét felt, evt. med et filter, og luk med }}}}.")
        if want == "end of statement block":
            return problem(f"Der står noget ekstra i {{% … %}}: '{m.group('got')}'. Tjek linjen, og luk med %}}.")
        return problem(f"Linjen har et tegn for meget eller for lidt: '{m.group('got')}' står, hvor der skulle stå '{want}'.")
    if m := _UNEXPECTED_CHAR.search(text):
        char = m.group("char")
        if char in ("'", '"'):
            return problem("Et anførselstegn er ikke lukket. Skriv samme anførselstegn i begge ender.")
        return problem(f"Tegnet '{char}' kan ikke stå inde i {{{{ }}}} eller {{% %}}.")
    if text.startswith("unexpected end of template"):
        return problem("Skabelonen slutter midt i {{ … }} eller {% … %}. Luk med }} eller %}.")
    if m := _UNEXPECTED.search(text):
        tok = m.group("tok")
        if tok == "}":
            return problem("Der mangler en } : skriv }} for at lukke {{ og %} for at lukke {%.")
        if tok in ("end of print statement", "end of statement block"):
            return problem("Der mangler noget, før tagget lukkes, fx et feltnavn.")
        if m.group("want"):
            return problem(f"Der mangler '{m.group('want')}' før '{tok}'.")
        return problem(f"'{tok}' står et forkert sted. Tjek {{{{ }}}} og {{% %}} i linjen.")
    if text.startswith("Expected an expression"):
        return problem("Der mangler et felt eller en betingelse, fx {% if case.interpreter %}.")
    return problem("Linjen kan ikke læses som skabelon. Tjek {{ }}, {% %} og anførselstegn.")


def describe_runtime_error(exc: Exception, filters: Iterable[str] | None = None) -> str:
    """A Danish message for the Jinja errors that only show when the line is rendered: an
    unknown filter or test inside ``{% if %}``, a missing partial, a second ``{% extends %}``."""
    from jinja2 import TemplateNotFound

    text = str(exc)
    if isinstance(exc, TemplateNotFound):
        return f"Skabelonen '{exc.name}' findes ikke. Tjek navnet i {{% include %}} eller {{% extends %}}."
    if m := _NO_FILTER.search(text):
        return _unknown_filter_message(m.group("name"), filters)
    if m := _NO_TEST.search(text):
        return f"Testen 'is {m.group('name')}' findes ikke. Brug fx 'is defined' eller skriv {{% if feltet %}}."
    if "extended multiple times" in text:
        return "{% extends %} må kun stå én gang, øverst i skabelonen."
    return "Skabelonen kan ikke laves her. Tjek felterne og filtrene i linjen."


_UNSAFE_ATTRIBUTE = re.compile(r"access to attribute '(?P<attr>[^']+)' of '(?P<obj>[^']+)' object is unsafe")


def describe_security_error(exc: Exception) -> str:
    """The sandbox's refusal in Danish (the static check normally refuses it first)."""
    if m := _UNSAFE_ATTRIBUTE.search(str(exc)):
        return f"'{m.group('attr')}' er ikke tilladt: en skabelon må kun bruge sagens felter, regelsættet og de beregnede værdier."
    return "Skabelonen prøvede noget, der ikke er tilladt i et brev (fx at kalde en funktion). Brug kun felter og filtre."


# --- the static check ----------------------------------------------------------------------------------


def check_source(source: str, name: str, allowed: Allowed) -> list[TemplateProblem]:
    """Every problem in one template's source, in line order; ``[]`` when it may be rendered.

    A syntax error stops the check (one problem): nothing after it can be read reliably.
    """
    try:
        tree = _ENV.parse(source, name)
    except TemplateSyntaxError as exc:
        return [describe_syntax_error(exc, source, allowed.filters)]
    checker = _Checker(name, allowed)
    checker.statements(tree.body, dict(allowed.names))
    seen: set[tuple[int, str]] = set()
    unique = []
    for p in sorted(checker.problems, key=lambda p: p.line):
        if (p.line, p.message) not in seen:
            seen.add((p.line, p.message))
            unique.append(p)
    return unique


def check_subject(subject: str, name: str, line: int, allowed: Allowed) -> list[TemplateProblem]:
    """The subject line in the front matter is a template of its own, on one line of the file."""
    return [
        TemplateProblem(line, p.message, p.code, name, detail=p.detail)
        for p in check_source(subject, name, Allowed(allowed.names, allowed.filters, frozenset(), allowed.tests))
    ]


_OPERATOR_DA = {
    "Mul": "*",
    "Div": "/",
    "FloorDiv": "//",
    "Mod": "%",
    "Pow": "**",
}


class _Checker:
    def __init__(self, template: str, allowed: Allowed):
        self.template = template
        self.allowed = allowed
        self.problems: list[TemplateProblem] = []

    def refuse(self, node: nodes.Node, message: str, code: str = "not-allowed") -> Shape:
        self.problems.append(TemplateProblem(getattr(node, "lineno", 1) or 1, message, code, self.template))
        return _REFUSED

    # statements -------------------------------------------------------------------------

    def statements(self, body: list[nodes.Node], scope: dict[str, Shape]) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.statements(node.body, scope)
            for elif_ in node.elif_:
                self.expr(elif_.test, scope)
                self.statements(elif_.body, scope)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.For):
            if node.recursive:
                self.refuse(node, "{% for … recursive %} er ikke tilladt i et brev.")
            iterated = self.expr(node.iter, scope)
            inner = dict(scope)
            element = iterated.item if iterated.kind == "list" and iterated.item else (LEAF if iterated.kind == "map" else ANY)
            self.bind(node.target, element, inner)
            inner["loop"] = LOOP
            if node.test is not None:
                self.expr(node.test, inner)
            self.statements(node.body, inner)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            shape = self.expr(node.node, scope)
            self.bind(node.target, shape, scope)
        elif isinstance(node, nodes.AssignBlock):
            if node.filter is not None:
                self.expr(node.filter, scope)
            self.statements(node.body, dict(scope))
            self.bind(node.target, LEAF, scope)
        elif isinstance(node, nodes.Block):
            self.statements(node.body, dict(scope))
        elif isinstance(node, nodes.Extends):
            self.template_name(node, node.template, "extends")
        elif isinstance(node, nodes.Include):
            if node.ignore_missing:
                self.refuse(node, "{% include … ignore missing %} er ikke tilladt: en del, der mangler, skal give en fejl.")
            self.template_name(node, node.template, "include")
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=True):
                self.bind(target, self.expr(value, scope), inner)
            self.statements(node.body, inner)
        elif isinstance(node, (nodes.Import, nodes.FromImport)):
            self.refuse(node, "{% import %} er ikke tilladt i et brev. Brug {% include \"partials/…\" %} for at genbruge tekst.")
        elif isinstance(node, nodes.Macro):
            self.refuse(node, "{% macro %} er ikke tilladt i et brev. Brug {% include \"partials/…\" %} for at genbruge tekst.")
        elif isinstance(node, nodes.CallBlock):
            self.refuse(node, "{% call %} er ikke tilladt i et brev.")
        elif isinstance(node, nodes.FilterBlock):
            self.refuse(node, "{% filter %} er ikke tilladt i et brev. Sæt filteret på feltet: {{ felt|filter }}.")
        elif isinstance(node, nodes.ScopedEvalContextModifier):
            self.refuse(node, "{% autoescape %} er ikke tilladt i et brev.")
        else:
            self.refuse(node, f"{{% {type(node).__name__.lower()} %}} er ikke tilladt i et brev. Brug if, for, set, block og include.")

    def bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        if isinstance(target, nodes.Name):
            if target.name.startswith("_"):
                self.refuse(target, f"Navnet '{target.name}' er ikke tilladt: navne må ikke begynde med _.")
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, scope)
        else:  # NSRef (namespace attribute assignment) and friends
            self.refuse(target, "Kun et almindeligt navn kan stå til venstre for = i {% set %}.")

    def template_name(self, node: nodes.Node, expr: nodes.Node, tag: str) -> None:
        if not isinstance(expr, nodes.Const) or not isinstance(expr.value, str):
            self.refuse(node, f"{{% {tag} %}} skal have et fast navn i anførselstegn, fx {{% {tag} \"partials/kontakt.md\" %}}.")
            return
        if expr.value not in self.allowed.templates:
            known = sorted(self.allowed.templates)
            close = difflib.get_close_matches(expr.value, known, n=1)
            hint = f" Mente du '{close[0]}'?" if close else ""
            self.refuse(node, f"Skabelonen '{expr.value}' findes ikke.{hint}", "unknown-template")

    # expressions ------------------------------------------------------------------------

    def expr(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        if isinstance(node, nodes.Name):
            return self.name(node, scope)
        if isinstance(node, nodes.Getattr):
            return self.member(node, self.expr(node.node, scope), node.attr, _dotted(node))
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self.member(node, base, arg.value, _dotted(node))
            if isinstance(arg, nodes.Const) and isinstance(arg.value, int) and not isinstance(arg.value, bool):
                if base.kind == "list":
                    return base.item or ANY
                if base.kind == "any":
                    return ANY
                return self.refuse(node, f"'{_dotted(node.node)}' er ikke en liste, så [{arg.value}] kan ikke bruges.", "unknown-name")
            if isinstance(arg, nodes.Slice):
                return self.refuse(node, "Udsnit med [a:b] er ikke tilladt i et brev.")
            # A key computed from the case, as in a lookup table {"kursus": "et kursus"}[o.kind]:
            # the result is one of the mapping's own values, never anything beyond them.
            self.expr(arg, scope)
            if base.kind == "map":
                values = list(base.fields.values())
                out = values[0] if values else ANY
                for v in values[1:]:
                    out = out.merge(v)
                return out
            if base.kind == "list":
                return base.item or ANY
            if base.kind == "any":
                return ANY
            return self.refuse(node, f"'{_dotted(node.node)}' er en enkelt værdi, så [ ] kan ikke bruges.", "unknown-name")
        if isinstance(node, nodes.Const):
            return LEAF
        if isinstance(node, (nodes.List, nodes.Tuple)):
            item: Shape | None = None
            for child in node.items:
                shape = self.expr(child, scope)
                item = shape if item is None else item.merge(shape)
            return Shape("list", item=item or ANY)
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope)
            then = self.expr(node.expr1, scope)
            if node.expr2 is None:
                return then
            return then.merge(self.expr(node.expr2, scope))
        if isinstance(node, (nodes.And, nodes.Or)):
            return self.expr(node.left, scope).merge(self.expr(node.right, scope))
        if isinstance(node, nodes.Not):
            self.expr(node.node, scope)
            return LEAF
        if isinstance(node, nodes.Compare):
            self.expr(node.expr, scope)
            for op in node.ops:
                self.expr(op.expr, scope)
            return LEAF
        if isinstance(node, nodes.Concat):
            for child in node.nodes:
                self.expr(child, scope)
            return LEAF
        if isinstance(node, (nodes.Add, nodes.Sub)):
            self.expr(node.left, scope)
            self.expr(node.right, scope)
            return LEAF
        if isinstance(node, (nodes.Neg, nodes.Pos)):
            self.expr(node.node, scope)
            return LEAF
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        if isinstance(node, nodes.Test):
            return self.test(node, scope)
        if isinstance(node, nodes.Call):
            for child in (*node.args, *(k.value for k in node.kwargs)):
                self.expr(child, scope)
            what = _dotted(node.node)
            return self.refuse(
                node,
                f"Skabeloner må ikke kalde funktioner eller metoder: '{what}(…)' er ikke tilladt. Brug et filter, fx {{{{ felt|dato }}}}.",
            )
        if isinstance(node, nodes.BinExpr) and type(node).__name__ in _OPERATOR_DA:
            return self.refuse(node, f"Regning med {_OPERATOR_DA[type(node).__name__]} er ikke tilladt i et brev. Regn værdien ud i brevgen, ikke i skabelonen.")
        if isinstance(node, nodes.Dict):
            fields: dict[str, Shape] = {}
            for pair in node.items:
                if not isinstance(pair.key, nodes.Const) or not isinstance(pair.key.value, str):
                    return self.refuse(node, 'I en opslagstabel { "nøgle": "tekst" } skal hver nøgle være en tekst i anførselstegn.')
                fields[pair.key.value] = self.expr(pair.value, scope)
            return Shape("map", fields)
        return self.refuse(node, f"Udtrykket ({type(node).__name__}) er ikke tilladt i et brev.")

    def name(self, node: nodes.Name, scope: dict[str, Shape]) -> Shape:
        if node.name in scope:
            return scope[node.name]
        if node.name.startswith("_"):
            return self.refuse(node, f"Navnet '{node.name}' er ikke tilladt: navne må ikke begynde med _.")
        known = sorted(k for k in scope if k != "loop")
        close = difflib.get_close_matches(node.name, known, n=1)
        hint = f" Mente du '{close[0]}'?" if close else ""
        return self.refuse(
            node,
            f"'{node.name}' findes ikke.{hint} Brug case (sagens data), regime (regelsættet), derived (beregnede værdier) eller et navn fra {{% set %}}.",
            "unknown-name",
        )

    def member(self, node: nodes.Node, base: Shape, attr: str, dotted: str) -> Shape:
        if base is _REFUSED:
            return _REFUSED
        if attr.startswith("_"):
            return self.refuse(node, f"'{dotted}' er ikke tilladt: en skabelon må kun bruge sagens felter, regelsættet og de beregnede værdier.")
        if base.kind == "any":
            return ANY
        if base.kind == "map":
            if attr in base.fields:
                shape = base.fields[attr]
                if shape.kind == "secret":
                    return self.refuse(node, f"'{dotted}' må aldrig stå i et brev: CPR-nummeret vises ikke.")
                return shape
            known = sorted(base.fields)
            close = difflib.get_close_matches(attr, known, n=1)
            parent = dotted.rsplit(".", 1)[0]
            hint = f" Mente du '{parent}.{close[0]}'?" if close else ""
            return self.refuse(node, f"Feltet '{dotted}' findes ikke.{hint} '{parent}' har: {', '.join(known)}.", "unknown-name")
        parent = dotted.rsplit(".", 1)[0]
        if base.kind == "list":
            return self.refuse(node, f"'{parent}' er en liste. Brug {{% for x in {parent} %}} og skriv x.{attr}.", "unknown-name")
        return self.refuse(node, f"'{dotted}' findes ikke: '{parent}' er en enkelt værdi uden felter.", "unknown-name")

    def filter(self, node: nodes.Filter, scope: dict[str, Shape]) -> Shape:
        base = self.expr(node.node, scope) if node.node is not None else ANY
        for child in (*node.args, *(k.value for k in node.kwargs)):
            self.expr(child, scope)
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            self.refuse(node, "*args og **kwargs er ikke tilladt i et filter.")
        if node.name not in self.allowed.filters:
            return self.refuse(node, _unknown_filter_message(node.name, self.allowed.filters), "unknown-filter")
        if node.name in ("first", "last"):
            return base.item if base.kind == "list" and base.item else ANY
        return LEAF

    def test(self, node: nodes.Test, scope: dict[str, Shape]) -> Shape:
        if node.name in ("defined", "undefined"):
            # "is defined" asks whether a name exists: an unknown one is still a typo.
            self.expr(node.node, scope)
        else:
            self.expr(node.node, scope)
        for child in (*node.args, *(k.value for k in node.kwargs)):
            self.expr(child, scope)
        if node.name not in self.allowed.tests:
            self.refuse(node, f"Testen 'is {node.name}' findes ikke. Brug fx 'is defined' eller skriv {{% if feltet %}}.", "unknown-test")
        return LEAF


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        arg = node.arg
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            return f"{_dotted(node.node)}.{arg.value}"
        if isinstance(arg, nodes.Const):
            return f"{_dotted(node.node)}[{arg.value}]"
        return f"{_dotted(node.node)}[…]"
    if isinstance(node, nodes.Filter):
        return f"{_dotted(node.node) if node.node is not None else ''}|{node.name}"
    if isinstance(node, nodes.Call):
        return f"{_dotted(node.node)}(…)"
    if isinstance(node, nodes.Const):
        return f'"{node.value}"' if isinstance(node.value, str) else str(node.value)
    return "…"


def referenced_templates(source: str, name: str | None = None) -> set[str]:
    """The templates a source extends or includes by a fixed name (an unreadable source: none)."""
    try:
        tree = _ENV.parse(source, name)
    except TemplateSyntaxError:
        return set()
    found = set()
    for node in tree.find_all((nodes.Extends, nodes.Include)):
        if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
            found.add(node.template.value)
    return found


__all__ = [
    "ANY",
    "LEAF",
    "Allowed",
    "SAFE_BUILTIN_FILTERS",
    "SAFE_TESTS",
    "Shape",
    "TemplateProblem",
    "check_source",
    "check_subject",
    "referenced_templates",
    "describe_runtime_error",
    "describe_security_error",
    "describe_syntax_error",
    "shape_of_model",
    "shape_of_value",
]
