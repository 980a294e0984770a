"""Worker processes for the HTTP service: each letter (and each lint) runs in one, with a time
limit, off the event loop and off the service's own GIL.

- A worker runs one call at a time in its main thread under :func:`brevgen.timelimit.time_limit`,
  so a call over the limit is stopped there and answered as a timeout; the worker lives on.
- If a worker does not answer within the limit plus a grace period (stuck in C code), the
  pool's processes are killed and a fresh pool is made; the caller gets a timeout.
- Workers are forked from a clean fork server that has imported WeasyPrint and brevgen once,
  so starting one is cheap and never copies the service's threads or locks. Each worker
  logs through the CPR filter.

The functions given to :meth:`WorkPool.run` must be importable module-level functions (they
are sent by reference), and their results and errors picklable (brevgen's errors are).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from .errors import BrevgenError
from .timelimit import TimeLimitExceeded, message, time_limit

GRACE_SECONDS = 10.0  # beyond the limit, before a worker that does not answer is killed
SETTINGS_PREFIX = "BREVGEN_"
PRELOAD = ["weasyprint", "brevgen.api", "brevgen.render.pdf", "brevgen.lint"]

log = logging.getLogger("brevgen.workpool")


class WorkerLost(BrevgenError):
    """A worker process died while it made a letter (killed, out of memory)."""

    code = "worker-lost"


def _init_worker() -> None:
    from .cpr import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("brevgen-worker: %(levelname)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    with contextlib.suppress(Exception):  # warm up what every letter needs
        from . import render, templating
        from .render import pdf

        render.all_formats()
        templating.template_set().regimes
        pdf.prepare()


def _occupy(seconds: float) -> None:
    """Keep a new worker busy a moment, so the pool starts the next one (see WorkPool.executor)."""
    import time

    time.sleep(seconds)


def _settings() -> dict[str, str]:
    """The service's brevgen settings (``BREVGEN_*``) as they are now."""
    return {key: value for key, value in os.environ.items() if key.startswith(SETTINGS_PREFIX)}


def _call(fn: Callable[..., Any], args: tuple, kwargs: dict, seconds: float | None, settings: dict[str, str]) -> Any:
    # A worker is forked from the fork server, whose environment is the one it started with;
    # the service's settings at the time of the call are what the letter must be made with
    # (the database with the published versions, the data folder, the limits).
    for key in [key for key in os.environ if key.startswith(SETTINGS_PREFIX) and key not in settings]:
        del os.environ[key]
    os.environ.update(settings)
    with time_limit(seconds):
        return fn(*args, **kwargs)


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        with contextlib.suppress(Exception):  # only before the fork server has started
            context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class WorkPool:
    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.workers, mp_context=_context(), initializer=_init_worker)
                # Start every worker now: the pool starts one only when none is idle, and a
                # letter that waits for a new worker to warm up waits a second for nothing.
                for _ in range(self.workers):
                    self._executor.submit(_occupy, 0.3)
            return self._executor

    def _discard(self, executor: ProcessPoolExecutor, kill: bool) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        if kill:
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    async def run(self, seconds: float | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a worker, stopped after ``seconds`` (None: no limit)."""
        executor = self.executor()
        try:
            future = executor.submit(_call, fn, args, kwargs, seconds, _settings())
        except BrokenProcessPool:
            self._discard(executor, kill=False)
            executor = self.executor()
            future = executor.submit(_call, fn, args, kwargs, seconds, _settings())
        wait = None if seconds is None else seconds + GRACE_SECONDS
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), wait)
        except asyncio.TimeoutError:
            log.warning("a worker did not answer within %.0f s; the workers are replaced", wait)
            self._discard(executor, kill=True)
            raise TimeLimitExceeded(message(seconds or 0)) from None
        except BrokenProcessPool:
            self._discard(executor, kill=False)
            raise WorkerLost("en arbejdsproces stoppede, mens brevet blev lavet. Prøv igen") from None

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
