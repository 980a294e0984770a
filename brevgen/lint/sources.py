"""Read any letter file into lint units: .md, .txt, .html, .docx and .pdf.

So communications staff can check an old letter from another case system. Positions:

- .md: file:line:col of every character (Markdown markup is stripped first).
- .txt: one paragraph per line (a text exported from a case system writes each paragraph on
  its own line); file:line:col.
- .html: the element's line (lxml ``sourceline``); roles from ``data-role`` attributes and the
  event from ``<meta name="brevgen-event">``, so a letter brevgen made is checked for
  required content too. The letterhead (address block) is not linted.
- .docx: "line" is the paragraph number in the document (Word has no lines). What stands
  before the first heading (the letterhead table) is not linted.
- .pdf: read with pdfminer.six's layout analysis: lines in a larger or bold font are
  headings, a gap starts a paragraph, "•" starts a list item; "line" is the line of that
  reading. Page numbers ("Side 1 af 2") are dropped.

The letterhead and the address (sender, recipient, "Dato:", "Sagsnummer:") are not linted in
any format: a case number is not an abbreviation to explain, an address is not a sentence.

Limits (a file from elsewhere is read with bounded work): text files (.md, .txt, .html) of at
most 500 kB; DOCX and PDF files of at most 10 MB, a DOCX whose parts unpack to at most 25 MB, a
PDF of at most 50 pages; DOCX and PDF are read in a child process with 30 seconds and 1 GB of
memory (brevgen.isolate); the text taken out of any file is at most 500,000 characters. A file
over a limit is a Danish usage error that names the file and the limit.

Plain files have no roles. A heading that starts with a word in ``config.yml``'s
``file_heading_roles`` ("Regler", "Klagevejledning", "Hvem kan du kontakte") gives the text under
it that role, so § references may stand under "Regler" and the contact box stays out of LIX.
Required content is checked only where roles are real (brevgen's own HTML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BrevgenError, UsageError
from ..letter import Block, Origin, Paragraph, Run, Section
from .units import Document, Location, Segment, Unit

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf")

MAX_TEXT_FILE_BYTES = 500_000
MAX_BINARY_FILE_BYTES = 10_000_000
MAX_DOCX_UNPACKED_BYTES = 25_000_000
MAX_DOCX_PARTS = 1_000
MAX_PDF_PAGES = 50
MAX_TEXT_CHARS = 500_000
READ_SECONDS = 30.0
READ_MEMORY_MB = 1024


def _mb(n: int) -> str:
    """``25 MB``, ``199,8 MB``, ``500 kB`` (Danish decimal comma)."""
    if n >= 1_000_000:
        return f"{n // 1_000_000} MB" if n % 1_000_000 == 0 else f"{n / 1_000_000:.1f} MB".replace(".", ",")
    return f"{n // 1000} kB"


@dataclass
class Source:
    document: Document
    blocks: tuple[Block, ...] | None = None  # role tree, when the file has roles (brevgen HTML)


class _Builder:
    """Collects characters with their (line, col) and turns them into a Unit."""

    def __init__(self, file: str):
        self.file = file
        self.chars: list[str] = []
        self.pos: list[tuple[int, int]] = []

    def add(self, text: str, line: int, col: int, step: bool = True) -> None:
        for i, ch in enumerate(text):
            if ch.isspace() and ch != "\n":
                if not self.chars or self.chars[-1] in (" ", "\n"):
                    continue
                ch = " "
            if ch == "\n":
                while self.chars and self.chars[-1] == " ":
                    self.chars.pop()
                    self.pos.pop()
                if not self.chars or self.chars[-1] == "\n":
                    continue
            self.chars.append(ch)
            self.pos.append((line, col + i if step else col))

    def unit(self, kind: str, roles: tuple[str, ...] = (), section: str = "") -> Unit | None:
        while self.chars and self.chars[-1] in (" ", "\n"):
            self.chars.pop()
            self.pos.pop()
        text = "".join(self.chars)
        if not text.strip():
            return None
        segments: list[Segment] = []
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or self.pos[i][0] != self.pos[start][0] or self.pos[i][1] != self.pos[i - 1][1] + 1:
                line, col = self.pos[start]
                segments.append(Segment(start, i, self.file, line, col, "file"))
                start = i
        return Unit(text, kind, roles, section or (roles[0] if roles else ""), segments)


def heading_role(text: str, heading_roles: dict[str, str]) -> tuple[str, ...]:
    """The role a plain file's heading gives the text under it (config.yml: file_heading_roles)."""
    low = text.lower().strip()
    for start, role in sorted(heading_roles.items(), key=lambda kv: -len(kv[0])):
        if low.startswith(start.lower()):
            return (role,)
    return ()


