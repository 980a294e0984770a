"""Many letters in one run: streamed input, long-lived workers, a resumable manifest.

The batch path makes every letter through the same pipeline as ``brevgen render``
(``build_letter`` + ``render_letter``); its speed comes from how the work is run:

- Worker processes are started once and live for ``recycle_after`` letters (2,000 by
  default, about 5 minutes of work on two cores). Each imports WeasyPrint and python-docx
  once and reuses the parsed stylesheets and font configuration that the PDF renderer
  caches per process, so no letter pays for imports or CSS parsing. Replacing them now
  and then keeps their memory flat: the renderers keep a few kB per letter.
- Records are read one at a time (JSONL line or case file) and sent in small chunks; at
  most ``window`` chunks are in flight, so memory does not grow with the number of records.
- Results are taken back in input order, so ``manifest.jsonl`` and ``errors.jsonl`` are
  in input order too, and an interrupted run's manifest is a prefix of a whole run's.

Output folder:

- ``<event>_<case_ref>_<letter date>_<id>.<format>``: one file per letter and format,
  written by the worker with :func:`brevgen.output.atomic_write`. The record id makes two
  letters with the same case reference and date distinct; ids are checked like case
  references, so no file name can hold a CPR number.
- ``manifest.jsonl``: one line per letter written, appended and fsynced one whole line at
  a time after its files are on disk, with each file's SHA-256. Lines are in input order
  (a letter made again by a later run, because its file was deleted, comes last).
- ``errors.jsonl``: one line per record that could not become a letter (rewritten by
  every run, so it always describes the whole input).

Resuming: a new run on the same folder reads the manifest, keeps the entries whose files
still exist with the recorded SHA-256 (a torn last line from a killed run is dropped),
removes temporary files a killed run left behind, and then makes only the letters that are
missing or whose input changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import BrevgenError, Problem, UsageError

MANIFEST = "manifest.jsonl"
ERRORS = "errors.jsonl"
LOCK = ".brevgen-batch.lock"
CASE_SUFFIXES = (".yaml", ".yml", ".json")

# Record ids become part of file names: the same rule as case references.
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Temporary files left by atomic_write when a run is killed: ".<name>.<8 random chars>.tmp".
_STALE_TMP = re.compile(r"^\..+\.(pdf|docx|html|jsonl)\.[A-Za-z0-9_]{8}\.tmp$")
_FOLDER_ID_CHARS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", " ": "-", "/": "-"})


# --- what goes in and what comes out ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Record:
    """One letter to make. ``line`` is set for JSONL input, ``source_file`` for a folder."""

    id: str
    event: str
    data: dict[str, Any]
    line: int | None = None
    source_file: str | None = None

    @property
    def where(self) -> dict[str, Any]:
        return {"line": self.line} if self.source_file is None else {"source_file": self.source_file}

    @property
    def label(self) -> str:
        place = f"linje {self.line}" if self.source_file is None else self.source_file
        return f"{place} (id {self.id})"

    def fingerprint(self) -> str:
        """SHA-256 of event and data without the CPR number: tells a resumed run that the input changed."""
        data = self.data
        citizen = data.get("citizen")
        if isinstance(citizen, dict) and "cpr" in citizen:
            data = {**data, "citizen": {k: v for k, v in citizen.items() if k != "cpr"}}
        canonical = json.dumps([self.event, data], sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class RecordError:
    """A record that did not become a letter: where it is, what is wrong (in Danish)."""

    code: str
    problems: tuple[Problem, ...]
    line: int | None = None
    source_file: str | None = None
    id: str | None = None
    event: str | None = None

    def as_dict(self) -> dict[str, Any]:
        where = {"line": self.line} if self.source_file is None else {"source_file": self.source_file}
        return {
            **where,
            "id": self.id,
            "event": self.event,
            "code": self.code,
            "problems": [{**p.as_dict(), "field": p.path or None} for p in self.problems],
            "message": self.message,
        }

    @property
    def message(self) -> str:
        """Every problem, ``field (Danish name): what is wrong``; a problem of the whole record has no field."""
        return "; ".join(str(p) if p.path else p.message for p in self.problems)

    def line_text(self) -> str:
        """One line for stderr: where, which record, what is wrong."""
        place = f"linje {self.line}" if self.source_file is None else self.source_file
        who = f" (id {self.id})" if self.id else ""
        return f"{place}{who}: {self.message}"


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


# --- reading the input, one record at a time ------------------------------------------------


def _problem(field: str | None, label: str | None, message: str) -> Problem:
    return Problem(path=field or "", message=message, label=label)


def _id_problem(value: Any) -> Problem | None:
    from .models import CPR_SHAPE

    if value is None or value == "":
        return _problem("id", "Brevets id", "skal udfyldes")
    if not isinstance(value, str):
        return _problem("id", "Brevets id", "skal være tekst")
    if not _ID_PATTERN.match(value):
        return _problem("id", "Brevets id", "må kun have bogstaver a-z, tal, punktum og bindestreg (højst 64 tegn)")
    if CPR_SHAPE.search(value) or re.search(r"\d{10}", value):
        return _problem("id", "Brevets id", "ligner et CPR-nummer. Brug et id fra sagssystemet, ikke borgerens CPR-nummer")
    return None


def _event_problem(value: Any) -> Problem | None:
    from .models import EVENTS

    if value is None or value == "":
        return _problem("event", "Brevtype", "skal udfyldes")
    if value not in EVENTS:
        shown = value if isinstance(value, str) and len(value) <= 40 else "?"
        return _problem("event", "Brevtype", f"'{shown}' kendes ikke. Vælg en af: {', '.join(EVENTS)}")
    return None


def _jsonl_record(line_no: int, raw: str) -> Record | RecordError:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        # Never echo the line: it may hold personal data. The position is enough to find it.
        return RecordError("invalid-json", (_problem(None, None, f"linjen er ikke gyldig JSON (fejl ved tegn {exc.pos + 1})"),), line=line_no)
    if not isinstance(obj, dict):
        return RecordError("invalid-json", (_problem(None, None, "linjen skal være et JSON-objekt med id, event og data"),), line=line_no)
    rid, event = obj.get("id"), obj.get("event")
    id_problem = _id_problem(rid)
    safe_id = rid if id_problem is None else None  # a bad id is never echoed: it may be a CPR number
    safe_event = event if isinstance(event, str) and len(event) <= 40 else None
    problems = [p for p in (id_problem, _event_problem(event)) if p]
    data = obj.get("data")
    if not isinstance(data, dict):
        problems.append(_problem("data", "Sagens data", "skal udfyldes" if data is None else "skal være en gruppe af felter"))
    problems += [_problem(key, None, "kendes ikke. Brug kun id, event og data") for key in obj if key not in ("id", "event", "data")]
    if problems:
        return RecordError("invalid-record", tuple(problems), line=line_no, id=safe_id, event=safe_event)
    return Record(id=rid, event=event, data=data, line=line_no)


def read_jsonl(path: Path) -> Iterator[Record | RecordError]:
    """One record per non-blank line; a bad line becomes a RecordError, never an exception."""
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                raw.encode("utf-8")
            except UnicodeEncodeError:
                yield RecordError("invalid-json", (_problem(None, None, "linjen er ikke gemt som UTF-8"),), line=line_no)
                continue
            yield _jsonl_record(line_no, raw.rstrip("\r\n"))


def _case_files(root: Path) -> Iterator[Path]:
    """Case files under ``root`` in a stable order, one folder at a time (hidden ones skipped)."""
    entries = sorted(os.scandir(root), key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _case_files(Path(entry.path))
        elif entry.is_file() and Path(entry.name).suffix.lower() in CASE_SUFFIXES:
            yield Path(entry.path)


def read_folder(root: Path) -> Iterator[Record | RecordError]:
    """Case files in a folder. The event is the file's ``event`` key, or else the name of the
    folder the file is in (``indkaldelse/sag-17.yaml``). The id is the file's ``id`` key, or
    else its path without suffix (``indkaldelse-sag-17``)."""
    from .validation import read_case_file

    for path in _case_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            data = read_case_file(path)
        except UsageError as exc:
            yield RecordError("unreadable", (_problem(None, None, exc.message.replace(str(path), rel)),), source_file=rel)
            continue
        data = dict(data)
        event = data.pop("event", None) or path.parent.name
        rid = data.pop("id", None) or str(Path(rel).with_suffix("")).translate(_FOLDER_ID_CHARS)
        id_problem = _id_problem(rid)
        problems = [p for p in (id_problem, _event_problem(event)) if p]
        if problems:
            safe_id = rid if id_problem is None else None
            yield RecordError("invalid-record", tuple(problems), source_file=rel, id=safe_id, event=event if isinstance(event, str) else None)
            continue
        yield Record(id=rid, event=event, data=data, source_file=rel)


def read_records(source: Path) -> Iterator[Record | RecordError]:
    source = Path(source)
    if source.is_dir():
        return read_folder(source)
    if source.is_file():
        return read_jsonl(source)
    raise UsageError(f"{source}: findes ikke. Angiv en JSONL-fil eller en mappe med sagsfiler")


def count_records(source: Path) -> int:
    """How many records the input has, read in blocks (for the progress bar's total)."""
    source = Path(source)
    if source.is_dir():
        return sum(1 for _ in _case_files(source))
    count = 0
    with source.open("rb") as fh:
        for line in fh:
            if line.strip():
                count += 1
    return count


# --- the output folder: lock, manifest, errors ----------------------------------------------


class JsonlAppender:
    """Appends one whole JSON line per call with a single write(), optionally fsynced.

    A killed process leaves at most a torn last line, which :func:`load_manifest` drops."""

    def __init__(self, path: Path, *, truncate: bool = False, durable: bool = True):
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        self.fd = os.open(path, flags, 0o644)
        self.durable = durable

    def append(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]
        if self.durable:
            os.fsync(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


@dataclasses.dataclass(frozen=True)
class DoneLetter:
    fingerprint: str
    formats: frozenset[str]


def _file_intact(path: Path, sha256: str, size: int | None) -> bool:
    try:
        if size is not None and path.stat().st_size != size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == sha256


def _entry_intact(out_dir: Path, entry: Any) -> bool:
    try:
        files = entry["files"]
        return bool(files) and all(
            "/" not in f["file"] and _file_intact(out_dir / f["file"], f["sha256"], f.get("bytes")) for f in files
        )
    except (KeyError, TypeError):
        return False


def load_manifest(out_dir: Path) -> dict[str, DoneLetter]:
    """Read the manifest of an earlier run and keep only letters whose files are intact.

    If anything was dropped (a torn last line, a deleted or changed file, an id written
    twice), the manifest is rewritten without it, streamed through a temporary file."""
    path = out_dir / MANIFEST
    if not path.exists():
        return {}
    last_line_of: dict[str, int] = {}
    done: dict[str, DoneLetter] = {}
    dropped = False
    with path.open("rb") as fh:
        for index, raw in enumerate(fh):
            try:
                if not raw.endswith(b"\n"):
                    raise ValueError("torn line")
                entry = json.loads(raw)
                rid = entry["id"]
            except (ValueError, KeyError, TypeError):
                dropped = True
                continue
            if rid in last_line_of:
                dropped = True
            if _entry_intact(out_dir, entry):
                last_line_of[rid] = index
                done[rid] = DoneLetter(entry.get("input_sha256", ""), frozenset(f["format"] for f in entry["files"]))
            else:
                dropped = True
                last_line_of.pop(rid, None)
                done.pop(rid, None)
    if dropped:
        _rewrite_manifest(path, last_line_of)
    return done


def _rewrite_manifest(path: Path, keep: dict[str, int]) -> None:
    wanted = set(keep.values())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            for index, raw in enumerate(src):
                if index in wanted:
                    out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def remove_stale_temp_files(out_dir: Path) -> int:
    """Delete the temporary files of a killed run (only names atomic_write makes)."""
    removed = 0
    for entry in os.scandir(out_dir):
        if entry.is_file() and _STALE_TMP.match(entry.name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
    return removed


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One batch at a time per output folder (a second one would race on the same files)."""
    import fcntl

    path = out_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + 10  # workers of a killed run may take a moment to die
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise UsageError(f"{out_dir}: en anden kørsel skriver allerede til mappen. Vent, til den er færdig") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    finally:
        os.close(fd)


# --- the worker side ------------------------------------------------------------------------

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
        if os.getppid() != _worker.get("parent_pid"):
            os._exit(1)  # the parent died before prctl took effect


def _init_worker(out_dir: str, formats: tuple[str, ...], parent_pid: int) -> None:
    import gc
    import signal

    # Ctrl-C goes to the whole process group: the parent decides, workers finish their letter.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(out_dir=Path(out_dir), formats=formats, parent_pid=parent_pid)
    _die_with_parent()
    # Import everything a letter needs once, here, not in the first letter of every chunk.
    from . import pipeline

    if "pdf" in formats:
        from .render import pdf  # noqa: F401  (WeasyPrint: ~0.6 s)
    if "docx" in formats:
        from .render import docx  # noqa: F401
    pipeline.template_set()
    # Everything imported so far lives until the worker ends: keep it out of the collector's way.
    gc.collect()
    gc.freeze()


def _make_letter(record: Record) -> dict[str, Any]:
    from .models import CPR_SHAPE
    from .output import atomic_write, letter_stem
    from .pipeline import build_letter, render_letter

    out_dir: Path = _worker["out_dir"]
    letter = build_letter(record.event, record.data, record=record.label)
    rendered = render_letter(letter, _worker["formats"])
    stem = f"{letter_stem(letter.meta)}_{record.id}"
    if CPR_SHAPE.search(stem):  # case_ref and id are each checked; this guards their joining
        from .errors import LetterError

        raise LetterError("filnavnet ville ligne et CPR-nummer. Ret sagsnummeret eller id'et")
    files = []
    for fmt, data in rendered.items():
        name = f"{stem}.{fmt}"
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
    from .errors import CaseDataError

    if isinstance(exc, CaseDataError):
        problems = tuple(exc.problems)
    elif isinstance(exc, BrevgenError):
        problems = (_problem(None, None, exc.message),)
    else:
        # Unknown failures are reported by type only: their text may quote case data.
        problems = (_problem(None, None, f"brevet kunne ikke laves på grund af en intern fejl ({type(exc).__name__})"),)
    code = exc.code if isinstance(exc, BrevgenError) else "internal"
    return RecordError(code, problems, line=record.line, source_file=record.source_file, id=record.id, event=record.event)


def _work_chunk(records: list[Record]) -> list[dict[str, Any] | RecordError]:
    out: list[dict[str, Any] | RecordError] = []
    for record in records:
        try:
            out.append(_make_letter(record))
        except Exception as exc:  # one bad record never stops the batch
            out.append(_error_for(record, exc))
    return out


# --- the parent side ------------------------------------------------------------------------


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


def run_batch(
    source: Path | str,
    out_dir: Path | str,
    formats: Iterable[str] | str = ("pdf", "docx", "html"),
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    chunk_size: int = 2,
    keep_errors: int = 10,
    recycle_after: int | None = 2000,
) -> BatchResult:
    """Make a letter for every record in ``source`` (JSONL file or folder of case files).

    Bad records are written to ``out_dir/errors.jsonl`` and counted, never raised; raises
    :class:`UsageError` only when the call itself is wrong (no input, bad format list, the
    folder is in use). Re-running on the same ``out_dir`` makes only what is missing. On
    Ctrl-C it stops handing out work, keeps what the workers finish, and returns with
    ``interrupted`` set. Workers are replaced after every ``recycle_after`` letters.
    """
    from concurrent.futures import CancelledError, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from .pipeline import FORMATS, parse_formats

    source, out_dir = Path(source), Path(out_dir)
    # The batch makes the document formats; MeMo and .ics need the case per record (not yet).
    chosen = parse_formats(formats, FORMATS)
    workers = workers or default_workers()
    if workers < 1:
        raise UsageError("--workers skal være mindst 1")
    if not source.exists():
        raise UsageError(f"{source}: findes ikke. Angiv en JSONL-fil eller en mappe med sagsfiler")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: er en fil, ikke en mappe")
    out_dir.mkdir(parents=True, exist_ok=True)
    total = count_records(source)
    result = BatchResult(out_dir=out_dir, formats=chosen)
    started = time.perf_counter()

    with _locked(out_dir):
        remove_stale_temp_files(out_dir)
        done_before = load_manifest(out_dir)
        manifest = JsonlAppender(out_dir / MANIFEST)
        errors = JsonlAppender(out_dir / ERRORS, truncate=True, durable=False)
        seen: dict[str, int | str] = {}  # id -> where it was first used (the only per-record state)
        superseded = 0

        def report() -> None:
            if progress:
                progress(
                    Progress(
                        done=result.written + result.already_done + result.failed,
                        total=total,
                        written=result.written,
                        already_done=result.already_done,
                        failed=result.failed,
                        elapsed=time.perf_counter() - started,
                    )
                )

        def fail(error: RecordError) -> None:
            errors.append(error.as_dict())
            result.failed += 1
            if len(result.first_errors) < keep_errors:
                result.first_errors.append(error)

        def todo() -> Iterator[Record | RecordError]:
            """Records still to make; duplicates become errors, finished letters are skipped."""
            nonlocal superseded
            for item in read_records(source):
                result.records += 1
                if isinstance(item, RecordError):
                    yield item
                    continue
                first = seen.get(item.id)
                if first is not None:
                    where = f"linje {first}" if isinstance(first, int) else first
                    yield RecordError(
                        "duplicate-id",
                        (_problem("id", "Brevets id", f"'{item.id}' er brugt før, i {where}. Hvert brev skal have sit eget id"),),
                        line=item.line,
                        source_file=item.source_file,
                        id=item.id,
                        event=item.event,
                    )
                    continue
                seen[item.id] = item.line if item.source_file is None else item.source_file
                before = done_before.get(item.id)
                if before and before.fingerprint == item.fingerprint() and set(chosen) <= before.formats:
                    result.already_done += 1
                    report()
                    continue
                if before:
                    superseded += 1
                yield item

        def handle(item: RecordError | Any) -> None:
            if isinstance(item, RecordError):
                fail(item)
                report()
                return
            try:
                outcomes = item.result()
            except CancelledError:
                return
            for outcome in outcomes:
                if isinstance(outcome, RecordError):
                    fail(outcome)
                else:
                    manifest.append(outcome)
                    result.written += 1
                report()

        import multiprocessing

        context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
        stop = _StopOnInterrupt()
        pending: deque = deque()
        window = workers * 4  # chunks queued or running: enough to keep workers busy, small in memory

        def new_pool() -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(str(out_dir), chosen, os.getpid()),
            )

        pool = new_pool()
        given = 0  # records handed to the current pool
        try:
            with stop:
                for item in _chunks(todo(), chunk_size):
                    if not isinstance(item, RecordError) and recycle_after and given >= recycle_after:
                        # WeasyPrint and python-docx keep a few kB per letter in a long-lived
                        # process; fresh workers every ``recycle_after`` letters keep memory flat
                        # for any N. Draining first keeps the results in input order.
                        while pending:
                            handle(pending.popleft())
                        if stop.requested:
                            break
                        pool.shutdown(wait=True)
                        pool, given = new_pool(), 0
                    if not isinstance(item, RecordError):
                        given += len(item)
                    pending.append(item if isinstance(item, RecordError) else pool.submit(_work_chunk, item))
                    while len(pending) >= window and not stop.requested:
                        handle(pending.popleft())
                    if stop.requested:
                        break
                if stop.requested:
                    result.interrupted = True
                    # Chunks not started are dropped; letters being made are finished and recorded.
                    for item in pending:
                        if not isinstance(item, RecordError):
                            item.cancel()
                while pending:
                    handle(pending.popleft())
        except BrokenProcessPool:
            result.interrupted = True
            raise BrevgenError("en arbejdsproces stoppede uventet. Kør kommandoen igen for at lave de manglende breve") from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            manifest.close()
            errors.close()
            result.seconds = time.perf_counter() - started
        if superseded and not result.interrupted:
            load_manifest(out_dir)  # an id made again: keep only its newest manifest line
    return result
