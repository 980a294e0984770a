"""Queue settings, from the environment (``brevgen worker`` and ``brevgen serve`` options set them).

=============================  =====================================================================
``BREVGEN_BROKER_URL``         Celery broker: ``redis://host:6379/0`` or ``amqp://user:pw@host//``
                               (RabbitMQ). Unset: no queue (POST /v1/batches answers 503).
``BREVGEN_STATE_URL``          Redis for job state and idempotency keys; default: the broker URL
                               when that is Redis (required with RabbitMQ).
``BREVGEN_STORE``              Where letters go: a folder (one machine, or a shared mount) or
                               ``s3://bucket/prefix`` (several machines); default ``./outputs/batches``.
``BREVGEN_S3_ENDPOINT``        Endpoint of an S3-compatible store (MinIO, Ceph, ...); credentials
                               from the usual ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``.
``BREVGEN_WEBHOOK_SECRET``     Key for the webhook's HMAC-SHA256 signature; needed for webhooks.
``BREVGEN_VISIBILITY_TIMEOUT`` Seconds before a task a dead worker held goes to another (Redis
                               broker; default 300; each task is a few letters, seconds of work).
``BREVGEN_CHUNK_SIZE``         Letters per task (default 4).
``BREVGEN_JOB_TTL``            Seconds job state is kept in Redis after submission (default 7 days).
=============================  =====================================================================
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..errors import UsageError


@dataclasses.dataclass(frozen=True)
class QueueSettings:
    broker_url: str | None
    state_url: str | None
    store_url: str
    webhook_secret: str | None = None
    s3_endpoint: str | None = None
    visibility_timeout: int = 300
    chunk_size: int = 4
    job_ttl: int = 7 * 24 * 3600

    @classmethod
    def from_env(cls) -> QueueSettings:
        env = os.environ
        broker = env.get("BREVGEN_BROKER_URL") or None
        state = env.get("BREVGEN_STATE_URL") or (broker if broker and broker.startswith(("redis://", "rediss://", "unix://")) else None)
        try:
            return cls(
                broker_url=broker,
                state_url=state,
                store_url=env.get("BREVGEN_STORE") or str(Path.cwd() / "outputs" / "batches"),
                webhook_secret=env.get("BREVGEN_WEBHOOK_SECRET") or None,
                s3_endpoint=env.get("BREVGEN_S3_ENDPOINT") or None,
                visibility_timeout=int(env.get("BREVGEN_VISIBILITY_TIMEOUT") or 300),
                chunk_size=max(1, int(env.get("BREVGEN_CHUNK_SIZE") or 4)),
                job_ttl=int(env.get("BREVGEN_JOB_TTL") or 7 * 24 * 3600),
            )
        except ValueError:
            raise UsageError("BREVGEN_VISIBILITY_TIMEOUT, BREVGEN_CHUNK_SIZE og BREVGEN_JOB_TTL skal være hele tal") from None

    @property
    def configured(self) -> bool:
        return bool(self.broker_url)

    def require(self) -> QueueSettings:
        """These settings, or a Danish usage error naming what is missing."""
        if not self.broker_url:
            raise UsageError("køen er ikke sat op: sæt BREVGEN_BROKER_URL (fx redis://localhost:6379/0)")
        if not self.state_url:
            raise UsageError("sæt BREVGEN_STATE_URL til en Redis (redis://...) til kørslernes status, når mægleren ikke er Redis")
        return self
