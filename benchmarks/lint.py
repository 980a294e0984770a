"""Lint throughput: example letters linted per second (median of several runs).

    python benchmarks/lint.py [--runs 5]

The baseline, measured in the same run on the same letters, is composing them (validation,
context, Jinja, Markdown -> Letter): the lint should cost a fraction of making the letter.
Also printed: loading the rule set (which runs every rule's examples) and the template lint
of templates/da/ with every example (render + lint + branch coverage), as the CLI does it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from brevgen.lint import load_rules  # noqa: E402
from brevgen.lint.templates import lint_letter, lint_templates, TemplateFiles  # noqa: E402
from brevgen.paths import examples_dir, templates_dir  # noqa: E402
from brevgen.pipeline import build_letter  # noqa: E402
from brevgen.templating import template_set  # noqa: E402
from brevgen.casefile import read_case_file  # noqa: E402


def timed(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    cases = sorted(p for p in examples_dir().glob("*/*.yaml"))
    data = [(p.parent.name, read_case_file(p)) for p in cases]
    rules = load_rules()
    files = TemplateFiles(templates_dir())
    names = {event: info.name for event, info in template_set().events.items()}

    letters = [build_letter(event, d) for event, d in data]  # warm caches (templates compiled)

    def compose_all():
        for event, d in data:
            build_letter(event, d)

    def lint_all():
        for letter in letters:
            lint_letter(letter, rules, files, names[letter.meta.event], letter.meta.event)

    n = len(letters)

    def lint_cold():
        # A fresh rule set has an empty analysis cache: every text is tokenized again.
        fresh = load_rules()
        for letter in letters:
            lint_letter(letter, fresh, files, names[letter.meta.event], letter.meta.event)

    load_s, _ = timed(load_rules, max(3, args.runs // 2))
    cold_s = timed(lint_cold, args.runs)[0] - load_s
    compose_s, _ = timed(compose_all, args.runs)
    lint_s, lint_runs = timed(lint_all, args.runs)
    tmpl_s, _ = timed(lambda: lint_templates(templates_dir(), rules), max(3, args.runs // 2))

    print(f"letters: {n} examples, {args.runs} runs, median")
    print(f"baseline compose:   {compose_s / n * 1000:7.2f} ms/letter  {n / compose_s:8.1f} letters/s")
    print(f"lint (rules+LIX+required): {lint_s / n * 1000:7.2f} ms/letter  {n / lint_s:8.1f} letters/s"
          f"  (runs: {', '.join(f'{t * 1000:.0f}' for t in lint_runs)} ms for {n})")
    print(f"lint, cold analysis cache: {cold_s / n * 1000:7.2f} ms/letter  {n / cold_s:8.1f} letters/s")
    print(f"ratio lint/compose: {lint_s / compose_s:.2f} (cold: {cold_s / compose_s:.2f})")
    print(f"load rule set + run all rule examples: {load_s * 1000:.0f} ms (once per CLI call)")
    print(f"template lint of templates/da/ ({n} examples, render + lint + coverage): {tmpl_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
