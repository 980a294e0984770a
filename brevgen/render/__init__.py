"""The formats brevgen writes: one module per format, registered once; everything asks here.

A format module calls :func:`register_format` with a :class:`Format`: its name, file suffix,
media type, whether it is made by default, what it needs beyond the Letter (the validated
case for Digital Post's CPR number; another format's bytes, as MeMo carries the PDF), a
check that names what the case lacks, and its renderer. The pipeline, the HTTP service,
output file names, batch and ``brevgen inspect`` read this registry; none has a list of its own.

Format modules import heavy libraries (WeasyPrint, python-docx) inside their functions, so
finding the formats costs little. See docs/architecture.md for adding a format.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..discovery import ModuleDiscovery
from ..errors import Problem, UsageError
from ..letter import Letter


@dataclass(frozen=True)
class RenderJob:
    """What a renderer may use besides the Letter."""

    case: Any = None  # the validated case; only for formats with ``needs_case``
    inputs: Mapping[str, bytes] = field(default_factory=dict)  # the formats named in ``requires``
    pdf_variant: str | None = None
    pdf_engine: str | None = None  # "weasyprint" (default) or "typst"
    memo_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stamp:
    """What ``brevgen inspect`` reads back from a file: title, language, standards, provenance."""

    title: str | None
    lang: str | None
    provenance: dict[str, str]
    conformance: list[str] = field(default_factory=list)


class StampError(ValueError):
    """A file of the right kind that is not a letter (a zip that is no Word document)."""


@dataclass(frozen=True)
class Format:
    name: str  # "pdf": how callers ask for it
    suffix: str  # file name ending without the dot: "pdf", "memo.xml"
    media_type: str  # for HTTP and MeMo
    render: Callable[[Letter, RenderJob], bytes]
    title: str  # Danish, for help texts: "PDF (tilgængelig, PDF/UA)"
    default: bool = False  # made when no format is asked for (the documents: pdf, docx, html)
    needs_case: bool = False  # needs the validated case, not only the Letter
    requires: tuple[str, ...] = ()  # formats this one embeds, made first
    # What the letter or case lacks for this format: problems by field (CaseDataError), or a
    # UsageError when the format can never be made for this kind of letter.
    check: Callable[[Letter, Any], list[Problem]] | None = None
    text: bool = False  # a text format: HTTP adds "; charset=utf-8"
    order: int = 100
    # Reading the provenance back (brevgen inspect): does ``data`` look like this format, and its stamp.
    sniff: Callable[[bytes], bool] | None = None
    read_stamp: Callable[[bytes], Stamp] | None = None
    # Every string a reader or a program can get out of a made file (text, metadata, link
    # targets), for the CPR check the pipeline runs on every output. None: not checked.
    texts: Callable[[bytes], Iterable[str]] | None = None


_formats: dict[str, Format] = {}
_lock = threading.RLock()


def register_format(fmt: Format) -> Format:
    with _lock:
        _formats[fmt.name] = fmt
    return fmt


_load = ModuleDiscovery(__name__, __path__).ensure


def all_formats() -> list[Format]:
    _load()
    return sorted(_formats.values(), key=lambda f: (f.order, f.name))


def format_names() -> tuple[str, ...]:
    return tuple(f.name for f in all_formats())


def default_formats() -> tuple[str, ...]:
    """The document formats made when none are asked for: pdf, docx, html."""
    return tuple(f.name for f in all_formats() if f.default)


def get_format(name: str) -> Format:
    _load()
    fmt = _formats.get(name)
    if fmt is None:
        raise UsageError(f"ukendt format: {name}. Vælg blandt: {', '.join(format_names())}")
    return fmt


def parse_formats(value: str | Iterable[str], allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    """``"pdf, DOCX"`` -> ``("pdf", "docx")``; an unknown or empty list is a Danish usage error."""
    allowed = tuple(allowed) if allowed is not None else format_names()
    items = [v.strip().lower() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown or not items:
        raise UsageError(f"ukendt format: {', '.join(unknown) or '(intet)'}. Vælg blandt: {', '.join(allowed)}")
    return tuple(dict.fromkeys(items))
