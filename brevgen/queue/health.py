"""Readiness of the queue: job-state Redis, the broker and the output store, each within seconds."""

from __future__ import annotations

from typing import Any

from .config import QueueSettings


def _redact_url(url: str) -> str:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    host = parsed.hostname or ""
    return f"{parsed.scheme}://{host}{':' + str(parsed.port) if parsed.port else ''}"


def queue_checks(settings: QueueSettings) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    try:
        settings.require()
    except Exception as exc:  # noqa: BLE001
        return {"queue": {"ok": False, "detail": str(exc)}}
    try:
        from .jobs import redis_client

        client = redis_client(settings.state_url)
        client.ping()
        checks["state"] = {"ok": True, "detail": f"Redis {_redact_url(settings.state_url)}"}
    except Exception as exc:  # noqa: BLE001
        checks["state"] = {"ok": False, "detail": f"Redis til kørslernes status svarer ikke ({type(exc).__name__})"}
    try:
        from kombu import Connection

        with Connection(settings.broker_url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
        checks["broker"] = {"ok": True, "detail": f"mægler {_redact_url(settings.broker_url)}"}
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = {"ok": False, "detail": f"mægleren svarer ikke ({type(exc).__name__})"}
    try:
        from .store import open_store

        checks["store"] = {"ok": True, "detail": open_store(settings.store_url, settings.s3_endpoint).check()}
    except Exception as exc:  # noqa: BLE001
        checks["store"] = {"ok": False, "detail": f"lageret til brevene kan ikke skrives ({type(exc).__name__})"}
    return checks
