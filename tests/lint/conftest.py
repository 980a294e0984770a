"""Shared fixtures for the lint tests: the shipped rule set, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from brevgen.lint import load_rules
from brevgen.lint.units import Document, Location, plain_unit

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def rules():
    return load_rules()


def lint_text(rules, text: str, kind: str = "body", roles: tuple[str, ...] = ()) -> list:
    """Hits of every shipped rule on one unit of text."""
    doc = Document([plain_unit(text, kind, roles)], Location(None), name="test")
    hits, _ = rules.check(doc)
    return hits
