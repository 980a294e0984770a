"""The Celery app and its three tasks: make a chunk of letters, finish a job, call its webhook.

Reliability settings (why each):

- ``acks_late``: a task is acknowledged when it has finished, not when a worker takes it, so a
  worker that dies mid-task (kill -9, a lost machine) leaves it on the broker for another.
- ``task_reject_on_worker_lost``: a pool process that dies makes its task go back on the
  queue instead of being marked failed.
- ``worker_prefetch_multiplier = 1``: a worker holds one task beyond the one it runs, so a
  dead worker strands little and the others share the work evenly.
- Redis broker ``visibility_timeout`` (``BREVGEN_VISIBILITY_TIMEOUT``): how long an
  unacknowledged task waits before the broker hands it to another worker; with chunks of a
  few letters (seconds of work) a short timeout recovers quickly. RabbitMQ needs none: it
  gives a dead consumer's messages back when the connection drops.

A task the Redis transport loses outright (a worker killed between taking it and noting it
as unacknowledged) is queued again by :mod:`brevgen.queue.recovery`. A task that runs twice
(after a recovery) makes no second letter: see :mod:`brevgen.queue`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .config import QueueSettings

log = logging.getLogger("brevgen.queue")

LETTERS_TASK = "brevgen.letters"
FINISH_TASK = "brevgen.finish"
WEBHOOK_TASK = "brevgen.webhook"
QUEUE_NAME = "brevgen"

_apps: dict[tuple, Any] = {}
_lock = threading.Lock()


def celery_app(settings: QueueSettings | None = None):
    """The Celery app for these settings (one per broker URL and process)."""
    settings = (settings or QueueSettings.from_env()).require()
    key = (settings.broker_url, settings.visibility_timeout)
    with _lock:
        app = _apps.get(key)
        if app is None:
            app = _make_app(settings)
            _apps[key] = app
    return app


def _make_app(settings: QueueSettings):
    from celery import Celery

    app = Celery("brevgen", broker=settings.broker_url, set_as_current=False)
    transport: dict[str, Any] = {}
    if settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
        transport = {
            "visibility_timeout": settings.visibility_timeout,
            # Look for abandoned tasks every few seconds, not every 100 s (kombu's default).
            "unacked_restore_interval": 2,
            "unacked_restore_throttle": 1,
            # A worker killed during that look leaves its lock behind: 30 s, not kombu's 300 s,
            # before another worker may look again (a look takes milliseconds).
            "unacked_mutex_expire": 30,
        }
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE_NAME,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        # WeasyPrint and python-docx keep a few kB per letter in a long-lived process: a pool
        # process is replaced after 500 tasks (about 2,000 letters), as the local batch does.
        worker_max_tasks_per_child=500,
        broker_connection_timeout=5,
    )

    @app.task(name=LETTERS_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
    def letters(self, job_id: str, chunk: str) -> dict[str, int]:
        return make_chunk(job_id, chunk)

    @app.task(name=FINISH_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
    def finish(self, job_id: str) -> None:
        finish_job(job_id)

    @app.task(
        name=WEBHOOK_TASK,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=(Exception,),
        retry_backoff=2,
        retry_backoff_max=600,
        max_retries=8,
    )
    def webhook(self, job_id: str) -> None:
        from .webhook import deliver

        deliver(_jobs(), job_id)

    return app


# --- what the tasks do (plain functions, so tests and the CLI can call them directly) -------

_state: dict[str, Any] = {}


class Sender:
    """Puts brevgen's tasks on the queue of ``settings``."""

    def __init__(self, settings: QueueSettings):
        self.settings = settings

    def chunk(self, job_id: str, chunk: str) -> None:
        celery_app(self.settings).send_task(LETTERS_TASK, args=[job_id, chunk], queue=QUEUE_NAME)

    def finish(self, job_id: str) -> None:
        celery_app(self.settings).send_task(FINISH_TASK, args=[job_id], queue=QUEUE_NAME)

    def webhook(self, job_id: str) -> None:
        celery_app(self.settings).send_task(WEBHOOK_TASK, args=[job_id], queue=QUEUE_NAME)


def open_jobs(settings: QueueSettings | None = None):
    """Job state for ``settings`` (default: the environment), sending tasks to their queue."""
    from .jobs import Jobs

    settings = settings or QueueSettings.from_env()
    return Jobs(settings, sender=Sender(settings))


def _jobs():
    settings = QueueSettings.from_env()
    jobs = _state.get("jobs")
    if jobs is None or jobs.settings != settings:
        jobs = _state["jobs"] = open_jobs(settings)
    return jobs


def make_chunk(job_id: str, chunk: str) -> dict[str, int]:
    """Make the letters of one chunk; returns counts. Safe to run again for the same chunk."""
    from ..observability import NO_REQUEST, set_request_id

    jobs = _jobs()
    meta = jobs.meta(job_id)
    set_request_id(meta.get("request_id") or job_id)  # worker log lines name the request
    try:
        return _make_chunk(jobs, meta, job_id, chunk)
    finally:
        set_request_id(NO_REQUEST)


def _make_chunk(jobs, meta: dict[str, str], job_id: str, chunk: str) -> dict[str, int]:
    from ..batch.workers import error_for, write_record

    records = jobs.chunk(job_id, chunk)
    counts = {"written": 0, "skipped": 0, "failed": 0}
    if records is None:  # the job is finished and its chunks cleaned up: a late duplicate
        return counts
    jobs.mark_running(job_id)
    formats = tuple(meta["formats"].split(","))
    store = jobs.store
    for record in records:
        if jobs.already_written(job_id, record, formats):
            counts["skipped"] += 1
            continue
        try:
            entry = write_record(record, formats, lambda files: [store.write(f"{job_id}/{name}", data) for name, data in files.items()])
            result = {"ok": entry}
            counts["written"] += 1
        except Exception as exc:  # one bad record never stops the job
            result = {"error": error_for(record, exc).as_dict()}
            counts["failed"] += 1
        jobs.record(job_id, record.line, result)
    jobs.chunk_done(job_id, chunk)
    log.info("chunk job=%s chunk=%s written=%d skipped=%d failed=%d", job_id, chunk, *counts.values())
    if jobs.complete(job_id) and jobs.claim_finish(job_id):
        jobs.sender.finish(job_id)
    return counts


def finish_job(job_id: str) -> None:
    jobs = _jobs()
    first = jobs.finish(job_id)
    log.info("job done job=%s", job_id)
    if first and jobs.meta(job_id).get("webhook"):
        jobs.sender.webhook(job_id)


def warm_up() -> None:
    """Import the pipeline, WeasyPrint and the templates once per worker process, as the local
    batch workers do, so the first letter pays no import cost."""
    from .. import render, templating

    render.all_formats()
    import weasyprint  # noqa: F401

    templating.template_set().regimes
