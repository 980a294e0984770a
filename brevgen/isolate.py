"""Run one function in a child process with a limit on time and memory: for reading files
brevgen did not make (an old letter as DOCX or PDF for the lint), whose parsers decompress and
lay out whatever the file asks for.

The child gets an address-space limit (``RLIMIT_AS``: what it has plus ``memory_mb``), a CPU
limit, and the SIGALRM time limit of :mod:`brevgen.timelimit`; the parent also kills it if it
has not answered within the time limit plus a grace period. Going over a limit is a
:class:`LimitExceeded` with a Danish message; an error in the child comes back as itself when
it is one of brevgen's, else as its type name only (its text may quote the file).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import traceback
from typing import Any, Callable

from .errors import BrevgenError
from .timelimit import TimeLimitExceeded, time_limit

GRACE_SECONDS = 5.0


class LimitExceeded(BrevgenError):
    code = "limit"


def _vm_size_mb() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def _child(conn, fn: Callable[..., Any], args: tuple, seconds: float, memory_mb: int | None) -> None:
    import resource

    with contextlib.suppress(Exception):
        current = _vm_size_mb()
        if memory_mb and current is not None:
            limit = (current + memory_mb) << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    try:
        with time_limit(seconds):
            result = ("ok", fn(*args))
    except MemoryError:
        result = ("memory", None)
    except TimeLimitExceeded:
        result = ("time", None)
    except BrevgenError as exc:
        result = ("error", exc)
    except Exception as exc:  # noqa: BLE001 - reported by type only
        result = ("failed", f"{type(exc).__name__}")
        traceback.clear_frames(exc.__traceback__)
    try:
        conn.send(result)
    except Exception:  # noqa: BLE001 - an unpicklable result
        conn.send(("failed", "resultatet kunne ikke sendes"))
    finally:
        conn.close()


def run(fn: Callable[..., Any], *args: Any, seconds: float, memory_mb: int | None, what: str) -> Any:
    """``fn(*args)`` in a child process; ``what`` names the work in messages ("filen x.pdf")."""
    methods = multiprocessing.get_all_start_methods()
    # fork is cheap and safe in a process with one thread (the CLI); otherwise a clean start.
    method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, fn, args, seconds, memory_mb), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds + GRACE_SECONDS):
            raise LimitExceeded(f"{what}: det tog for lang tid at læse filen (over {seconds:g} sekunder). Filen er ikke læst")
        try:
            kind, value = parent.recv()
        except EOFError:  # the child died: out of memory, or its CPU time ran out
            raise LimitExceeded(f"{what}: filen kræver for mange ressourcer at læse og er ikke læst") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if kind == "ok":
        return value
    if kind == "memory":
        raise LimitExceeded(f"{what}: filen fylder for meget, når den pakkes ud (over {memory_mb} MB). Filen er ikke læst")
    if kind == "time":
        raise LimitExceeded(f"{what}: det tog for lang tid at læse filen (over {seconds:g} sekunder). Filen er ikke læst")
    if kind == "error":
        raise value
    raise LimitExceeded(f"{what}: filen kan ikke læses ({value})")

