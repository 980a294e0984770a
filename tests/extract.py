"""Text as a reader gets it, from each real format (used by the letter tests)."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from lxml import html as lxml_html

_PAGE_NUMBER = re.compile(r"^\s*Side \d+ af \d+\s*$", re.M)


def normalise(text: str) -> str:
    """One space between words; bullets and page numbers gone (they are layout, not text)."""
    text = _PAGE_NUMBER.sub(" ", text)
    text = text.replace("\u2022", " ").replace("\xa0", " ").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    """Text in reading order, extracted by poppler's pdftotext (a real client)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", fh.name, "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def docx_text(data: bytes) -> str:
    """Body paragraphs and table cells in document order."""
    doc = Document(io.BytesIO(data))
    parts: list[str] = []
    for el in doc.element.body.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "t":
            parts.append(el.text or "")
        elif tag in ("br", "cr", "p", "tc"):
            parts.append("\n")
        elif tag == "tab":
            parts.append(" ")
    return "".join(parts)


def html_text(data: bytes) -> str:
    tree = lxml_html.fromstring(data)
    for bad in tree.xpath("//style|//script|//head"):
        bad.drop_tree()
    blocks = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "div", "section", "header", "main", "ul", "ol", "tr", "br"}
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in blocks:
            el.tail = "\n" + (el.tail or "")
    return "".join(tree.xpath("//body")[0].itertext())


EXTRACT = {"pdf": pdf_text, "docx": docx_text, "html": html_text}


def all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def comparable(text: str, fmt: str) -> str:
    """Text in a form that can be compared across formats.

    pdftotext rejoins words hyphenated at a line end ("CPR-" + "nummer" -> "CPRnummer"),
    and splits long links at the line end. So for the PDF both sides drop white space and
    hyphens; every other character must still match in order.
    """
    if fmt != "pdf":
        return normalise(text)
    return re.sub(r"[\s\-\u2010\u2011]", "", normalise(text))


def letter_text(letter, fmt: str) -> str:
    """The Letter's body as the format prints it: only the PDF has list numbers as text."""
    from brevgen.letter import ListBlock, block_lines, runs_text

    lines: list[str] = []
    for _roles, block in letter.walk():
        if isinstance(block, ListBlock) and block.ordered and fmt == "pdf":
            lines += [f"{i}. {runs_text(item)}" for i, item in enumerate(block.items, start=1)]
        else:
            lines += block_lines(block)
    return " ".join(lines)
