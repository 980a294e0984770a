"""The CLI's side of the queue: ``brevgen batch --queue`` (submit, follow, fetch the letters)
and ``brevgen worker`` (start a worker on this machine)."""

from __future__ import annotations

import logging.config
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..batch.folder import ERRORS, MANIFEST
from ..errors import UsageError
from .config import QueueSettings


def submit_file(source: Path, formats: tuple[str, ...], *, webhook: str | None = None, idempotency_key: str | None = None) -> tuple[str, bool]:
    """Put a JSONL file on the queue as one job (the same submission as POST /v1/batches)."""
    from .tasks import open_jobs
    from .webhook import check_url

    if not source.is_file():
        raise UsageError(f"{source}: --queue tager en JSONL-fil (én linje pr. brev), ikke en mappe")
    jobs = open_jobs(QueueSettings.from_env().require())
    return jobs.submit(source.read_bytes(), formats, webhook=check_url(webhook) if webhook else None, idempotency_key=idempotency_key)


def wait(job_id: str, progress: Callable[[dict[str, Any]], None] | None = None, poll: float = 1.0, timeout: float | None = None) -> dict[str, Any]:
    """Follow a job until it is done; returns its final status."""
    from .tasks import open_jobs

    jobs = open_jobs()
    started = time.monotonic()
    while True:
        status = jobs.status(job_id)
        if progress:
            progress(status)
        if status["status"] == "done":
            return status
        if timeout is not None and time.monotonic() - started > timeout:
            raise UsageError(f"kørslen {job_id} blev ikke færdig på {timeout:.0f} s")
        time.sleep(poll)


def download(job_id: str, out_dir: Path) -> int:
    """Copy a finished job's letters, manifest.jsonl and errors.jsonl into ``out_dir``
    (atomic writes; nothing to copy when the store is that very folder)."""
    from ..output import atomic_write
    from .tasks import open_jobs

    jobs = open_jobs()
    source = jobs.store.local_path(job_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    if source is not None and source.resolve() == out_dir.resolve():
        return 0
    copied = 0
    for entry in jobs.letters(job_id):
        for f in entry["files"]:
            atomic_write(out_dir / f["file"], jobs.store.read(f"{job_id}/{f['file']}"))
            copied += 1
    for name in (MANIFEST, ERRORS):
        atomic_write(out_dir / name, jobs.store.read(f"{job_id}/{name}"))
    return copied


def worker_logging(level: str) -> None:
    """Log lines with the job's request id, CPR-shaped numbers removed (as the HTTP service)."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "redact_cpr": {"()": "brevgen.logs.RedactCpr"},
                "request_id": {"()": "brevgen.observability.RequestIdFilter"},
            },
            "formatters": {"line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
            "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["redact_cpr", "request_id"]}},
            "root": {"handlers": ["stderr"], "level": "WARNING"},
            "loggers": {
                "brevgen": {"level": level.upper()},
                "celery": {"level": level.upper()},
            },
        }
    )


def run_worker(concurrency: int, loglevel: str = "info", hostname: str | None = None, pool: str = "prefork") -> None:
    """Start a Celery worker for brevgen's queue in this process (until stopped).

    ``prefork`` (the default): ``concurrency`` pool processes make the letters; each is
    replaced after 500 tasks (about 2,000 letters), so memory stays flat however long the
    worker runs, and each dies with the worker (Celery sets PR_SET_PDEATHSIG). ``solo``: the
    letters are made in this one process (``concurrency`` must be 1); it is never replaced,
    so it grows by a few kB per letter: for short runs and measurements. Every process warms up
    once (imports, stylesheets, fonts), as the local batch workers do. Every worker also looks
    for work the broker lost (:mod:`brevgen.queue.recovery`).
    """
    from celery.signals import worker_process_init

    from ..errors import UsageError
    from .recovery import Recovery
    from .tasks import QUEUE_NAME, celery_app, warm_up

    settings = QueueSettings.from_env().require()
    if pool not in ("prefork", "solo") or (pool == "solo" and concurrency != 1):
        raise UsageError("--pool er prefork eller solo (solo kun med -c 1)")
    worker_logging(loglevel)
    app = celery_app(settings)
    app.steps["worker"].add(Recovery)  # queues again the work a Redis broker lost
    if pool == "solo":
        warm_up()
    else:
        worker_process_init.connect(lambda **_: warm_up(), weak=False)
    argv = [
        "worker",
        f"--loglevel={loglevel.upper()}",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        f"--queues={QUEUE_NAME}",
        "--without-gossip",
        "--without-mingle",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)
