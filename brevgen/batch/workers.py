"""The worker side of a batch: processes that live for many letters and write each one.

Each worker imports WeasyPrint and python-docx once and reuses the parsed stylesheets and font
configuration that the PDF renderer caches per process, so no letter pays for imports or CSS
parsing. A letter is made through the same pipeline as ``brevgen render`` and its files are
written with :func:`brevgen.output.atomic_write`; the parent records them in the manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import BrevgenError, CaseDataError, LetterError
from .records import Record, RecordError, problem

_worker: dict[str, Any] = {}


def _die_with_parent() -> None:
    """On Linux, end this worker when the batch process dies (kill -9 included)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        parent = _worker.get("parent_pid")
        if parent is not None and os.getppid() != parent:
            os._exit(1)  # the parent died before prctl took effect


def init_worker(
    out_dir: str, formats: tuple[str, ...], parent_pid: int | None, pdf_engine: str = "weasyprint",
    template_set: tuple[str, str, str | None] | None = None,
) -> None:
    """``template_set``: (template folder, version hash, rule folder) the parent chose for the
    whole batch, so every letter is made from the same version and no worker opens the database."""
    import gc
    import signal

    # Ctrl-C goes to the whole process group: the parent decides, workers finish their letter.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(out_dir=Path(out_dir), formats=formats, parent_pid=parent_pid, pdf_engine=pdf_engine)
    _die_with_parent()
    # Import everything a letter needs once, here, not in the first letter of every chunk.
    from .. import render, templating

    if template_set is not None:
        root, version, rules = template_set
        templates = templating.TemplateSet(Path(root), version=version, rules_root=Path(rules) if rules else None)
    else:
        templates = templating.template_set()
    _worker["templates"] = templates
    render.all_formats()  # python-docx loads with its format
    if "pdf" in formats and pdf_engine == "typst":
        from ..render.pdf_typst import warm_up

        warm_up(templates.root)  # this worker's one compiler, with the template and fonts loaded
    elif "pdf" in formats:
        import weasyprint  # noqa: F401  (~0.6 s)
    templates.regimes  # noqa: B018  (read and checked once here, not in the first letter)
    # Everything imported so far lives until the worker ends: keep it out of the collector's way.
    gc.collect()
    gc.freeze()


def _make_letter(record: Record) -> dict[str, Any]:
    from ..casedata import CPR_SHAPE
    from ..output import atomic_write, letter_stem
    from ..pipeline import build_letter, render_letter
    from ..render import get_format

    out_dir: Path = _worker["out_dir"]
    letter = build_letter(record.event, record.data, record=record.label, templates=_worker.get("templates"))
    rendered = render_letter(letter, _worker["formats"], pdf_engine=_worker["pdf_engine"])
    stem = f"{letter_stem(letter.meta)}_{record.id}"
    if CPR_SHAPE.search(stem):  # case_ref and id are each checked; this guards their joining
        raise LetterError("filnavnet ville ligne et CPR-nummer. Ret sagsnummeret eller id'et")
    files = []
    for fmt, data in rendered.items():
        name = f"{stem}.{get_format(fmt).suffix}"
        atomic_write(out_dir / name, data)
        files.append({"format": fmt, "file": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    return {
        "id": record.id,
        **record.where,
        "event": record.event,
        "case_ref": letter.meta.case_ref,
        "letter_date": letter.meta.letter_date.isoformat(),
        "input_sha256": record.fingerprint(),
        "files": files,
    }


def _error_for(record: Record, exc: BaseException) -> RecordError:
    if isinstance(exc, CaseDataError):
        problems = tuple(exc.problems)
    elif isinstance(exc, BrevgenError):
        problems = (problem(None, None, exc.message),)
    else:
        # Unknown failures are reported by type only: their text may quote case data.
        problems = (problem(None, None, f"brevet kunne ikke laves på grund af en intern fejl ({type(exc).__name__})"),)
    code = exc.code if isinstance(exc, BrevgenError) else "internal"
    return RecordError(code, problems, line=record.line, source_file=record.source_file, id=record.id, event=record.event)


def work_chunk(records: list[Record]) -> list[dict[str, Any] | RecordError]:
    out: list[dict[str, Any] | RecordError] = []
    for record in records:
        try:
            out.append(_make_letter(record))
        except Exception as exc:  # one bad record never stops the batch
            out.append(_error_for(record, exc))
    return out


