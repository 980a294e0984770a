"""An independent oracle for CPR leaks: every string a reader or a machine can get out of a file.

This deliberately does not use brevgen's own detector (brevgen/cpr.py): it looks for the ten
digits of one known CPR number in order, with up to three characters that are neither letters
nor digits between any two of them, after Unicode compatibility normalisation (so fullwidth
digits, dashes, spaces, dots, slashes, line breaks and zero-width characters all count).

What is read per format (with real clients where there are any):

- pdf: the page text (poppler's pdftotext), the document info, the XMP packet, link targets,
  bookmarks and attached file names (pikepdf);
- docx: every text node and attribute of every XML part (document, headers, footers, core and
  custom properties, relationship targets such as hyperlinks);
- html: the whole document as text (tags, attributes and text, entities decoded);
- memo: every element and attribute except ``Recipient/recipientID`` (where the CPR number
  belongs) and the embedded PDF's base64, which is decoded and read as a PDF;
- ics: the whole file with line folding undone.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import re
import unicodedata
import zipfile

from extract import pdf_text

_IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def cpr_pattern(cpr: str) -> re.Pattern:
    digits = re.sub(r"\D", "", cpr)
    gap = r"[^0-9A-Za-zÆØÅæøå]{0,3}"
    return re.compile(gap.join(digits))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.translate({ord(c): None for c in _IGNORABLE})


def pdf_strings(data: bytes) -> list[str]:
    import pikepdf

    out = [pdf_text(data)]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out += [str(v) for v in pdf.docinfo.values()]
        if "/Metadata" in pdf.Root:
            out.append(pdf.Root.Metadata.read_bytes().decode("utf-8", "replace"))
        for page in pdf.pages:
            for annot in page.get("/Annots", []) or []:
                action = annot.get("/A")
                if action is not None and "/URI" in action:
                    out.append(str(action.URI))
        with pdf.open_outline() as outline:
            todo = list(outline.root)
            while todo:
                item = todo.pop()
                out.append(str(item.title))
                todo += list(item.children)
        out += list(pdf.attachments.keys())
    return out


def docx_strings(data: bytes) -> list[str]:
    from lxml import etree

    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            out.append(name)
            if not name.endswith((".xml", ".rels")):
                continue
            root = etree.fromstring(z.read(name))
            for el in root.iter():
                if isinstance(el.tag, str):
                    out += [el.text or "", *el.attrib.values()]
    return out


def memo_strings(data: bytes) -> list[str]:
    from lxml import etree

    out = []
    for el in etree.fromstring(data).iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local == "recipientID":
            continue
        if local == "content":
            out += pdf_strings(base64.b64decode(el.text))
            continue
        out += [el.text or "", *el.attrib.values()]
    return out


def ics_strings(data: bytes) -> list[str]:
    return [data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")]


def html_strings(data: bytes) -> list[str]:
    return [html_lib.unescape(data.decode("utf-8"))]


STRINGS = {"pdf": pdf_strings, "docx": docx_strings, "html": html_strings, "memo": memo_strings, "ics": ics_strings}


def leaks(cpr: str, files: dict[str, bytes], extra: dict[str, str] | None = None) -> list[str]:
    """The formats (and extra named texts, e.g. file names or messages) where ``cpr`` can be read."""
    pattern = cpr_pattern(cpr)
    found = []
    for fmt, data in files.items():
        if any(pattern.search(_normalise(s)) for s in STRINGS[fmt](data)):
            found.append(fmt)
    for name, text in (extra or {}).items():
        if pattern.search(_normalise(text)):
            found.append(name)
    return found


def text_leaks(cpr: str, text: str) -> bool:
    return bool(cpr_pattern(cpr).search(_normalise(text)))
