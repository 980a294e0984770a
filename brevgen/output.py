"""Writing letters to disk: deterministic names without personal data, atomic writes.

A file appears under its final name only when it is complete (write to a temporary file
in the same folder, fsync, rename), so a crash or Ctrl-C never leaves half a letter.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .letter import LetterMeta


def letter_stem(meta: LetterMeta) -> str:
    """``indkaldelse_2026-0412_2026-03-02``: event, case reference, letter date. Never a name or CPR."""
    return f"{meta.event}_{meta.case_ref}_{meta.letter_date.isoformat()}"


def file_name(meta: LetterMeta, fmt: str) -> str:
    """``<stem>.<the format's suffix>`` (MeMo: ``.memo.xml``)."""
    from .render import get_format

    return f"{letter_stem(meta)}.{get_format(fmt).suffix}"


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` whole or not at all. ``durable=False`` skips the fsync, for
    files that are worthless after a power cut anyway (a queued job's input chunks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_letter(meta: LetterMeta, rendered: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every rendered format; returns the paths in the order given."""
    written = []
    for fmt, data in rendered.items():
        path = out_dir / file_name(meta, fmt)
        atomic_write(path, data)
        written.append(path)
    return written
