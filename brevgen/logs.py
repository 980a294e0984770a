"""Logging without personal numbers: uvicorn's logging configuration with the CPR filter
(:class:`brevgen.cpr.RedactingFilter`) on every handler.

Nothing in brevgen logs a CPR number on purpose; the filter catches what others log, such as
uvicorn's access line for a URL someone typed a CPR number into (also percent-encoded). The
HTTP service and the template studio both run with it.
"""

from __future__ import annotations

import json
from typing import Any

from .cpr import RedactingFilter


class RedactCpr(RedactingFilter):
    """The log filter on every handler: CPR numbers in any spelling become ``[CPR fjernet]``."""


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration with the CPR filter on every handler, plus brevgen's logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["filters"] = {
        "redact_cpr": {"()": "brevgen.logs.RedactCpr"},
        "request_id": {"()": "brevgen.observability.RequestIdFilter"},
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_cpr", "request_id"]
    for formatter in config["formatters"].values():
        # Every line names its request ("-" outside one), so a case system's X-Request-ID finds it.
        formatter["fmt"] = formatter["fmt"].replace("%(levelprefix)s ", "%(levelprefix)s [%(request_id)s] ", 1)
    config["loggers"]["brevgen"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    # Everything else (WeasyPrint, fontTools, ...) reaches the same filtered handler.
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
