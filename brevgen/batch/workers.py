"""The worker side of a batch: processes that live for many letters and write each one.

Each worker imports WeasyPrint and python-docx once and reuses the parsed stylesheets and font
configuration that the PDF renderer caches per process, so no letter pays for imports or CSS
parsing. A letter is made through the same pipeline as ``brevgen render`` and its files are
written with :func:`brevgen.output.write_files` (all formats or none); the parent records them
in the manifest. Each letter has a time limit (:mod:`brevgen.timelimit`): one over it is stopped,
reported as the record's error, and the worker goes on with the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable
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
    seconds: float | None = None, template_set: tuple[str, str, str | None] | None = None,
) -> None:
    """``template_set``: (template folder, version hash, rule folder) the parent chose for the
    whole batch, so every letter is made from the same version and no worker opens the database."""
    import gc
    import signal

    # Ctrl-C goes to the whole process group: the parent decides, workers finish their letter.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(out_dir=Path(out_dir), formats=formats, parent_pid=parent_pid, pdf_engine=pdf_engine, seconds=seconds)
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
    if {"pdf", "memo"} & set(formats) and pdf_engine == "typst":
        from ..render.pdf_typst import warm_up

        warm_up(templates.root)  # this worker's one compiler, with the template and fonts loaded
    elif {"pdf", "memo"} & set(formats):  # MeMo carries the PDF
        import weasyprint  # noqa: F401  (~0.6 s)
    templates.regimes  # noqa: B018  (read and checked once here, not in the first letter)
    # Everything imported so far lives until the worker ends: keep it out of the collector's way.
    gc.collect()
    gc.freeze()


def write_record(
    record: Record,
    formats: tuple[str, ...],
    write: Callable[[dict[str, bytes]], None],
    pdf_engine: str = "weasyprint",
    templates: Any = None,
) -> dict[str, Any]:
    """Make one record's letter in ``formats`` and hand all its files to ``write({name: data})``.

    The same per-record checks as ``brevgen render``: MeMo and .ics get the validated case, and
    a format the case cannot have is this record's error. Returns the manifest line (files with
    their SHA-256, the letter's notes). Used by the local batch workers (every format written or
    none, into the output folder) and by the queue's workers (the shared output store).
    ``templates``: the template set (a pinned version) to make it from; default the current one.
    """
    from .. import cpr
    from ..letter import letter_stem
    from ..pipeline import build_case_letter, render_letter
    from ..render import get_format

    case, letter = build_case_letter(record.event, record.data, record=record.label, formats=formats, templates=templates)
    rendered = render_letter(letter, formats, case=case, pdf_engine=pdf_engine)
    stem = f"{letter_stem(letter.meta)}_{record.id}"
    if cpr.contains(stem):  # case_ref and id are each checked; this guards their joining
        raise LetterError("filnavnet ville ligne et CPR-nummer. Ret sagsnummeret eller id'et")
    names = {fmt: f"{stem}.{get_format(fmt).suffix}" for fmt in rendered}
    write({names[fmt]: data for fmt, data in rendered.items()})
    files = [
        {"format": fmt, "file": names[fmt], "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for fmt, data in rendered.items()
    ]
    where = {k: cpr.redact(v) if isinstance(v, str) else v for k, v in record.where.items()}
    return {
        "id": record.id,
        **where,
        "event": record.event,
        "case_ref": letter.meta.case_ref,
        "letter_date": letter.meta.letter_date.isoformat(),
        "input_sha256": record.fingerprint(),
        "files": files,
        # What the caseworker must know before sending (values not yet confirmed in law, a
        # deadline moved past a holiday): on every line, as render prints them.
        "notes": list(letter.meta.notes),
    }


def _make_letter(record: Record) -> dict[str, Any]:
    from ..output import write_files

    out_dir: Path = _worker["out_dir"]
    return write_record(
        record, _worker["formats"], lambda files: write_files(out_dir, files), _worker["pdf_engine"], _worker.get("templates")
    )


def error_for(record: Record, exc: BaseException) -> RecordError:
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
    from ..timelimit import time_limit

    out: list[dict[str, Any] | RecordError] = []
    for record in records:
        try:
            with time_limit(_worker.get("seconds")):
                out.append(_make_letter(record))
        except Exception as exc:  # one bad record never stops the batch
            out.append(error_for(record, exc))
    return out


