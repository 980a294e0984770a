"""Markdown -> the Letter's blocks, with every Run's origin (template line or case data).

The template set (:mod:`brevgen.templating`) gives Markdown with two kinds of invisible
tokens: placeholders for printed values and line markers. Markdown is turned into HTML with a
fixed extension set, the HTML is read into blocks, and the tokens become Runs whose origin
is a template line or "data". Only a fixed element set is allowed: anything else in a
template is an error naming it.
"""

from __future__ import annotations

import re
import threading

import markdown
from lxml import html as lxml_html

from .errors import TemplateError
from .letter import Block, Heading, ListBlock, Origin, Paragraph, Run, Section, Table
from .templating import TOKEN, RenderState

ALLOWED_ROLES_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
ALLOWED_HREF = re.compile(r"^(https://|mailto:|tel:)")

_MD_EXTENSIONS = ["md_in_html", "tables", "sane_lists"]
_converters = threading.local()


def _markdown(text: str) -> str:
    """Markdown to HTML with one converter per thread, reset between texts (building one
    loads its extensions, a tenth of the conversion)."""
    converter = getattr(_converters, "md", None)
    if converter is None:
        converter = _converters.md = markdown.Markdown(extensions=_MD_EXTENSIONS, output_format="html")
    try:
        return converter.convert(text)
    finally:
        converter.reset()


def markdown_to_blocks(text: str, state: RenderState, lines: list[tuple[str, int]]) -> tuple[Block, ...]:
    fragment = _markdown(text)
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
    def __init__(self, state: RenderState, lines: list[tuple[str, int]]):
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
        text = TOKEN.sub(lambda m: self.state.values[int(m.group(1))][0] if m.group(1) else "", raw).strip()
        if not ALLOWED_HREF.match(text):
            raise TemplateError(f"et link skal begynde med https://, mailto: eller tel: (fik {text[:60]!r})")
        return text

    def _resolve(self, pieces: list[tuple[str, dict]]) -> tuple[Run, ...]:
        # First pass: tokens in order; template text waits for the next line marker.
        tokens: list[tuple[str, str | int, dict]] = []  # (kind, text|index, fmt)
        for raw, fmt in pieces:
            pos = 0
            for m in TOKEN.finditer(raw):
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
