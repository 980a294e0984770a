"""Letter -> tagged PDF with Typst: the second PDF engine beside WeasyPrint.

The same printed letter as :mod:`brevgen.render.pdf` makes (A4, the address in the
envelope window, "Side n af N", boxes that never split, headings never alone at a page
end), about a tenth of the CPU per letter. A pure function of the :class:`Letter`, like
the other renderers: it reads neither case data nor the Markdown templates.

- **Data only as input.** The fixed template ``templates/da/typst/brev.typ`` gets the
  letter as one JSON string in ``sys.inputs`` and prints every value as text. Nothing of
  the letter is pasted into Typst markup, so ``#read("/etc/passwd")`` in a citizen's name
  is printed, never run: the Typst equivalent of the Jinja sandbox.
- **Fonts shipped with brevgen only**: the compiler sees ``templates/da/fonts`` and
  neither the machine's fonts nor the ones built into Typst; its file access is confined
  to ``templates/da/typst``.
- **Variants** as for WeasyPrint (:data:`PDF_VARIANTS`): ``pdf/ua-1`` by default;
  ``pdf/a-2a`` and ``pdf/a-3a`` are made together with PDF/UA-1 in one pass (Typst
  accepts both standards at once, so nothing is added to the XMP afterwards except the
  provenance schema's declaration).
- **Same bytes for the same letter.** The creation date is the letter's date (set in the
  template from the input); the document ID is the first 32 hex digits of the data hash,
  as in the WeasyPrint PDF, instead of Typst's hash of title and author (which two
  letters with the same subject and sender would share).
- **Provenance** in the XMP, same namespace and shape as the WeasyPrint PDF
  (:func:`brevgen.render.pdf_metadata.stamp_xmp`). Typst cannot write custom XMP, so the
  finished file is patched: the metadata stream (uncompressed, as Typst writes it) is
  replaced, the cross-reference offsets after it are moved, and the trailer gets the
  letter's ID. That is a byte edit of a few microseconds, where re-writing the file with
  pikepdf would cost about 3 ms per letter; a file of another shape is refused with
  :class:`RenderError`, never written half-patched.

One compiler per process (:func:`compiler`), reused for every letter: it keeps the
parsed template and the loaded fonts. Call :func:`warm_up` in a worker's initializer to
pay for both before the first letter.

**Workers and fork.** Typst's first compilation starts a pool of threads (rayon) for the
rest of the process. A process forked after that inherits the pool without its threads,
and its first compilation would wait for them for ever. So a process that compiled with
Typst must start its workers with ``spawn`` or ``forkserver``; a forked child of such a
process gets a :class:`RenderError` saying so instead of hanging. A process that only
imported this module, or made a compiler without compiling, may fork freely.
"""

from __future__ import annotations

import json
import logging
import os
import re
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError
from ..formatting import short_date
from ..letter import Block, Heading, Letter, ListBlock, Paragraph, Run, Section, Table
from ..paths import templates_dir
from .pdf_metadata import PDF_VARIANT, PDF_VARIANTS, check_variant, stamp_xmp

__all__ = ["PDF_VARIANT", "PDF_VARIANTS", "check_variant", "compiler", "letter_inputs", "render_pdf_typst", "warm_up"]

log = logging.getLogger(__name__)

TEMPLATE_FOLDER = "typst"
TEMPLATE = "brev.typ"
FONT_FOLDER = "fonts"

# brevgen variant -> Typst's pdf_standards. Typst writes PDF/A and PDF/UA-1 in one pass.
STANDARDS = {
    "pdf/ua-1": ["ua-1"],
    "pdf/a-2a": ["a-2a", "ua-1"],
    "pdf/a-3a": ["a-3a", "ua-1"],
}


# --- the letter as JSON input ------------------------------------------------------------


def _runs(runs: tuple[Run, ...]) -> list[dict]:
    """The runs with white space as a browser shows it (CSS ``white-space: normal``).

    The HTML and WeasyPrint letters collapse spaces and tabs to one space, also across
    runs, and drop them at the start and end of a line; a newline in a run is a line
    break (``<br>``). Typst prints a string's spaces as they are, so they are collapsed
    here; a collapsed space stays in the run it came from (so a link's underline does not
    start at the space before it); a no-break space (U+00A0) is kept.
    """
    out: list[dict] = []
    texts: list[list[str]] = []
    after_space = True  # at a line start, or right after a space: more spaces are dropped

    def drop_trailing_space() -> None:
        for text in reversed(texts):
            if text:
                if text[-1] == " ":
                    text.pop()
                return

    for run in runs:
        text: list[str] = []
        texts.append(text)
        for char in run.text:
            if char == "\n":
                drop_trailing_space()
                text.append("\n")
                after_space = True
            elif char in " \t\r\f\v":
                if not after_space:
                    text.append(" ")
                    after_space = True
            else:
                text.append(char)
                after_space = False
        item: dict = {}
        if run.bold:
            item["bold"] = True
        if run.italic:
            item["italic"] = True
        if run.href:
            item["href"] = run.href
        out.append(item)
    drop_trailing_space()
    for item, text in zip(out, texts):
        item["text"] = "".join(text)
    return [item for item in out if item["text"]]


