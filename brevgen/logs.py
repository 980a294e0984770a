"""Logging without personal numbers: a filter that strips anything shaped like a CPR number
from every record, and uvicorn's logging configuration with that filter on every handler.

Nothing in brevgen logs a CPR number on purpose; this catches what others log, such as
uvicorn's access line for a URL someone typed a CPR number into. The HTTP service and the
template studio both run with it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from .casedata import CPR_SHAPE


def redact(text: str) -> str:
    return CPR_SHAPE.sub("[CPR fjernet]", text)


class RedactCpr(logging.Filter):
    """Strips CPR-shaped numbers from every record (message and arguments) before it is written.

    Nothing in brevgen logs a CPR number on purpose; this catches what others log, such as
    uvicorn's access line for a URL someone typed a CPR number into.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the traceback (and the exception's message) is redacted too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration with the CPR filter on every handler, plus brevgen's logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["filters"] = {"redact_cpr": {"()": "brevgen.logs.RedactCpr"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_cpr"]
    config["loggers"]["brevgen"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    # Everything else (WeasyPrint, fontTools, ...) reaches the same filtered handler.
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


