"""What a batch reads: records from a JSONL file or a folder of case files, one at a time.

A record that cannot become a letter (bad JSON, a missing or unsafe id, an unknown event)
becomes a :class:`RecordError`, never an exception, so the batch goes on past it. Ids become
part of file names, so they follow the same rule as case references and never look like a
CPR number; a bad id is never echoed back, and ids, events and file names in errors.jsonl are
passed through the CPR redaction. A line is read within the limits of brevgen.limits (at most
1 MB, nesting, numbers, duplicate keys) without ever holding more than that line in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import events
from .. import cpr, limits
from ..casefile import CASE_SUFFIXES, DataRefused, parse_json, read_case_file
from ..errors import CaseDataError, Problem, UsageError

# Record ids become part of file names: the same rule as case references. Matched with
# fullmatch: "$" would also match before a final newline ("ok-3\n" in a file name).
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_FOLDER_ID_CHARS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", " ": "-", "/": "-"})


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
        where = {"line": self.line} if self.source_file is None else {"source_file": cpr.redact(self.source_file)}
        return {
            **where,
            "id": cpr.redact(self.id) if self.id else self.id,
            "event": cpr.redact(self.event) if self.event else self.event,
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
        return cpr.redact(f"{place}{who}: {self.message}")


def problem(field: str | None, label: str | None, message: str) -> Problem:
    return Problem(path=field or "", message=message, label=label)


def _id_problem(value: Any) -> Problem | None:
    if value is None or value == "":
        return problem("id", "Brevets id", "skal udfyldes")
    if not isinstance(value, str):
        return problem("id", "Brevets id", "skal være tekst")
    if not _ID_PATTERN.fullmatch(value):
        return problem("id", "Brevets id", "må kun have bogstaver a-z, tal, punktum og bindestreg (højst 64 tegn)")
    if cpr.contains(value) or re.search(r"[0-9]{10}", value):
        return problem("id", "Brevets id", "ligner et CPR-nummer. Brug et id fra sagssystemet, ikke borgerens CPR-nummer")
    return None


def _eventproblem(value: Any) -> Problem | None:
    if value is None or value == "":
        return problem("event", "Brevtype", "skal udfyldes")
    if value not in events.names():
        shown = value if isinstance(value, str) and len(value) <= 40 else "?"
        return problem("event", "Brevtype", f"'{shown}' kendes ikke. Vælg en af: {', '.join(events.names())}")
    return None


def _jsonl_record(line_no: int, raw: str) -> Record | RecordError:
    try:
        obj = parse_json(raw, wrapper_levels=1)
    except DataRefused as exc:
        return RecordError("invalid-case-data", (exc.problem(),), line=line_no)
    except json.JSONDecodeError as exc:
        # Never echo the line: it may hold personal data. The position is enough to find it.
        return RecordError("invalid-json", (problem(None, None, f"linjen er ikke gyldig JSON (fejl ved tegn {exc.pos + 1})"),), line=line_no)
    if not isinstance(obj, dict):
        return RecordError("invalid-json", (problem(None, None, "linjen skal være et JSON-objekt med id, event og data"),), line=line_no)
    rid, event = obj.get("id"), obj.get("event")
    id_problem = _id_problem(rid)
    safe_id = rid if id_problem is None else None  # a bad id is never echoed: it may be a CPR number
    safe_event = event if isinstance(event, str) and len(event) <= 40 and not cpr.contains(event) else None
    problems = [p for p in (id_problem, _eventproblem(event)) if p]
    data = obj.get("data")
    if not isinstance(data, dict):
        problems.append(problem("data", "Sagens data", "skal udfyldes" if data is None else "skal være en gruppe af felter"))
    problems += [problem(key, None, "kendes ikke. Brug kun id, event og data") for key in obj if key not in ("id", "event", "data")]
    if problems:
        return RecordError("invalid-record", tuple(problems), line=line_no, id=safe_id, event=safe_event)
    return Record(id=rid, event=event, data=data, line=line_no)


def _bounded_lines(fh, limit: int) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per line; None for a line over ``limit`` characters, which is
    skipped without being held in memory."""
    line_no = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > limit and not raw.endswith("\n"):
            while True:  # skip the rest of this line, a block at a time
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith("\n"):
                    break
            yield line_no, None
            continue
        yield line_no, raw


def read_jsonl(path: Path) -> Iterator[Record | RecordError]:
    """One record per non-blank line; a bad line becomes a RecordError, never an exception."""
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
        for line_no, raw in _bounded_lines(fh, limits.MAX_CASE_BYTES):
            if raw is None:
                size = f"{limits.MAX_CASE_BYTES:,}".replace(",", ".")
                yield RecordError("invalid-json", (problem(None, None, f"linjen er for lang: højst {size} tegn"),), line=line_no)
                continue
            if not raw.strip():
                continue
            try:
                raw.encode("utf-8")
            except UnicodeEncodeError:
                yield RecordError("invalid-json", (problem(None, None, "linjen er ikke gemt som UTF-8"),), line=line_no)
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
    for path in _case_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            data = read_case_file(path)
        except UsageError as exc:
            yield RecordError("unreadable", (problem(None, None, exc.message.replace(str(path), rel)),), source_file=rel)
            continue
        except CaseDataError as exc:
            yield RecordError(exc.code, tuple(exc.problems), source_file=rel)
            continue
        data = dict(data)
        event = data.pop("event", None) or path.parent.name
        rid = data.pop("id", None) or str(Path(rel).with_suffix("")).translate(_FOLDER_ID_CHARS)
        id_problem = _id_problem(rid)
        problems = [p for p in (id_problem, _eventproblem(event)) if p]
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
    content = False  # the current line has more than white space
    with source.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            for piece in block.split(b"\n")[:-1] if b"\n" in block else ():
                content = content or bool(piece.strip())
                count += content
                content = False
            tail = block.rsplit(b"\n", 1)[-1]
            content = content or bool(tail.strip())
    return count + content


