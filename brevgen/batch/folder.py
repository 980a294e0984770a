"""The output folder of a batch: one run at a time (a lock), the manifest of letters written,
the errors of records that were not, and the leftovers of a killed run.

- ``manifest.jsonl``: one line per letter written, appended and fsynced one whole line at a
  time after its files are on disk, with each file's SHA-256. Lines are in input order (a
  letter made again by a later run, because its file was deleted, comes last).
- ``errors.jsonl``: one line per record that could not become a letter (rewritten by every
  run, so it always describes the whole input).

Resuming: a new run reads the manifest, keeps the entries whose files still exist with the
recorded SHA-256 (a torn last line from a killed run is dropped), removes temporary files a
killed run left behind, and then makes only the letters that are missing or whose input changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..output import atomic_write

MANIFEST = "manifest.jsonl"
ERRORS = "errors.jsonl"
LOCK = ".brevgen-batch.lock"
# Temporary files left by atomic_write when a run is killed: ".<name>.<8 random chars>.tmp".
_STALE_TMP = re.compile(r"^\..+\.(pdf|docx|html|xml|ics|jsonl)\.[A-Za-z0-9_]{8}\.tmp$")


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
    with path.open("rb") as src:
        kept = b"".join(raw for index, raw in enumerate(src) if index in wanted)
    atomic_write(path, kept)


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
def locked(out_dir: Path) -> Iterator[None]:
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