# --- the letterhead --------------------------------------------------------------------------------

_META_LABEL = re.compile(r"^\s*(?:Dato|Sagsnummer|Sagsnr\.?|J\.\s?nr\.?|Journalnummer|Vores reference|Deres reference)\s*:", re.I)
_SIGNATURE = re.compile(r"^\s*(?:Med venlig hilsen|Venlig hilsen|Med venlige hilsner)\b", re.I)


def letterhead_end(lines: list[str], look: int = 40) -> int:
    """How many of the first lines are letterhead: up to the last "Dato:" / "Sagsnummer:" line
    among the first ``look`` lines (0 when there is none)."""
    end = 0
    for i, line in enumerate(lines[:look]):
        if _META_LABEL.match(line) or re.search(r"\s{3,}(?:Dato|Sagsnummer)\s*:", line):
            end = i + 1
    return end


# --- Markdown and plain text -------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–]|\d{1,3}[.)])\s+")
_MD_INLINE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<br\s*/?>|<[^>]+>|\*\*|__|`|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)")
_PAGE_NUMBER = re.compile(r"^\s*(?:Side|side|Page)\s+\d+(?:\s+af\s+\d+)?\s*$")
_TERMINAL = (".", "!", "?", "…", ":", ";", ",")


def _md_line(builder: _Builder, text: str, line: int, col0: int, markdown: bool) -> None:
    if not markdown:
        builder.add(text, line, col0)
        return
    pos = 0
    for m in _MD_INLINE.finditer(text):
        builder.add(text[pos : m.start()], line, col0 + pos)
        token = m.group()
        if token.startswith(("[", "![")):
            builder.add(m.group(1), line, col0 + m.start() + token.index("[") + 1)
        elif token.lower().startswith("<br"):
            builder.add("\n", line, col0 + m.start())
        pos = m.end()
    builder.add(text[pos:], line, col0 + pos)


def read_text_document(
    text: str, file: str, *, markdown: bool, heading_roles: dict[str, str] | None = None, per_line: bool = False, skip_letterhead: bool = False
) -> Document:
    """``per_line``: every line is a paragraph (.txt); ``skip_letterhead``: leave out the
    sender, address, date and case number above the letter (.txt and .pdf)."""
    heading_roles = heading_roles or {}
    lines = text.split("\n")
    start = 0
    if markdown and lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            start = end + 1
    if skip_letterhead:
        start = max(start, letterhead_end(lines))
    units: list[Unit] = []
    paragraph: list[tuple[int, str]] = []  # (line number, text)
    section = ""
    roles: tuple[str, ...] = ()

    def _line_heading(i: int) -> bool:
        """One line per paragraph (.txt): a heading is a short line, one phrase (no full stop
        inside, none or "?" at the end), and the next line does not go on with a small letter."""
        one = lines[i].strip()
        if len(one) > 60 or ". " in one or (one.endswith(_TERMINAL) and not one.endswith("?")):
            return False
        nxt = next((x.strip() for x in lines[i + 1 :] if x.strip()), "")
        return not nxt[:1].islower()

    def flush() -> None:
        nonlocal paragraph, section, roles
        if not paragraph:
            return
        item = _LIST_ITEM.match(paragraph[0][1])
        kind = "list_item" if item else "body"
        short_lines = len(paragraph) >= 2 and all(len(t.strip()) <= 45 and not t.rstrip().endswith(_TERMINAL[:4]) for _, t in paragraph[:-1])
        builder = _Builder(file)
        for i, (n, raw) in enumerate(paragraph):
            body = raw
            col = 1
            if i == 0 and item:
                col = item.end() + 1
                body = raw[item.end() :]
            else:
                stripped = raw.lstrip()
                col = len(raw) - len(stripped) + 1
                body = stripped
            hard_break = markdown and raw.endswith("  ")
            _md_line(builder, body.rstrip(), n, col, markdown)
            if i < len(paragraph) - 1:
                builder.add("\n" if (short_lines or hard_break) else " ", n, len(raw) + 1)
        one = paragraph[0][1].strip()
        if per_line:
            if not item and _line_heading(paragraph[0][0] - 1):
                kind = "heading"
        elif not markdown and not item and len(paragraph) == 1 and len(one) <= 80 and not one.endswith(_TERMINAL):
            kind = "heading"  # a short line on its own, without a full stop, in a text letter
        if _SIGNATURE.match(one):
            section, roles = "Med venlig hilsen", ("hilsen",)  # the signature: its own part
        elif kind == "heading" and roles == ("hilsen",) and not heading_role(one, heading_roles):
            kind = "body"  # the name and title under "Med venlig hilsen" belong to the signature
        if kind == "heading":
            section = " ".join(_MD_INLINE.sub("", one).split())
            roles = heading_role(section, heading_roles)
        unit = builder.unit(kind, roles, section)
        if unit:
            units.append(unit)
        paragraph = []

    subject_lines: set[int] = set()
    if per_line and skip_letterhead and start:
        # After the letterhead comes the subject: its first line and any line that goes on
        # with a small letter (a headline wrapped over two lines).
        first = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
        if first is not None:
            subject_lines.add(first)
            while first + 1 < len(lines) and lines[first + 1].strip()[:1].islower():
                first += 1
                subject_lines.add(first)
    if subject_lines:
        builder = _Builder(file)
        for i in sorted(subject_lines):
            builder.add(lines[i].strip() + " ", i + 1, 1)
        unit = builder.unit("subject")
        if unit:
            units.append(unit)

    for n in range(start, len(lines)):
        if n in subject_lines:
            continue
        raw = lines[n]
        if _PAGE_NUMBER.match(raw) or raw.strip() in ("\f",):
            flush()
            continue
        raw = raw.replace("\f", "")
        if not raw.strip():
            flush()
            continue
        heading = _MD_HEADING.match(raw) if markdown else None
        if heading:
            flush()
            builder = _Builder(file)
            _md_line(builder, raw[heading.end() :].rstrip().rstrip("#").rstrip(), n + 1, heading.end() + 1, markdown)
            title = " ".join(raw[heading.end() :].split())
            section, roles = title, heading_role(title, heading_roles)
            unit = builder.unit("heading", roles, section)
            if unit:
                units.append(unit)
            continue
        if (_LIST_ITEM.match(raw) or per_line) and paragraph:
            flush()
        paragraph.append((n + 1, raw))
    flush()
    return Document(units, Location(file, 1, 1, "file"), name=file)


# --- HTML --------------------------------------------------------------------------------------

_HTML_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "figcaption", "caption"}
_HTML_SKIP = {"script", "style", "head", "header", "nav", "footer", "address", "template", "noscript"}


def _own_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag in _HTML_BLOCKS or tag in _HTML_SKIP or tag in ("ul", "ol", "table"):
            pass
        else:
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_html(data: bytes, file: str) -> Source:
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(data)
    meta = root.xpath('//meta[@name="brevgen-event"]/@content')
    event = meta[0] if meta else None
    units: list[Unit] = []
    tree: list = []  # role sections for the required-content check
    sections: dict[int, Section] = {}

    def visit(el, roles: tuple[str, ...], container: list) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag or tag in _HTML_SKIP:
                continue
            role = child.get("data-role")
            if role:
                inner: list = []
                visit(child, roles + (role,), inner)
                section = Section(role=role, blocks=tuple(inner))
                container.append(section)
                sections[id(child)] = section
                continue
            if tag in _HTML_BLOCKS:
                text = _own_text(child)
                kind = {"li": "list_item", "td": "table_cell", "th": "table_cell", "dt": "body", "dd": "body"}.get(tag, "body")
                if tag.startswith("h") and len(tag) == 2:
                    kind = "subject" if tag == "h1" and event else "heading"
                builder = _Builder(file)
                builder.add(text, child.sourceline or 1, 1, step=False)
                unit = builder.unit(kind, roles)
                if unit:
                    units.append(unit)
                    container.append(Paragraph(runs=(Run(unit.text, Origin("template", file, child.sourceline)),)))
            visit(child, roles, container)

    body = root.find("body")
    visit(body if body is not None else root, (), tree)
    doc = Document(units, Location(file, 1, 1, "file"), name=file, event=event)
    return Source(doc, tuple(tree) if event else None)


# --- DOCX and PDF ------------------------------------------------------------------------------


def _check_docx_package(path: Path, file: str) -> None:
    """Refuse a DOCX whose parts unpack to more than the limit (a "zip bomb"), before any part
    is decompressed: the sizes are read from the zip directory."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError):
        raise UsageError(f"{file}: filen kan ikke læses som DOCX (den er ikke en gyldig zip-fil)") from None
    if len(parts) > MAX_DOCX_PARTS:
        raise UsageError(f"{file}: filen har for mange dele ({len(parts)}); en DOCX må højst have {MAX_DOCX_PARTS}")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise UsageError(
            f"{file}: filen fylder {_mb(unpacked)}, når den pakkes ud; sprogtjekket læser højst {_mb(MAX_DOCX_UNPACKED_BYTES)}"
        )


def docx_paragraphs(path: str) -> list[tuple[str, str]]:
    """(kind, text) for every paragraph and table cell paragraph, in document order. Runs in
    a child process (brevgen.isolate); zipfile never unpacks more than a part's declared size."""
    from docx import Document as DocxDocument
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    doc = DocxDocument(path)
    out: list[tuple[str, str]] = []
    size = 0

    def add(par: DocxParagraph, kind: str | None) -> None:
        nonlocal size
        style = (par.style.name if par.style is not None else "") or ""
        if kind is None:
            if style.startswith(("Heading", "Overskrift", "Title", "Titel")):
                kind = "heading"
            elif "List" in style or "Liste" in style or par._p.pPr is not None and par._p.pPr.numPr is not None:
                kind = "list_item"
            else:
                kind = "body"
        text = par.text
        size += len(text)
        if size > MAX_TEXT_CHARS:
            raise UsageError(f"teksten i filen er for lang: sprogtjekket læser højst {MAX_TEXT_CHARS:,} tegn".replace(",", "."))
        out.append((kind, text))

    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            add(DocxParagraph(child, doc), None)
        elif tag == "tbl":
            for row in DocxTable(child, doc).rows:
                for cell in row.cells:
                    for par in cell.paragraphs:
                        add(par, "table_cell")
    return out


def _isolated(fn, path: Path, file: str):
    from .. import isolate

    try:
        return isolate.run(fn, str(path), seconds=READ_SECONDS, memory_mb=READ_MEMORY_MB, what=file)
    except UsageError as exc:
        raise UsageError(f"{file}: {exc.message}") from None
    except BrevgenError:
        raise


def read_docx(path: Path, file: str, heading_roles: dict[str, str] | None = None) -> Document:
    heading_roles = heading_roles or {}
    _check_docx_package(path, file)
    paragraphs = _isolated(docx_paragraphs, path, file)
    # The letterhead (a table of sender, address, date and case number) stands before the first
    # heading: start there when the document has headings. Numbers still count every paragraph.
    first = next((i for i, (kind, text) in enumerate(paragraphs) if kind == "heading" and text.strip()), 0)
    units: list[Unit] = []
    section = ""
    roles: tuple[str, ...] = ()
    for number, (kind, text) in enumerate(paragraphs, start=1):
        if number - 1 < first:
            continue
        if kind == "heading" and text.strip():
            section = " ".join(text.split())
            roles = heading_role(section, heading_roles)
        elif _SIGNATURE.match(text):
            section, roles = "Med venlig hilsen", ("hilsen",)
        builder = _Builder(file)
        builder.add(text, number, 1)
        unit = builder.unit(kind, roles, section)
        if unit:
            units.append(unit)
    return Document(units, Location(file, 1, 1, "file"), name=file)


def extract_pdf_text(path: str) -> str:
    """The text of at most MAX_PDF_PAGES pages (pdfminer.six). Runs in a child process."""
    from pdfminer.high_level import extract_text

    text = extract_text(path, maxpages=MAX_PDF_PAGES)
    if len(text) > MAX_TEXT_CHARS:
        raise UsageError(f"teksten i filen er for lang: sprogtjekket læser højst {MAX_TEXT_CHARS:,} tegn".replace(",", "."))
    return text


def _check_pdf_pages(path: Path, file: str) -> None:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
    except (pikepdf.PdfError, OSError, ValueError):
        raise UsageError(f"{file}: filen kan ikke læses som PDF") from None
    if pages > MAX_PDF_PAGES:
        raise UsageError(f"{file}: filen har {pages} sider; sprogtjekket læser højst {MAX_PDF_PAGES}")


def pdf_text(path: Path, file: str | None = None) -> str:
    file = file or str(path)
    _check_pdf_pages(path, file)
    return _isolated(extract_pdf_text, path, file)


def _check_size(path: Path, file: str, limit: int) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        raise UsageError(f"{file}: filen kan ikke læses") from None
    if not path.is_file():
        raise UsageError(f"{file}: er ikke en almindelig fil")
    if size > limit:
        raise UsageError(f"{file}: filen er for stor ({_mb(size)}); sprogtjekket læser højst {_mb(limit)} af den slags fil")


def _read_text(path: Path, file: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{file}: filen er ikke gemt som UTF-8") from None


_PDF_BULLET = re.compile(r"^[•\u2022\u25aa\u2013-]\s*$")


def extract_pdf_markdown(path: str) -> str:
    """A PDF letter as Markdown, read from its layout (pdfminer.six): the most common font
    size is the body; a line in a larger font, or short and all bold, is a heading; a gap
    larger than the line spacing starts a paragraph; a "•" starts a list item. The
    letterhead above "Dato:" / "Sagsnummer:" on page 1 and page numbers are left out.
    Reads at most MAX_PDF_PAGES pages; runs in a child process (brevgen.isolate)."""
    import statistics
    from collections import Counter

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    rows: list[tuple[int, float, float, float, float, str]] = []  # page, top, bottom, x0, size, bold, text
    sizes: Counter = Counter()
    for page_no, page in enumerate(extract_pages(path, maxpages=MAX_PDF_PAGES)):
        for element in page:
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                text = line.get_text().rstrip("\n")
                if not chars or not text.strip():
                    continue
                size = round(statistics.median(c.size for c in chars), 1)
                bold = sum("bold" in c.fontname.lower() for c in chars) / len(chars)
                sizes[size] += len(chars)
                rows.append((page_no, page.height - line.y1, page.height - line.y0, line.x0, size, bold, text))
    if not rows:
        return ""
    body = sizes.most_common(1)[0][0]
    rows.sort(key=lambda r: (r[0], round(r[1] / 3), r[3]))
    # Lines at the same height are one line (a bullet and its text).
    merged: list[list] = []
    for row in rows:
        if merged and merged[-1][0] == row[0] and abs(merged[-1][1] - row[1]) < 3:
            last = merged[-1]
            last[6] = (last[6].rstrip() + " " + row[6].strip()) if _PDF_BULLET.match(last[6]) else last[6] + " " + row[6].strip()
            last[5] = max(last[5], row[5]) if _PDF_BULLET.match(row[6]) else min(last[5], row[5]) if last[5] else row[5]
            continue
        merged.append(list(row))
    merged = [m for m in merged if not _PAGE_NUMBER.match(m[6])]
    meta = [m for m in merged if m[0] == 0 and _META_LABEL.match(m[6].strip())]
    if meta:
        cut = max(m[2] for m in meta)
        merged = [m for m in merged if m[0] > 0 or m[1] > cut]
    out: list[str] = []
    prev = None
    for page_no, top, bottom, x0, size, bold, text in merged:
        text = text.strip()
        heading = size >= body + 0.9 or (bold >= 0.9 and len(text) <= 60 and not text.endswith((".", ",", ":")))
        bullet = _PDF_BULLET.match(text[:1] + " ") if text[:1] in "•\u2022" else None
        gap = None if prev is None or prev[0] != page_no else top - prev[2]
        joined = (
            prev is not None
            and not bullet
            and prev[4] == heading
            and (gap is None or gap < 0.45 * size)
            and not (heading and prev[5] != size)
        )
        if joined and out:
            out[-1] += " " + text if not heading else " " + text
        else:
            if bullet:
                out.append("- " + text.lstrip("•\u2022 ").strip())
            elif heading:
                out.append("## " + text)
            else:
                out.append(text)
        prev = (page_no, top, bottom, x0, heading, size)
    # "Med venlig hilsen" and the name under it: the signature is its own part.
    result: list[str] = []
    for block in out:
        if _SIGNATURE.match(block) and not block.startswith("## "):
            result += ["## Med venlig hilsen", block[len("Med venlig hilsen"):].strip() or "-"]
        else:
            result.append(block)
    text = "\n\n".join(b for b in result if b.strip())
    if len(text) > MAX_TEXT_CHARS:
        raise UsageError(f"teksten i filen er for lang: sprogtjekket læser højst {MAX_TEXT_CHARS:,} tegn".replace(",", "."))
    return text


def pdf_markdown(path: Path, file: str | None = None) -> str:
    """A PDF letter as Markdown (see :func:`extract_pdf_markdown`), within the reading limits."""
    file = file or str(path)
    _check_pdf_pages(path, file)
    return _isolated(extract_pdf_markdown, path, file)


def read_source(path: Path, display: str | None = None, heading_roles: dict[str, str] | None = None) -> Source:
    file = display or str(path)
    roles = heading_roles or {}
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        _check_size(path, file, MAX_BINARY_FILE_BYTES if suffix in (".docx", ".pdf") else MAX_TEXT_FILE_BYTES)
    if suffix in (".md", ".markdown"):
        return Source(read_text_document(_read_text(path, file), file, markdown=True, heading_roles=roles))
    if suffix == ".txt":
        text = _read_text(path, file)
        return Source(read_text_document(text, file, markdown=False, heading_roles=roles, per_line=True, skip_letterhead=True))
    if suffix in (".html", ".htm"):
        return read_html(path.read_bytes(), file)
    if suffix == ".docx":
        return Source(read_docx(path, file, roles))
    if suffix == ".pdf":
        return Source(read_text_document(pdf_markdown(path, file), file, markdown=True, heading_roles=roles))
    raise UsageError(f"{file}: kan ikke læse filtypen '{suffix or '(ingen)'}'. Brug {', '.join(SUFFIXES)}")
