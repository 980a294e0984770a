from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from brevgen import build_letter, render_letter  # noqa: E402
from brevgen.paths import examples_dir  # noqa: E402
from brevgen.casefile import read_case_file  # noqa: E402

EXAMPLES = sorted(p for p in examples_dir().glob("*/*.yaml"))


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="session")
def rendered_examples():
    """Every example built once and rendered to all three formats (real PDF, DOCX, HTML)."""
    out = {}
    for path in EXAMPLES:
        data = read_case_file(path)
        letter = build_letter(path.parent.name, data, record=str(path))
        out[example_id(path)] = (path, data, letter, render_letter(letter))
    return out
