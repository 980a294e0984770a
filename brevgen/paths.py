"""Where brevgen finds its templates and rules (overridable with BREVGEN_TEMPLATES)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def templates_dir() -> Path:
    return Path(os.environ.get("BREVGEN_TEMPLATES", PROJECT_ROOT / "templates" / "da")).resolve()


def examples_dir() -> Path:
    return PROJECT_ROOT / "examples"


def outputs_dir() -> Path:
    return PROJECT_ROOT / "outputs"
