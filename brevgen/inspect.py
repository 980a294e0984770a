"""Reading the provenance stamp back from a letter file (PDF, DOCX or HTML).

Each renderer writes the same stamp (``LetterMeta.provenance()``: event, template id and
version, legal regime, brevgen version, SHA-256 of the case data without the CPR number,
case reference) where that format's own tools look for metadata:

- PDF: XMP metadata, namespace ``urn:brevgen:provenance:1.0/`` (plus title, language and
  the PDF/UA and PDF/A identification, read with pikepdf);
- DOCX: custom properties in docProps/custom.xml (core properties for the title);
- HTML: ``<meta name="brevgen-...">`` in a page, ``data-brevgen-...`` on a fragment's article.

This module only reads; it never trusts the file to be one brevgen made.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BrevgenError, UsageError

STAMP_PREFIX = "brevgen-"
STAMP_KEYS = (
    "brevgen-event",
    "brevgen-template",
    "brevgen-template-version",
    "brevgen-regime",
    "brevgen-version",
    "brevgen-data-sha256",
    "brevgen-case-ref",
)


class ProvenanceError(BrevgenError):
    """The file cannot be read, or carries no brevgen stamp."""

    code = "provenance"


@dataclass
class Inspection:
    file: str
    format: str
    title: str | None
    lang: str | None
    provenance: dict[str, str]
    conformance: list[str] = field(default_factory=list)  # e.g. ["PDF/UA-1", "PDF/A-2A"]

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "title": self.title,
            "lang": self.lang,
            "conformance": self.conformance,
            "provenance": self.provenance,
        }


def inspect_file(path: Path) -> Inspection:
    data = Path(path).read_bytes()
    kind = _sniff(data, path)
    reader = {"pdf": _inspect_pdf, "docx": _inspect_docx, "html": _inspect_html}[kind]
    try:
        result = reader(data, str(path))
    except ProvenanceError:
        raise
    except Exception as exc:  # a damaged file: say so in Danish, with the library's reason
        raise ProvenanceError(f"{path}: filen kan ikke læses som {kind.upper()} ({exc.__class__.__name__}: {exc})") from None
    if not result.provenance:
        raise ProvenanceError(f"{path}: filen har intet brevgen-stempel (skabelon, regelsæt og datahash mangler)")
    return result


def _sniff(data: bytes, path: Path) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<article", b"<meta", b"<div", b"<section")):
        return "html"
    raise UsageError(f"{path}: brevgen kan kun læse PDF, DOCX og HTML")


def _inspect_pdf(data: bytes, name: str) -> Inspection:
    import pikepdf
    from lxml import etree

    from .render.pdf import PROVENANCE_NS

    with pikepdf.open(io.BytesIO(data)) as pdf:
        lang = str(pdf.Root.Lang) if "/Lang" in pdf.Root else None
        title = str(pdf.docinfo["/Title"]) if "/Title" in pdf.docinfo else None
        packet = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
    provenance: dict[str, str] = {}
    conformance: list[str] = []
    if packet:
        start, end = packet.find(b"<x:xmpmeta"), packet.rfind(b"</x:xmpmeta>")
        root = etree.fromstring(packet[start : end + len(b"</x:xmpmeta>")])
        for element in root.iter(f"{{{PROVENANCE_NS}}}*"):
            provenance[STAMP_PREFIX + etree.QName(element).localname] = (element.text or "").strip()
        rdf_about = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
        for description in root.iter(rdf_about):
            # XMP writes a simple property as an attribute (WeasyPrint) or as a child element (Typst).
            attrs = {etree.QName(k).localname + "@" + (etree.QName(k).namespace or ""): v for k, v in description.attrib.items()}
            for child in description:
                if isinstance(child.tag, str) and len(child) == 0:
                    qname = etree.QName(child)
                    attrs.setdefault(qname.localname + "@" + (qname.namespace or ""), (child.text or "").strip())
            ua = attrs.get("part@http://www.aiim.org/pdfua/ns/id/")
            if ua:
                conformance.append(f"PDF/UA-{ua}")
            pdfa = attrs.get("part@http://www.aiim.org/pdfa/ns/id/")
            if pdfa:
                conformance.append(f"PDF/A-{pdfa}{attrs.get('conformance@http://www.aiim.org/pdfa/ns/id/', '')}")
    return Inspection(name, "pdf", title, lang, _ordered(provenance), sorted(conformance, reverse=True))


def _inspect_docx(data: bytes, name: str) -> Inspection:
    from lxml import etree

    ns = {
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dc": "http://purl.org/dc/elements/1.1/",
        "op": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    }
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise ProvenanceError(f"{name}: filen er en zip-fil, men ikke et Word-dokument (DOCX)")
        core = etree.fromstring(zf.read("docProps/core.xml")) if "docProps/core.xml" in names else None
        custom = etree.fromstring(zf.read("docProps/custom.xml")) if "docProps/custom.xml" in names else None
    title = lang = None
    if core is not None:
        title = core.findtext("dc:title", namespaces=ns)
        lang = core.findtext("dc:language", namespaces=ns)
    provenance: dict[str, str] = {}
    if custom is not None:
        for prop in custom.iterfind("op:property", ns):
            key = prop.get("name", "")
            if key.startswith(STAMP_PREFIX):
                provenance[key] = "".join(prop.itertext()).strip()
    return Inspection(name, "docx", title, lang, _ordered(provenance))


def _inspect_html(data: bytes, name: str) -> Inspection:
    from lxml import html

    # brevgen writes UTF-8; a fragment has no <meta charset> for lxml to find it by.
    tree = html.fromstring(data.decode("utf-8", errors="replace"))
    provenance: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("name", "")
        if key.startswith(STAMP_PREFIX):
            provenance[key] = meta.get("content", "")
    title = tree.findtext(".//title")
    lang = tree.get("lang") if tree.tag in ("html", "article") else None
    if not provenance:  # a fragment: <article class="brevgen-letter" data-brevgen-...>
        for article in tree.iter("article"):
            stamp = {k.removeprefix("data-"): v for k, v in article.attrib.items() if k.startswith("data-" + STAMP_PREFIX)}
            if stamp:
                provenance, lang = stamp, article.get("lang")
                heading = next(iter(article.xpath(".//h1|.//h2|.//h3|.//h4")), None)
                title = heading.text_content().strip() if heading is not None else None
                break
    return Inspection(name, "html", title.strip() if title else None, lang, _ordered(provenance))


def _ordered(provenance: dict[str, str]) -> dict[str, str]:
    """The stamp in the canonical key order; unknown brevgen-* keys kept after it."""
    known = {key: provenance[key] for key in STAMP_KEYS if key in provenance}
    return known | {k: v for k, v in provenance.items() if k not in known}
