"""A time limit on one piece of work in a worker process: a letter in batch or over HTTP.

The work is stopped where it is (``SIGALRM`` raises :class:`TimeLimitExceeded` in the running
Python code, WeasyPrint's layout included), the caller reports it, and the worker goes on with
the next letter. Only the main thread of a process can take signals, which is where batch
workers and the HTTP service's worker processes run their work; elsewhere (a thread, or a
platform without ``SIGALRM``) the work runs without a limit and the caller's own timeout is the
backstop. Every input is bounded (brevgen.limits, the case models), so a letter that hits the
limit means a machine under heavy load or a bug, not a normal case.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

from .errors import BrevgenError

ENV = "BREVGEN_TIME_LIMIT"
DEFAULT_SECONDS = 60.0  # a letter takes well under a second; a busy machine gets room


class TimeLimitExceeded(BrevgenError):
    code = "timeout"
    exit_code = 1


def default_seconds() -> float:
    try:
        return float(os.environ.get(ENV) or DEFAULT_SECONDS)
    except ValueError:
        return DEFAULT_SECONDS


def message(seconds: float) -> str:
    return f"brevet tog for lang tid at lave (over {seconds:g} sekunder) og blev stoppet. Prøv igen, eller kontakt driften"


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in this thread if the block runs over ``seconds``."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    fired = False

    def expired(signum, frame):
        nonlocal fired
        fired = True
        raise TimeLimitExceeded(message(seconds))

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except TimeLimitExceeded:
        raise
    except BaseException as exc:
        # A library that calls back into Python may wrap the exception the alarm raised in
        # its own (pydantic's schema builder makes it a SchemaError): it is still the limit.
        if fired:
            raise TimeLimitExceeded(message(seconds)) from exc
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
