"""Reading the provenance stamp back from a letter file (PDF, DOCX or HTML).

Each renderer writes the same stamp (``LetterMeta.provenance()``: event, template id and
version, the template set version (brevgen.versioning), legal regime, brevgen version,
SHA-256 of the case data without the CPR number, case reference) where that format's own tools look for metadata, and reads it back through
its ``read_stamp`` in the format registry:

- PDF: XMP metadata, namespace ``urn:brevgen:provenance:1.0/`` (plus title, language and
  the PDF/UA and PDF/A identification, read with pikepdf);
- DOCX: custom properties in docProps/custom.xml (core properties for the title);
- HTML: ``<meta name="brevgen-...">`` in a page, ``data-brevgen-...`` on a fragment's article.

This module only reads; it never trusts the file to be one brevgen made: a file over
``MAX_FILE_BYTES`` is not read, and the stamp is read in a child process with a time and memory
limit (brevgen.isolate), since a PDF's metadata stream or a DOCX part may unpack to anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import BrevgenError, UsageError
from .formatting import word_list
from .render import Format, StampError, all_formats

STAMP_KEYS = (
    "brevgen-event",
    "brevgen-template",
    "brevgen-template-version",
    "brevgen-template-set",
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


MAX_FILE_BYTES = 50_000_000  # a letter is well under 1 MB; a PDF/A with large images stays far below this
READ_SECONDS = 30.0
READ_MEMORY_MB = 1024


def _read_stamp(name: str, data: bytes):
    """``(kind, value)``: the stamp, or why it could not be read. Runs in a child process."""
    from .render import get_format

    try:
        return "ok", get_format(name).read_stamp(data)
    except StampError as exc:
        return "not-a-letter", str(exc)
    except Exception as exc:  # a damaged file: the library's reason
        return "damaged", f"{exc.__class__.__name__}: {exc}"


def inspect_file(path: Path) -> Inspection:
    from . import isolate

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: er ikke en almindelig fil")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UsageError(f"{path}: filen er for stor; brevgen inspect læser højst {MAX_FILE_BYTES // 1_000_000} MB")
    data = path.read_bytes()
    fmt = _sniff(data, path)
    kind, value = isolate.run(_read_stamp, fmt.name, data, seconds=READ_SECONDS, memory_mb=READ_MEMORY_MB, what=str(path))
    if kind == "not-a-letter":
        raise ProvenanceError(f"{path}: {value}")
    if kind == "damaged":
        raise ProvenanceError(f"{path}: filen kan ikke læses som {fmt.name.upper()} ({value})")
    stamp = value
    if not stamp.provenance:
        raise ProvenanceError(f"{path}: filen har intet brevgen-stempel (skabelon, regelsæt og datahash mangler)")
    return Inspection(str(path), fmt.name, stamp.title, stamp.lang, _ordered(stamp.provenance), stamp.conformance)


def _sniff(data: bytes, path: Path) -> Format:
    readable = [f for f in all_formats() if f.sniff and f.read_stamp]
    for fmt in readable:
        if fmt.sniff(data):
            return fmt
    raise UsageError(f"{path}: brevgen kan kun læse {word_list([f.name.upper() for f in readable])}")


def _ordered(provenance: dict[str, str]) -> dict[str, str]:
    """The stamp in the canonical key order; unknown brevgen-* keys kept after it."""
    known = {key: provenance[key] for key in STAMP_KEYS if key in provenance}
    return known | {k: v for k, v in provenance.items() if k not in known}
