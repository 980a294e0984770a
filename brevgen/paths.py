"""Where brevgen finds its templates, rules and examples, and where letters go by default.

Each folder can be moved with an environment variable: BREVGEN_TEMPLATES (a template folder
with its regime table), BREVGEN_RULES (plain-language rules).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_ENV = "BREVGEN_TEMPLATES"
RULES_ENV = "BREVGEN_RULES"


def templates_dir() -> Path:
    return Path(os.environ.get(TEMPLATES_ENV, PROJECT_ROOT / "templates" / "da")).resolve()


def rules_dir() -> Path:
    return Path(os.environ.get(RULES_ENV, PROJECT_ROOT / "plain_language_rules")).resolve()


def examples_dir() -> Path:
    return PROJECT_ROOT / "examples"


def outputs_dir() -> Path:
    """``outputs/`` in the current folder: letters never go into the installed package's folder."""
    return Path.cwd() / "outputs"
