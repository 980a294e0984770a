"""Writing letters to disk: deterministic names without personal data, all formats or none.

A file appears under its final name only when it is complete (write to a temporary file in
the same folder, fsync, rename), so a crash or Ctrl-C never leaves half a letter. The formats
of one letter are written together: every one goes to a temporary file first, and only when
all are on disk are they renamed into place; if anything fails, what was written is removed,
so a folder never holds the PDF of a letter without its DOCX and HTML.

A full disk and a folder that cannot be written to are Danish errors that name the folder
(:class:`DiskFullError`, :class:`ReadOnlyError`), not tracebacks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from .errors import BrevgenError
from .letter import LetterMeta, letter_stem


class OutputError(BrevgenError):
    """A letter could not be written to its folder."""

    code = "output"


class DiskFullError(OutputError):
    code = "disk-full"


class ReadOnlyError(OutputError):
    code = "read-only"


def output_error(exc: OSError, folder: Path) -> OutputError:
    """The Danish error for an OSError while writing in ``folder``."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFullError(f"{folder}: der er ikke plads på disken. Frigør plads, og prøv igen. Intet brev er skrevet halvt")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyError(f"{folder}: mappen kan ikke skrives i (skrivebeskyttet eller ingen adgang). Vælg en anden mappe, eller ret adgangen")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, NotADirectoryError):
        return OutputError(f"{folder}: er ikke en mappe")
    return OutputError(f"{folder}: brevet kunne ikke skrives ({exc.strerror or type(exc).__name__})")


def file_name(meta: LetterMeta, fmt: str) -> str:
    """``<stem>.<the format's suffix>`` (MeMo: ``.memo.xml``)."""
    from .render import get_format

    return f"{letter_stem(meta)}.{get_format(fmt).suffix}"


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, folder) from None


def _write_temporary(folder: Path, name: str, data: bytes, durable: bool = True) -> str:
    """``data`` in ``.<name>.<random>.tmp`` next to its final name, fsynced unless ``durable`` is
    False; returns its path."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """One file, complete or not at all. ``durable=False`` skips the fsync, for files that are
    worthless after a power cut anyway (a queued job's input chunks)."""
    write_files(path.parent, {path.name: data}, durable=durable)


def write_files(folder: Path, files: dict[str, bytes], durable: bool = True) -> list[Path]:
    """Write every file or none: all to temporary files, then all renamed into place. On any
    failure (a full disk, a folder made read-only, Ctrl-C) what was written is removed."""
    folder = Path(folder)
    _make_folder(folder)
    temporary: list[tuple[str, str]] = []
    placed: list[Path] = []
    try:
        for name, data in files.items():
            temporary.append((name, _write_temporary(folder, name, data, durable)))
        for name, tmp in temporary:
            os.replace(tmp, folder / name)
            placed.append(folder / name)
    except BaseException as exc:
        for _name, tmp in temporary:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for path in placed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if isinstance(exc, OSError):
            raise output_error(exc, folder) from None
        raise
    return [folder / name for name in files]


def write_letter(meta: LetterMeta, rendered: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every rendered format, all or none; returns the paths in the order given."""
    return write_files(out_dir, {file_name(meta, fmt): data for fmt, data in rendered.items()})
