"""Where brevgen finds its templates, rules and examples, and where letters go by default.

Run from a checkout of the repository, they are the repository's own folders
(``templates/da``, ``plain_language_rules``, ``examples``), so an edit shows at once. Installed
from a wheel, they are the copies the wheel carries as package data under ``brevgen/_data/``
(the build maps the top-level folders there; see ``scripts/package_data.py``).

A folder of one's own is chosen with an environment variable, or a command's ``--templates``
option (which wins): ``BREVGEN_TEMPLATES`` (a template folder with its ``regimes.yml``, stylesheets
and fonts), ``BREVGEN_RULES`` (plain-language rules), ``BREVGEN_EXAMPLES`` (example case files).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The repository checkout the package was imported from, if any (see data_root()).
PROJECT_ROOT = PACKAGE_DIR.parent
TEMPLATES_ENV = "BREVGEN_TEMPLATES"
RULES_ENV = "BREVGEN_RULES"
EXAMPLES_ENV = "BREVGEN_EXAMPLES"
DATA_PACKAGE_DIR = "_data"  # brevgen/_data/ in an installed wheel


def in_checkout() -> bool:
    """Imported from a repository checkout (pyproject.toml and templates/ beside the package)?"""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "templates" / "da" / "regimes.yml").is_file()


def data_root() -> Path:
    """The folder holding ``templates/``, ``plain_language_rules/`` and ``examples/``."""
    if in_checkout():
        return PROJECT_ROOT
    # An installed package is a plain folder in site-packages, so this is a real path
    # (WeasyPrint and Jinja need one).
    return Path(str(resources.files("brevgen").joinpath(DATA_PACKAGE_DIR)))


def _from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default.resolve()


def templates_dir() -> Path:
    return _from_env(TEMPLATES_ENV, data_root() / "templates" / "da")


def rules_dir() -> Path:
    return _from_env(RULES_ENV, data_root() / "plain_language_rules")


def examples_dir() -> Path:
    return _from_env(EXAMPLES_ENV, data_root() / "examples")


def outputs_dir() -> Path:
    """``outputs/`` in the current folder: letters never go into the installed package's folder."""
    return Path.cwd() / "outputs"
