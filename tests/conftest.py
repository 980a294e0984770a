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


# Property tests (tests/test_properties.py): "fast" runs in every test run; "thorough" generates
# 10,000 records and is used by the slow-marked test, which .ci/run runs (pytest -m "not slow"
# leaves it out). Derandomized: the same records every run, so a failure in CI can be repeated.
from hypothesis import HealthCheck, settings  # noqa: E402

_PROPERTY_SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("fast", max_examples=40, **_PROPERTY_SETTINGS)
settings.register_profile("thorough", max_examples=10_000, **_PROPERTY_SETTINGS)
settings.load_profile("fast")
