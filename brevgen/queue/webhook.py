"""The completion call: a POST of the job's summary to the URL given at submission, signed.

Signature (the scheme Stripe and GitHub made familiar): the header
``X-Brevgen-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is HMAC-SHA256 with the
key ``BREVGEN_WEBHOOK_SECRET`` over ``"<t>." + body``. The receiver recomputes it over the raw
body, compares in constant time and refuses an old ``t`` (a replayed call): see :func:`verify`.
The body names the job and its counts and links, never case data. A failed call is retried
with growing pauses (up to 8 times, by the Celery task); the receiver should treat a repeated
call for the same job as the same event (``X-Brevgen-Job``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any

from ..errors import UsageError

SIGNATURE_HEADER = "X-Brevgen-Signature"
JOB_HEADER = "X-Brevgen-Job"
TOLERANCE = 300  # seconds a signature stays acceptable


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: int = TOLERANCE, now: float | None = None) -> bool:
    """For receivers: is ``header`` a valid, recent signature of ``body``?"""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def check_url(url: str) -> str:
    """A webhook URL must be http(s) and short; anything else is refused at submission."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise UsageError("webhook skal være en http- eller https-adresse")
    return url


def payload(status: dict[str, Any]) -> dict[str, Any]:
    summary = {k: v for k, v in status.items() if k != "errors"}
    return {"event": "batch.finished", **summary}


def deliver(jobs, job_id: str, timeout: float = 15) -> int:
    """POST the signed summary; raises on a network error or a non-2xx answer (so it is retried)."""
    meta = jobs.meta(job_id)
    url = meta.get("webhook")
    if not url:
        return 0
    body = json.dumps(payload(jobs.status(job_id)), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "brevgen-webhook",
            SIGNATURE_HEADER: sign(jobs.settings.webhook_secret, body),
            JOB_HEADER: job_id,
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https checked at submission)
        return response.status