def _block(block: Block) -> dict:
    if isinstance(block, Heading):
        return {"kind": "heading", "level": block.level, "runs": _runs(block.runs)}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "runs": _runs(block.runs)}
    if isinstance(block, ListBlock):
        return {"kind": "list", "ordered": block.ordered, "items": [_runs(item) for item in block.items]}
    if isinstance(block, Table):
        return {
            "kind": "table",
            "header": [_runs(cell) for cell in block.header],
            "rows": [[_runs(cell) for cell in row] for row in block.rows],
        }
    if isinstance(block, Section):
        return {"kind": "section", "role": block.role, "blocks": [_block(b) for b in block.blocks]}
    raise TypeError(block)


def letter_inputs(letter: Letter) -> dict[str, str]:
    """``sys.inputs`` for the template: the letter as one JSON string, nothing else.

    Only what the WeasyPrint letter prints or puts in its metadata, in the same words
    (the date as :func:`short_date` writes it for the HTML letterhead).
    """
    meta = letter.meta
    document = {
        "meta": {
            "subject": meta.subject,
            "lang": meta.lang,
            "author": meta.sender_unit,
            "keywords": [meta.event, f"{meta.template_id} {meta.template_version}", meta.regime_id],
            "created": [meta.letter_date.year, meta.letter_date.month, meta.letter_date.day],
            "sender_unit": meta.sender_unit,
            "sender_lines": list(meta.sender_lines),
            "recipient": [meta.recipient.name, *meta.recipient.lines],
            "date": short_date(meta.letter_date),
            "case_ref": meta.case_ref,
        },
        "blocks": [_block(b) for b in letter.blocks],
    }
    return {"letter": json.dumps(document, ensure_ascii=False, separators=(",", ":"))}


# --- the compiler, one per process ----------------------------------------------------------


@lru_cache(maxsize=4)
def _compiler(root: Path, pid: int):
    import typst

    folder = root / TEMPLATE_FOLDER
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(root / FONT_FOLDER)])
    return typst.Compiler(
        input=str(folder / TEMPLATE),
        root=str(folder),
        font_paths=fonts,
        ignore_system_fonts=True,
    )


def compiler(root: Path | None = None):
    """This process's Typst compiler for the template folder (made on first use).

    Keyed by process id as well: a worker forked from a process that already made one
    gets its own, not a copy of the parent's.
    """
    return _compiler((root or templates_dir()).resolve(), os.getpid())


def warm_up(root: Path | None = None) -> None:
    """Make this process's compiler and load template and fonts (for a worker's initializer)."""
    from ..letter import LetterMeta, Party

    import datetime as dt

    meta = LetterMeta(
        event="-", template_id="-", template_version="-", subject="-", letter_date=dt.date(2000, 1, 1),
        case_ref="-", sender_authority="-", sender_unit="-", sender_lines=(), recipient=Party("-", ()),
        regime_id="-", data_sha256="0" * 64, brevgen_version="-",
    )
    render_pdf_typst(Letter(meta, ()), root=root)


# --- rendering ----------------------------------------------------------------------------


# The process whose Typst thread pool exists (set at its first compilation; see above).
_threads_of: int | None = None


def used_in_this_process() -> bool:
    """Whether this process has compiled with Typst, so its workers must not be forked."""
    return _threads_of is not None


