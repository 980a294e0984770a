"""Every example letter still reads exactly as its golden file (tests/golden/).

A template edit that changes a letter fails here with a unified diff of the citizen's
text, so communications staff see exactly which letters an edit changes and how. When
the change is intended: ``python tests/update_golden.py``, then review and commit.
"""

from __future__ import annotations

import difflib

import pytest
from conftest import EXAMPLES, example_id, sampled
from update_golden import GOLDEN_DIR, UPDATE_COMMAND, golden_path, golden_text


def golden_diff(expected: str, actual: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"tests/golden/{name}.txt (godkendt)",
            tofile=f"{name} (som brevet er nu)",
        )
    )


@pytest.mark.parametrize("case_id", sampled([example_id(p) for p in EXAMPLES]))
def test_letter_matches_golden_file(rendered_examples, case_id):
    path, _data, letter, _files = rendered_examples[case_id]
    golden = golden_path(path)
    if not golden.exists():
        pytest.fail(f"{case_id} har ingen gylden fil ({golden.name}). Lav den med: {UPDATE_COMMAND}", pytrace=False)
    expected = golden.read_text(encoding="utf-8")
    actual = golden_text(letter)
    if actual != expected:
        pytest.fail(
            f"Brevet {case_id} er ændret. Forskel (- godkendt, + nu):\n\n"
            f"{golden_diff(expected, actual, case_id)}\n"
            f"Er ændringen meningen, så godkend den med: {UPDATE_COMMAND}",
            pytrace=False,
        )


def test_no_golden_file_without_an_example():
    expected = {golden_path(p) for p in EXAMPLES}
    stale = sorted(str(p.relative_to(GOLDEN_DIR)) for p in GOLDEN_DIR.glob("*/*.txt") if p not in expected)
    assert not stale, f"gyldne filer uden eksempel: {stale}. Ryd op med: {UPDATE_COMMAND}"


def test_diff_is_readable():
    """The failure message shows the changed sentence itself, not a wall of text."""
    before = "Kort fortalt\nMød op mandag den 2. marts 2026 kl. 10.00.\nHvem kan du kontakte?\n"
    after = "Kort fortalt\nMød op tirsdag den 3. marts 2026 kl. 10.00.\nHvem kan du kontakte?\n"
    diff = golden_diff(before, after, "indkaldelse/eksempel")
    assert "-Mød op mandag den 2. marts 2026 kl. 10.00." in diff
    assert "+Mød op tirsdag den 3. marts 2026 kl. 10.00." in diff
    assert " Kort fortalt" in diff and "--- tests/golden/indkaldelse/eksempel.txt (godkendt)" in diff
