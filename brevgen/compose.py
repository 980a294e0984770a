"""Compose a Letter from a template and a case: sandboxed Jinja -> Markdown -> blocks.

How case data stays data: Jinja's ``finalize`` replaces every printed value with an opaque
placeholder (private-use characters around an index). Markdown never sees the value, so
``**``, ``#``, ``<script>`` or ``{{ }}`` in a citizen's name is printed literally. After
Markdown, the HTML fragment is read into blocks and each placeholder becomes a Run whose
origin is "data".

How every sentence knows its template line: before Jinja compiles a template, each text
line gets an invisible line marker at its end. Markers pass through Jinja and Markdown
unchanged and are turned into the Runs' origins, so the lint can point at ``file:line``
(Jinja's own line mapping is not precise enough for this; see jinja#581).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import markdown
import yaml
from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateRuntimeError, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from lxml import html as lxml_html

from . import formatting
from .errors import TemplateError
from .letter import Block, Heading, ListBlock, Origin, Paragraph, Run, Section, Table
from .template_check import SAFE_BUILTIN_FILTERS, describe_runtime_error, describe_security_error, describe_syntax_error

DATA_OPEN, DATA_CLOSE = "\ue000", "\ue001"
LINE_OPEN, LINE_CLOSE = "\ue002", "\ue003"
_TOKEN = re.compile(f"{DATA_OPEN}(\\d+){DATA_CLOSE}|{LINE_OPEN}(\\d+){LINE_CLOSE}")
_JINJA_SPAN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)

ALLOWED_ROLES_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
ALLOWED_HREF = re.compile(r"^(https://|mailto:|tel:)")


@dataclass(frozen=True)
class TemplateInfo:
    """An event template's front matter."""

    id: str
    version: str
    event: str
    subject: str
    path: Path
    name: str  # relative to the template folder, e.g. "indkaldelse.md"


class _Render:
    """Per-render state: the printed values (placeholders) and the line table."""

    def __init__(self) -> None:
        self.values: list[tuple[str, int | None]] = []


_current: contextvars.ContextVar[_Render] = contextvars.ContextVar("brevgen_render")


class LetterUndefined(StrictUndefined):
    """A missing value is an error naming the field, in Danish."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is not None and name is not None:
            return f"feltet '{name}' findes ikke i sagens data eller i skabelonens værdier"
        if name is not None:
            return f"værdien '{name}' findes ikke"
        return "en værdi mangler"


def _display(value: Any) -> str:
    """How a printed value reads when the template did not format it itself."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if value is None:
        raise UndefinedError("en værdi er tom (None). Brug {% if ... %} omkring felter, der kan mangle")
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, dt.datetime):
        return formatting.date_and_time(value)
    if isinstance(value, dt.date):
        return formatting.long_date(value)
    if isinstance(value, dt.time):
        return formatting.clock(value)
    if isinstance(value, (int, float, Decimal)):
        return formatting.number(value)
    if isinstance(value, (str,)):
        return value
    raise UndefinedError(f"en værdi af typen {type(value).__name__} kan ikke skrives i et brev")


def _finalize(value: Any) -> str:
    state = _current.get()
    text = _display(value)
    state.values.append((text, None))
    return f"{DATA_OPEN}{len(state.values) - 1}{DATA_CLOSE}"


