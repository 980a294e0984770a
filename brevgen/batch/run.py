"""Many letters in one run: streamed input, long-lived workers, results in input order.

The batch path makes every letter through the same pipeline as ``brevgen render``
(``build_letter`` + ``render_letter``); its speed comes from how the work is run:

- Worker processes (:mod:`brevgen.batch.workers`) are started once and live for
  ``recycle_after`` letters (2,000 by default, about 5 minutes of work on two cores).
  Replacing them now and then keeps their memory flat: the renderers keep a few kB per letter.
- Records are read one at a time (:mod:`brevgen.batch.records`) and sent in small chunks; at
  most ``window`` chunks are in flight, so memory does not grow with the number of records.
- Results are taken back in input order, so ``manifest.jsonl`` and ``errors.jsonl``
  (:mod:`brevgen.batch.folder`) are in input order too, and an interrupted run's manifest is
  a prefix of a whole run's.

Files are named ``<event>_<case_ref>_<letter date>_<id>.<suffix>``: the record id makes two
letters with the same case reference and date distinct.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import BrevgenError, UsageError
from ..output import DiskFullError, OutputError, ReadOnlyError, output_error
from .folder import ERRORS, MANIFEST, JsonlAppender, load_manifest, locked, remove_stale_temp_files
from .records import Record, RecordError, count_records, problem, read_records
from .workers import init_worker, work_chunk


@dataclasses.dataclass
class BatchResult:
    """Counts for the summary. ``letters`` is what the folder holds for this input now."""

    out_dir: Path
    formats: tuple[str, ...]
    records: int = 0
    written: int = 0  # made by this run
    already_done: int = 0  # found intact in the manifest and skipped
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    first_errors: list[RecordError] = dataclasses.field(default_factory=list)

    @property
    def letters(self) -> int:
        return self.written + self.already_done

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted

    @property
    def letters_per_second(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "letters": self.letters,
            "written": self.written,
            "already_done": self.already_done,
            "failed": self.failed,
            "interrupted": self.interrupted,
            "formats": list(self.formats),
            "seconds": round(self.seconds, 3),
            "letters_per_second": round(self.letters_per_second, 2),
            "out": str(self.out_dir),
            "manifest": str(self.out_dir / MANIFEST),
            "errors": str(self.out_dir / ERRORS),
        }


@dataclasses.dataclass(frozen=True)
class Progress:
    """What a progress display needs; passed to the ``progress`` callback after every record."""

    done: int
    total: int
    written: int
    already_done: int
    failed: int
    elapsed: float


def without_duplicates(items: Iterable[Record | RecordError], seen: dict[str, int | str] | None = None) -> Iterator[Record | RecordError]:
    """The records, with a second use of an id turned into that record's error.

    ``seen`` (id -> where it was first used) is the only state that grows with the input."""
    seen = {} if seen is None else seen
    for item in items:
        if isinstance(item, RecordError):
            yield item
            continue
        first = seen.get(item.id)
        if first is not None:
            where = f"linje {first}" if isinstance(first, int) else first
            yield RecordError(
                "duplicate-id",
                (problem("id", "Brevets id", f"'{item.id}' er brugt før, i {where}. Hvert brev skal have sit eget id"),),
                line=item.line,
                source_file=item.source_file,
                id=item.id,
                event=item.event,
            )
            continue
        seen[item.id] = item.line if item.source_file is None else item.source_file
        yield item


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _chunks(items: Iterable[Record | RecordError], size: int) -> Iterator[list[Record] | RecordError]:
    """Records in chunks of ``size``; a RecordError ends the current chunk so order is kept."""
    chunk: list[Record] = []
    for item in items:
        if isinstance(item, RecordError):
            if chunk:
                yield chunk
                chunk = []
            yield item
            continue
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _StopOnInterrupt:
    """Turns Ctrl-C (SIGINT) into a flag checked between chunks, so the manifest and the
    errors are never cut in the middle of handling a result. A second Ctrl-C stops at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> _StopOnInterrupt:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class _Run:
    """One batch over one output folder: hands out records, takes results back in order."""

    def __init__(self, source: Path, out_dir: Path, formats: tuple[str, ...], workers: int,
                 progress: Callable[[Progress], None] | None, chunk_size: int, keep_errors: int,
                 recycle_after: int | None, pdf_engine: str, time_limit: float | None = None,
                 template_set: tuple[str, str, str | None] | None = None):
        self.source = source
        self.out_dir = out_dir
        self.formats = formats
        self.workers = workers
        self.progress = progress
        self.chunk_size = chunk_size
        self.keep_errors = keep_errors
        self.recycle_after = recycle_after
        self.pdf_engine = pdf_engine
        self.time_limit = time_limit
        self.halt: RecordError | None = None  # the folder cannot take more letters (disk full, read-only)
        self.template_set = template_set
        self.total = count_records(source)
        self.result = BatchResult(out_dir=out_dir, formats=formats)
        self.started = time.perf_counter()
        self.seen: dict[str, int | str] = {}  # id -> where it was first used (the only per-record state)
        self.superseded = 0
        self.done_before: dict = {}
        self.manifest: JsonlAppender | None = None
        self.errors: JsonlAppender | None = None

    # --- bookkeeping -------------------------------------------------------------------------

    def report(self) -> None:
        if self.progress:
            r = self.result
            self.progress(
                Progress(
                    done=r.written + r.already_done + r.failed,
                    total=self.total,
                    written=r.written,
                    already_done=r.already_done,
                    failed=r.failed,
                    elapsed=time.perf_counter() - self.started,
                )
            )

    def fail(self, error: RecordError) -> None:
        self.errors.append(error.as_dict())
        self.result.failed += 1
        if len(self.result.first_errors) < self.keep_errors:
            self.result.first_errors.append(error)

    def _counted(self, items: Iterable[Record | RecordError]) -> Iterator[Record | RecordError]:
        for item in items:
            self.result.records += 1
            yield item

    def todo(self) -> Iterator[Record | RecordError]:
        """Records still to make; duplicates become errors, finished letters are skipped."""
        for item in without_duplicates(self._counted(read_records(self.source)), self.seen):
            if isinstance(item, RecordError):
                yield item
                continue
            before = self.done_before.get(item.id)
            if before and before.fingerprint == item.fingerprint() and set(self.formats) <= before.formats:
                self.result.already_done += 1
                self.report()
                continue
            if before:
                self.superseded += 1
            yield item

    def handle(self, item: Any) -> None:
        """A RecordError from reading, or a finished chunk of a worker."""
        from concurrent.futures import CancelledError

        if isinstance(item, RecordError):
            self.fail(item)
            self.report()
            return
        try:
            outcomes = item.result()
        except CancelledError:
            return
        for outcome in outcomes:
            if isinstance(outcome, RecordError) and outcome.code in ("disk-full", "read-only", "output"):
                # Not this record's fault: every later letter would fail the same way. Stop,
                # and let a later run make what is missing once there is room.
                self.halt = self.halt or outcome
                continue
            if isinstance(outcome, RecordError):
                self.fail(outcome)
            else:
                self.manifest.append(outcome)
                self.result.written += 1
            self.report()

    # --- the run -----------------------------------------------------------------------------

    def new_pool(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if sys.platform.startswith("linux") else None
        if self.pdf_engine == "typst":
            from ..render.pdf_typst import used_in_this_process

            # Typst's thread pool does not survive a fork: a process that has compiled with it
            # starts its workers from a clean server process instead.
            method = "forkserver" if used_in_this_process() else method
        context = multiprocessing.get_context(method) if method else None
        parent = os.getpid() if method == "fork" else None  # a forkserver's child has another parent
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(str(self.out_dir), self.formats, parent, self.pdf_engine, self.time_limit, self.template_set),
        )

    def run(self) -> BatchResult:
        with locked(self.out_dir):
            try:
                remove_stale_temp_files(self.out_dir)
                self.done_before = load_manifest(self.out_dir)
            except OSError as exc:
                raise output_error(exc, self.out_dir) from None
            self.manifest = JsonlAppender(self.out_dir / MANIFEST)
            try:
                self.errors = JsonlAppender(self.out_dir / ERRORS, truncate=True, durable=False)
            except BaseException:
                self.manifest.close()
                raise
            try:
                self._schedule()
            finally:
                self.manifest.close()
                self.errors.close()
                self.result.seconds = time.perf_counter() - self.started
            if self.halt is not None:
                error = {"disk-full": DiskFullError, "read-only": ReadOnlyError}.get(self.halt.code, OutputError)
                raise error(
                    f"{self.halt.problems[0].message}. {self.result.written} breve blev skrevet, før kørslen stoppede; "
                    "kør samme kommando igen, så laves kun dem, der mangler"
                )
            if self.superseded and not self.result.interrupted:
                load_manifest(self.out_dir)  # an id made again: keep only its newest manifest line
        return self.result

    def _schedule(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        stop = _StopOnInterrupt()
        pending: deque = deque()
        window = self.workers * 4  # chunks queued or running: enough to keep workers busy, small in memory
        pool = self.new_pool()
        given = 0  # records handed to the current pool
        try:
            with stop:
                for item in _chunks(self.todo(), self.chunk_size):
                    if not isinstance(item, RecordError) and self.recycle_after and given >= self.recycle_after:
                        # WeasyPrint and python-docx keep a few kB per letter in a long-lived
                        # process; fresh workers every ``recycle_after`` letters keep memory flat
                        # for any N. Draining first keeps the results in input order.
                        while pending:
                            self.handle(pending.popleft())
                        if stop.requested:
                            break
                        pool.shutdown(wait=True)
                        pool, given = self.new_pool(), 0
                    if not isinstance(item, RecordError):
                        given += len(item)
                    pending.append(item if isinstance(item, RecordError) else pool.submit(work_chunk, item))
                    while len(pending) >= window and not stop.requested and self.halt is None:
                        self.handle(pending.popleft())
                    if stop.requested or self.halt is not None:
                        break
                if stop.requested or self.halt is not None:
                    self.result.interrupted = True
                    # Chunks not started are dropped; letters being made are finished and recorded.
                    for item in pending:
                        if not isinstance(item, RecordError):
                            item.cancel()
                while pending:
                    self.handle(pending.popleft())
        except BrokenProcessPool:
            self.result.interrupted = True
            raise BrevgenError("en arbejdsproces stoppede uventet. Kør kommandoen igen for at lave de manglende breve") from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def run_batch(
    source: Path | str,
    out_dir: Path | str,
    formats: Iterable[str] | str | None = None,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    chunk_size: int = 2,
    keep_errors: int = 10,
    recycle_after: int | None = 2000,
    pdf_engine: str | None = None,
    time_limit: float | None = None,
    template_version: str | None = None,
) -> BatchResult:
    """Make a letter for every record in ``source`` (JSONL file or folder of case files).

    Bad records are written to ``out_dir/errors.jsonl`` and counted, never raised; raises
    :class:`UsageError` only when the call itself is wrong (no input, bad format list, the
    folder is in use). Re-running on the same ``out_dir`` makes only what is missing. On
    Ctrl-C it stops handing out work, keeps what the workers finish, and returns with
    ``interrupted`` set. Workers are replaced after every ``recycle_after`` letters. Each letter
    has ``time_limit`` seconds (default BREVGEN_TIME_LIMIT or 60); one over it is stopped and
    reported in errors.jsonl. A full disk or a folder that cannot be written to stops the run
    with :class:`brevgen.output.OutputError` (nothing half-written; run again to resume).
    ``pdf_engine``: "weasyprint" (default) or "typst". ``template_version``: a published
    version (number or start of its hash); default the newest published version, or the
    working template folder when none is published. It is chosen once, for the whole batch.
    """
    from ..timelimit import default_seconds
    from ..render import default_formats, parse_formats
    from ..render.pdf import check_engine

    source, out_dir = Path(source), Path(out_dir)
    # Every format: the workers have each record's case, so MeMo and .ics get the same
    # per-record checks as ``brevgen render`` (a record that cannot have one is its error).
    chosen = parse_formats(formats) if formats is not None else default_formats()
    workers = workers or default_workers()
    if workers < 1:
        raise UsageError("--workers skal være mindst 1")
    if not source.exists():
        raise UsageError(f"{source}: findes ikke. Angiv en JSONL-fil eller en mappe med sagsfiler")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: er en fil, ikke en mappe")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out_dir) from None
    engine = check_engine(pdf_engine)
    seconds = time_limit if time_limit is not None else default_seconds()
    from ..versions import template_set_for

    templates = template_set_for(template_version)
    chosen_set = (str(templates.root), templates.version, str(templates.rules_root) if templates.rules_root else None)
    return _Run(source, out_dir, chosen, workers, progress, chunk_size, keep_errors, recycle_after, engine, seconds, chosen_set).run()
