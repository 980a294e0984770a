#!/usr/bin/env python3
"""Golden letters: the text of every example letter, kept in tests/golden/<event>/<example>.txt.

tests/test_golden.py compares each example letter with its golden file and fails with a
unified diff when a template, partial, the regime table or the code changes what a citizen
reads. When the change is intended, accept it (and review the diff in git) with:

    python tests/update_golden.py

The golden text is Letter.head_lines() + Letter.body_lines(), one line each: exactly the
words a citizen reads, independent of the format.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
GOLDEN_DIR = TESTS / "golden"
UPDATE_COMMAND = "python tests/update_golden.py"

if str(TESTS.parent) not in sys.path:  # run as a script from anywhere: import this worktree's brevgen
    sys.path.insert(0, str(TESTS.parent))


def golden_text(letter) -> str:
    return "\n".join([*letter.head_lines(), *letter.body_lines()]) + "\n"


def golden_path(example: Path) -> Path:
    return GOLDEN_DIR / example.parent.name / f"{example.stem}.txt"


def examples() -> list[Path]:
    from brevgen.paths import examples_dir

    return sorted(examples_dir().glob("*/*.yaml"))


def build(example: Path):
    from brevgen import build_letter
    from brevgen.casefile import read_case_file

    return build_letter(example.parent.name, read_case_file(example), record=str(example))


def main() -> int:
    from brevgen.output import atomic_write

    wanted = {golden_path(example): golden_text(build(example)) for example in examples()}
    changed = 0
    for path, text in wanted.items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            atomic_write(path, text.encode("utf-8"))
            changed += 1
            print(f"{'opdateret' if old is not None else 'ny'}: {path.relative_to(TESTS.parent)}")
    for stale in sorted(set(GOLDEN_DIR.glob("*/*.txt")) - set(wanted)):
        stale.unlink()
        changed += 1
        print(f"slettet (eksemplet findes ikke mere): {stale.relative_to(TESTS.parent)}")
    print(f"{len(wanted)} gyldne breve, {changed} ændret.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