class MarkedLoader(BaseLoader):
    """Loads ``.md`` templates, blanks the front matter and adds line markers."""

    def __init__(self, root: Path):
        self.root = root
        self.lines: list[tuple[str, int]] = []  # marker index -> (template name, line)
        self._index: dict[tuple[str, int], int] = {}

    def get_source(self, environment, template: str):
        path = (self.root / template).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise TemplateNotFound(template)
        source = path.read_text(encoding="utf-8")
        mtime = path.stat().st_mtime
        return self.mark(template, source), str(path), lambda: path.stat().st_mtime == mtime

    def mark(self, name: str, source: str) -> str:
        # Keep line numbers: front matter lines become empty lines.
        match = _FRONT_MATTER.match(source)
        if match:
            source = "\n" * match.group(0).count("\n") + source[match.end() :]
        protected = [(m.start(), m.end()) for m in _JINJA_SPAN.finditer(source)]
        out, pos = [], 0
        for lineno, line in enumerate(source.split("\n"), start=1):
            start = pos
            pos += len(line) + 1
            stripped = line.strip()
            if (
                not stripped
                or stripped.startswith(("{%", "{#", "<", "|"))
                or re.fullmatch(r"[-=*_ ]{3,}", stripped)
                or any(a < start + len(line) <= b - 1 for a, b in protected)
            ):
                out.append(line)
                continue
            body = line.rstrip()
            out.append(body + self._marker(name, lineno) + line[len(body) :])
        return "\n".join(out)

    def _marker(self, name: str, line: int) -> str:
        key = (name, line)
        if key not in self._index:
            self._index[key] = len(self.lines)
            self.lines.append(key)
        return f"{LINE_OPEN}{self._index[key]}{LINE_CLOSE}"


def _filters() -> dict[str, Any]:
    return {
        "dato": formatting.long_date,
        "kort_dato": formatting.short_date,
        "kl": formatting.clock,
        "dato_kl": formatting.date_and_time,
        "kr": formatting.amount,
        "tal": formatting.number,
        "tlf": formatting.phone,
        "tidsrum": formatting.time_span,
    }


def _filter_names() -> list[str]:
    """The filters a template may use, as suggested in error messages."""
    return sorted(set(_filters()) | SAFE_BUILTIN_FILTERS)


class TemplateSet:
    """The templates of one folder (``templates/da``): event templates, partials, styles."""

    def __init__(self, root: Path):
        self.root = root
        self.loader = MarkedLoader(root)
        self.env = ImmutableSandboxedEnvironment(
            loader=self.loader,
            undefined=LetterUndefined,
            finalize=_finalize,
            autoescape=False,  # values never reach Markdown/HTML as text: see module doc
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(_filters())

    @cached_property
    def events(self) -> dict[str, TemplateInfo]:
        found: dict[str, TemplateInfo] = {}
        for path in sorted(self.root.glob("*.md")):
            match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
            if not match:
                continue
            meta = yaml.safe_load(match.group(1)) or {}
            missing = [k for k in ("id", "version", "event", "subject") if not meta.get(k)]
            if missing:
                raise TemplateError(f"front matter mangler: {', '.join(missing)}", path.name, 1)
            found[str(meta["event"])] = TemplateInfo(
                id=str(meta["id"]),
                version=str(meta["version"]),
                event=str(meta["event"]),
                subject=str(meta["subject"]),
                path=path,
                name=path.name,
            )
        return found

    def regime_table(self):
        """The legal-regime table that goes with these templates (``regimes.yml`` beside them).

        Asked through the template set, so a set with edited, unsaved texts (the studio's)
        carries its own table through compose without a global look-up.
        """
        from .regime import load_regimes

        return load_regimes(self.root / "regimes.yml")

    def render_markdown(self, name: str, context: dict[str, Any]) -> tuple[str, _Render]:
        state = _Render()
        token = _current.set(state)
        try:
            template = self.env.get_template(name)
            text = template.render(context)
        except TemplateSyntaxError as exc:
            problem = describe_syntax_error(exc, filters=_filter_names())
            raise TemplateError(problem.message, exc.name or name, problem.line) from None
        except SecurityError as exc:
            where = _template_frame(exc, self.root)
            raise TemplateError(describe_security_error(exc), *where) from None
        except UndefinedError as exc:
            where = _template_frame(exc, self.root)
            raise TemplateError(str(exc), *where) from None
        except (TemplateRuntimeError, TemplateNotFound) as exc:  # e.g. an unknown filter inside {% if %}
            raise TemplateError(describe_runtime_error(exc, _filter_names()), *_template_frame(exc, self.root)) from None
        finally:
            _current.reset(token)
        return text, state

    def render_subject(self, info: TemplateInfo, context: dict[str, Any]) -> str:
        state = _Render()
        token = _current.set(state)
        try:
            text = self.env.from_string(info.subject).render(context)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"emnelinjen: {describe_syntax_error(exc, filters=_filter_names()).message}", info.name, 1) from None
        except SecurityError as exc:
            raise TemplateError(f"emnelinjen: {describe_security_error(exc)}", info.name, 1) from None
        except TemplateRuntimeError as exc:
            message = str(exc) if isinstance(exc, UndefinedError) else describe_runtime_error(exc, _filter_names())
            raise TemplateError(f"emnelinjen: {message}", info.name, 1) from None
        finally:
            _current.reset(token)
        return _TOKEN.sub(lambda m: state.values[int(m.group(1))][0] if m.group(1) else "", text)


