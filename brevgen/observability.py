"""What operations sees: a request id on every request and log line, and Prometheus metrics.

Request id: a caller (the case system, a reverse proxy) may send ``X-Request-ID``; brevgen
keeps it when it is short and made of safe characters, and makes one otherwise. It is
returned on every response, written in every log line (a logging filter reads it from a
ContextVar) and put in every problem+json. A given id that looks like a CPR number, or holds
a long run of digits, is never kept or echoed: brevgen makes a fresh one instead.

Metrics (the standard ``prometheus-client``): letters by event, format and outcome, and a
render-time histogram, at ``/metrics``. With ``brevgen serve --workers N`` every process counts
on its own; set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder so /metrics adds them up
(prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import uuid

from . import cpr

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_DIGIT_RUN = re.compile(r"\d{9,}")  # a CPR number without its hyphen, or part of one
NO_REQUEST = "-"

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("brevgen_request_id", default=NO_REQUEST)


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def accept_request_id(given: str | None) -> str:
    """The caller's id when it is safe to keep and echo, else a new one (32 hex digits)."""
    if given and _SAFE_ID.match(given) and not cpr.contains(given) and not _DIGIT_RUN.search(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """ASGI middleware, outermost: sets the request id for the request's task and returns it.

    Outermost so that even the server-error response of an unhandled exception carries it.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        request_id = accept_request_id(given)
        set_request_id(request_id)  # each request runs in its own task, so its own context
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode("ascii"))

        async def with_id(message):
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        await self.app(scope, receive, with_id)


class RequestIdFilter(logging.Filter):
    """Gives every log record ``request_id`` (``-`` outside a request), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


# --- Prometheus ------------------------------------------------------------------------------

_metrics: dict[str, object] = {}

# Seconds: a letter in HTML is milliseconds, a PDF about a third of a second, an envelope
# with every format up to a second or two on a busy machine.
RENDER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def metrics():
    """The letter counter and the render-time histogram (made once per process)."""
    if not _metrics:
        from prometheus_client import Counter, Histogram

        _metrics["letters"] = Counter(
            "brevgen_letters",
            "Letters asked for over HTTP, by event, format and outcome (ok, invalid, error)",
            ["event", "format", "outcome"],
        )
        _metrics["render"] = Histogram(
            "brevgen_render_seconds",
            "Time to validate, compose and render one HTTP letter request (format 'json' is the envelope)",
            ["event", "format"],
            buckets=RENDER_BUCKETS,
        )
    return _metrics["letters"], _metrics["render"]


def metrics_payload() -> tuple[bytes, str]:
    """The text exposition of this process's metrics, or of all processes in multiprocess mode."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    metrics()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
