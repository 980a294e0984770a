"""Finding the work a Redis broker lost, and queuing it again.

Kombu's Redis transport takes a task off the queue (``BRPOP``) and only then notes it as
unacknowledged (``ZADD``/``HSET``); a worker killed between the two takes the task with it,
and no visibility timeout brings it back (kombu issue #305, celery issue #7950). A job with such
a chunk would stay at, say, 496 of 500 letters for ever, and one whose finishing task was lost
would never be marked done.

Every worker therefore looks, every :data:`INTERVAL` seconds, at the jobs that are not finished
(:meth:`Jobs.active`). A job is stalled when its progress has not changed for
:data:`STALL` seconds while the broker holds nothing at all: no task waiting and none
unacknowledged (a dead worker's tasks are unacknowledged until kombu restores them, so they are
left to kombu). Then its missing chunks, or its finishing step when every record has a result,
are queued again, by one worker (:meth:`Jobs.claim_recovery`). Running a chunk twice is safe:
a worker skips the letters the job already records.

Only the Redis broker is looked at: RabbitMQ gives a dead consumer's messages back itself.
Under continuous load the broker is never empty, so a lost chunk waits until the queue drains.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from celery import bootsteps

log = logging.getLogger("brevgen.queue")

INTERVAL = 5.0  # seconds between looks
STALL = 10.0  # seconds without progress, with an empty broker, before work is queued again
HOLD = 60  # seconds another worker leaves a job alone after one has queued its work again


def broker_idle(app, queue: str) -> bool:
    """True when a Redis broker has no task of ``queue`` waiting and none unacknowledged."""
    if not app.conf.broker_url.startswith(("redis://", "rediss://", "unix://")):
        return False
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        waiting = channel.queue_declare(queue=queue).message_count
        return waiting == 0 and channel.client.hlen(channel.unacked_key) == 0


class Sweep:
    """One worker's memory of each active job's progress, and the look itself."""

    def __init__(self, jobs, idle: Callable[[], bool], clock: Callable[[], float] = time.monotonic):
        self.jobs, self.idle, self.clock = jobs, idle, clock
        self.seen: dict[str, tuple[int, float]] = {}

    def __call__(self) -> list[str]:
        """Look once; returns what was queued again (``job/chunk`` or ``job/finish``)."""
        from .jobs import JobNotFound

        active = self.jobs.active()
        self.seen = {job: self.seen[job] for job in active if job in self.seen}
        idle: bool | None = None
        queued: list[str] = []
        now = self.clock()
        for job_id in active:
            try:
                progress = self.jobs.progress(job_id)
                meta = self.jobs.meta(job_id)
            except JobNotFound:  # its state expired
                self.jobs.forget(job_id)
                continue
            if meta.get("status") == "done":
                self.jobs.forget(job_id)
                continue
            earlier = self.seen.get(job_id)
            if earlier is None or earlier[0] != progress:
                self.seen[job_id] = (progress, now)
                continue
            if now - earlier[1] < STALL:
                continue
            if idle is None:
                idle = self.idle()
            if not idle or not self.jobs.claim_recovery(job_id, progress, HOLD):
                continue
            self.seen[job_id] = (progress, now)
            if progress >= int(meta.get("total") or 0):
                again = ["finish"]
                self.jobs.sender.finish(job_id)
            else:
                again = self.jobs.missing_chunks(job_id)
                for name in again:
                    self.jobs.sender.chunk(job_id, name)
            queued += [f"{job_id}/{name}" for name in again]
            log.warning("job stalled at %d of %s with nothing on the broker: queued again %s", progress, meta.get("total"), ", ".join(again))
        return queued


class Recovery(bootsteps.StartStopStep):
    """The worker step that runs :class:`Sweep` every :data:`INTERVAL` seconds on the worker's
    own timer (in its event loop: no thread in a process that forks pool processes)."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.sweep: Sweep | None = None

    def start(self, worker):
        self.tref = worker.timer.call_repeatedly(INTERVAL, self.tick, (worker,), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def tick(self, worker) -> None:
        from .tasks import QUEUE_NAME, _jobs

        try:
            if self.sweep is None:
                self.sweep = Sweep(_jobs(), lambda: broker_idle(worker.app, QUEUE_NAME))
            self.sweep()
        except Exception:  # a look that fails (Redis away for a moment) is tried again next time
            log.warning("looking for lost work failed", exc_info=True)
