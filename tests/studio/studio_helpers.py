"""Constants and helpers the studio tests import (the fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kaffe-og-klarsprog"
ORIGIN = "http://127.0.0.1:8100"


def line_of(path: Path, needle: str) -> int:
    source = path.read_text(encoding="utf-8")
    return source.count("\n", 0, source.index(needle)) + 1