def render_pdf_typst(letter: Letter, variant: str = PDF_VARIANT, root: Path | None = None) -> bytes:
    """The letter as a tagged PDF (PDF/UA-1, or PDF/A-2a/3a and PDF/UA-1) made by Typst."""
    import typst

    global _threads_of
    variant = check_variant(variant)
    if _threads_of is not None and _threads_of != os.getpid():
        raise RenderError(
            "Typst kan ikke bruges i en proces, der er forket fra en proces, som allerede har brugt Typst "
            "(trådene findes ikke i kopien). Start arbejdsprocesserne med 'spawn' eller 'forkserver'."
        )
    try:
        pdf, warnings = compiler(root).compile_with_warnings(
            sys_inputs=letter_inputs(letter), pdf_standards=STANDARDS[variant]
        )
    except typst.TypstError as exc:
        raise RenderError(f"Typst kunne ikke lave PDF'en: {_diagnostic(exc)}") from None
    finally:
        _threads_of = _threads_of or os.getpid()
    for warning in warnings:
        log.warning("Typst: %s", _diagnostic(warning))
    return _finish(pdf, letter, variant)


def _diagnostic(exc) -> str:
    message = getattr(exc, "message", None) or str(exc)
    hints = getattr(exc, "hints", None) or []
    return "; ".join([message.strip(), *(h.strip() for h in hints)])


# --- the finished file: XMP stamp and document ID, patched in place ---------------------------

_OBJECT_HEAD = re.compile(rb"\n(\d+) 0 obj\n<<([^<>]*/Type/Metadata[^<>]*)>>\nstream\n")
_LENGTH = re.compile(rb"/Length (\d+)")
_XREF = re.compile(rb"\nxref\n0 (\d+)\n")
_STARTXREF = re.compile(rb"\nstartxref\n(\d+)\n%%EOF\s*\Z")
_TRAILER_ID = re.compile(rb"/ID\[\(([^()\\]*)\)\(([^()\\]*)\)\]")
_DOCUMENT_ID = re.compile(rb"<xmpMM:DocumentID>[^<]*</xmpMM:DocumentID>")


class _UnknownShape(RenderError):
    def __init__(self, what: str):
        super().__init__(f"Typsts PDF har en form, brevgen ikke kender ({what}); PDF'en er ikke lavet")


def _finish(pdf: bytes, letter: Letter, variant: str) -> bytes:
    """Stamp the XMP and give the file the letter's ID, keeping every other byte.

    Typst writes one uncompressed metadata stream, a classic cross-reference table and
    a trailer with a two-part ID; anything else is refused rather than guessed at.
    """
    ident = letter.meta.data_sha256[:32].encode("ascii")
    heads = list(_OBJECT_HEAD.finditer(pdf))
    xrefs = list(_XREF.finditer(pdf))
    startxref = _STARTXREF.search(pdf)
    if len(heads) != 1 or len(xrefs) != 1 or not startxref or int(startxref.group(1)) != xrefs[0].start() + 1:
        raise _UnknownShape("metadata eller krydsreferencer")
    head, xref = heads[0], xrefs[0]
    lengths = _LENGTH.findall(head.group(2))
    if len(lengths) != 1:
        raise _UnknownShape("metadatastrømmens længde")
    length = int(lengths[0])
    body = head.end()
    if not pdf.startswith(b"\nendstream", body + length) or xref.start() < body:
        raise _UnknownShape("metadatastrømmens længde")

    packet = stamp_xmp(pdf[body : body + length], letter, variant)
    packet = _DOCUMENT_ID.sub(b"<xmpMM:DocumentID>" + ident + b"</xmpMM:DocumentID>", packet)
    dictionary = _LENGTH.sub(b"/Length %d" % len(packet), head.group(2))
    start, end = head.span(2)
    shift = (len(dictionary) - (end - start)) + (len(packet) - length)

    # Every object after the metadata stream moves by `shift`; the table has fixed
    # 20-byte entries "oooooooooo ggggg n\r\n" after its "xref\n0 N\n" line.
    count = int(xref.group(1))
    table = bytearray(pdf[xref.end() : xref.end() + 20 * count])
    if len(table) != 20 * count:
        raise _UnknownShape("krydsreferencer")
    for i in range(count):
        entry = table[20 * i : 20 * i + 20]
        if entry[17:18] == b"n" and int(entry[:10]) > head.start() + 1:  # not the metadata object itself
            table[20 * i : 20 * i + 10] = b"%010d" % (int(entry[:10]) + shift)
    trailer = pdf[xref.end() + 20 * count : startxref.start()]
    ids = _TRAILER_ID.search(trailer)
    if not ids:
        raise _UnknownShape("dokument-id")
    trailer = trailer[: ids.start(1)] + ident + trailer[ids.end(1) :]
    return b"".join(
        (
            pdf[:start], dictionary, pdf[end:body], packet, pdf[body + length : xref.end()],
            bytes(table), trailer, b"\nstartxref\n%d\n%%%%EOF" % (xref.start() + 1 + shift),
        )
    )