def _template_frame(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line in a Jinja traceback."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    root_s = str(root.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root_s):
            found = (str(Path(filename).relative_to(root_s)), tb.tb_lineno)
        tb = tb.tb_next
    return found


# --- Markdown -> blocks ----------------------------------------------------------------------

_MD_EXTENSIONS = ["md_in_html", "tables", "sane_lists"]


def markdown_to_blocks(text: str, state: _Render, lines: list[tuple[str, int]]) -> tuple[Block, ...]:
    fragment = markdown.markdown(text, extensions=_MD_EXTENSIONS, output_format="html")
    if not fragment.strip():
        return ()
    roots = lxml_html.fragments_fromstring(fragment)
    builder = _BlockBuilder(state, lines)
    blocks: list[Block] = []
    for element in roots:
        if isinstance(element, str):
            if element.strip():
                raise TemplateError(f"løs tekst uden for et afsnit: {element.strip()[:40]!r}")
            continue
        block = builder.block(element)
        if block is not None:
            blocks.append(block)
    return tuple(blocks)


class _BlockBuilder:
    def __init__(self, state: _Render, lines: list[tuple[str, int]]):
        self.state = state
        self.lines = lines

    def block(self, el) -> Block | None:
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4"):
            runs = self.inline(el)
            return Heading(level=int(tag[1]), runs=runs, source=_first_source(runs)) if runs else None
        if tag == "p":
            runs = self.inline(el)
            return Paragraph(runs=runs, source=_first_source(runs)) if runs else None
        if tag in ("ul", "ol"):
            items = []
            for li in el:
                if li.tag != "li":
                    raise TemplateError(f"uventet <{li.tag}> i en liste")
                runs = self.inline(li, allow_paragraphs=True)
                if runs:
                    items.append(runs)
            if not items:
                return None
            return ListBlock(items=tuple(items), ordered=tag == "ol", source=_first_source(items[0]))
        if tag == "table":
            header, rows = (), []
            for row in el.iter("tr"):
                cells = tuple(self.inline(cell) for cell in row if cell.tag in ("th", "td"))
                if all(c.tag == "th" for c in row if c.tag in ("th", "td")) and not header and not rows:
                    header = cells
                else:
                    rows.append(cells)
            first = header[0] if header else rows[0][0] if rows else ()
            return Table(header=header, rows=tuple(rows), source=_first_source(first))
        if tag in ("div", "section"):
            role = el.get("data-role")
            if not role or not ALLOWED_ROLES_PATTERN.match(role):
                raise TemplateError('en <div> skal have en rolle: <div data-role="navn" markdown="1">')
            children = [b for b in (self.block(child) for child in el) if b is not None]
            if el.text and el.text.strip():
                raise TemplateError(f"tekst direkte i rollen '{role}' skal stå i et afsnit")
            if not children:
                # An empty section is kept: the required-content check reports it by role.
                return Section(role=role, blocks=(), source=None)
            return Section(role=role, blocks=tuple(children), source=_first_block_source(children))
        if tag == "hr":
            return None
        raise TemplateError(f"elementet <{tag}> kan ikke bruges i et brev")

    def inline(self, el, allow_paragraphs: bool = False) -> tuple[Run, ...]:
        pieces: list[tuple[str, dict]] = []  # raw text (with markers) and formatting

        # Line breaks in the template source are just spaces; only <br> (two trailing
        # spaces in Markdown) is a real line break.
        def visit(node, fmt: dict):
            if node.text:
                pieces.append((node.text.replace("\n", " "), fmt))
            for child in node:
                tag = child.tag
                child_fmt = dict(fmt)
                if tag in ("strong", "b"):
                    child_fmt["bold"] = True
                elif tag in ("em", "i"):
                    child_fmt["italic"] = True
                elif tag == "a":
                    child_fmt["href"] = self._href(child.get("href", ""))
                elif tag == "br":
                    pieces.append(("\n", fmt))
                elif tag == "p" and allow_paragraphs:
                    pass
                else:
                    raise TemplateError(f"elementet <{tag}> kan ikke bruges inde i tekst")
                if tag != "br":
                    visit(child, child_fmt)
                if child.tail:
                    pieces.append((child.tail.replace("\n", " "), fmt))

        visit(el, {})
        return self._resolve(pieces)

    def _href(self, raw: str) -> str:
        text = _TOKEN.sub(lambda m: self.state.values[int(m.group(1))][0] if m.group(1) else "", raw).strip()
        if not ALLOWED_HREF.match(text):
            raise TemplateError(f"et link skal begynde med https://, mailto: eller tel: (fik {text[:60]!r})")
        return text

    def _resolve(self, pieces: list[tuple[str, dict]]) -> tuple[Run, ...]:
        # First pass: tokens in order; template text waits for the next line marker.
        tokens: list[tuple[str, str | int, dict]] = []  # (kind, text|index, fmt)
        for raw, fmt in pieces:
            pos = 0
            for m in _TOKEN.finditer(raw):
                if m.start() > pos:
                    tokens.append(("text", raw[pos : m.start()], fmt))
                if m.group(1) is not None:
                    tokens.append(("data", int(m.group(1)), fmt))
                else:
                    tokens.append(("line", int(m.group(2)), fmt))
                pos = m.end()
            if pos < len(raw):
                tokens.append(("text", raw[pos:], fmt))
        line_after: list[Origin | None] = [None] * len(tokens)
        upcoming: Origin | None = None
        for i in range(len(tokens) - 1, -1, -1):
            kind, value, _ = tokens[i]
            if kind == "line":
                name, line = self.lines[value]  # type: ignore[index]
                upcoming = Origin("template", name, line)
            line_after[i] = upcoming
        last: Origin | None = None
        runs: list[Run] = []
        for i, (kind, value, fmt) in enumerate(tokens):
            if kind == "line":
                last = line_after[i]
                continue
            here = line_after[i] or last or Origin("template")
            if kind == "data":
                text = self.state.values[value][0]  # type: ignore[index]
                origin = Origin("data", here.template, here.line)
            else:
                text = value  # type: ignore[assignment]
                origin = here
            if text:
                runs.append(Run(text=text, origin=origin, **fmt))
        # Trim outer whitespace so blocks start and end with visible text.
        while runs and not runs[0].text.strip():
            runs.pop(0)
        while runs and not runs[-1].text.strip():
            runs.pop()
        if runs:
            runs[0] = _replace_text(runs[0], runs[0].text.lstrip())
            runs[-1] = _replace_text(runs[-1], runs[-1].text.rstrip())
        return tuple(runs)


def _replace_text(run: Run, text: str) -> Run:
    return Run(text=text, origin=run.origin, bold=run.bold, italic=run.italic, href=run.href)


def _first_source(runs) -> Origin | None:
    for run in runs:
        if run.origin.template:
            return Origin("template", run.origin.template, run.origin.line)
    return None


def _first_block_source(blocks) -> Origin | None:
    for b in blocks:
        if getattr(b, "source", None) is not None:
            return b.source
    return None
