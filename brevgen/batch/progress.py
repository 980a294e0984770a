"""Progress of a batch for the person running it: a bar on a terminal, plain lines otherwise.

Both show letters done of all, the rate of letters made by this run and the time left
(from that rate, so letters skipped because an earlier run made them do not make the
estimate too hopeful). Text is Danish: caseworkers and operators read it.
"""

from __future__ import annotations

import sys
import time
from typing import IO

from .run import Progress


def danish_number(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def duration(seconds: float) -> str:
    """``45 s``, ``3 min``, ``1 t 5 min``: rough on purpose, it is an estimate."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} t {minutes % 60} min"


def rate_and_time_left(p: Progress) -> str:
    if p.done >= p.total:
        return f"{danish_number(p.written / p.elapsed)} breve/s, færdig" if p.written and p.elapsed > 0 else "færdig"
    if p.written == 0 or p.elapsed <= 0:
        return "starter"
    rate = p.written / p.elapsed
    left = (p.total - p.done) / rate if rate > 0 else 0
    return f"{danish_number(rate)} breve/s, ca. {duration(left)} tilbage"


class LineProgress:
    """One line on ``stream`` at most every ``every`` seconds, and one at the end (for logs)."""

    def __init__(self, stream: IO[str] | None = None, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.every = every
        self.last = time.monotonic()

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.last < self.every and p.done < p.total:
            return
        self.last = now
        percent = 100 * p.done / p.total if p.total else 100
        failed = f", {p.failed} fejl" if p.failed else ""
        print(f"brevgen: {p.done}/{p.total} breve ({percent:.0f} %){failed}, {rate_and_time_left(p)}", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class BarProgress:
    """click's progress bar on stderr, with our own rate and time left beside it."""

    def __init__(self, total: int, stream: IO[str] | None = None):
        import click

        self._bar = click.progressbar(
            length=total,
            label="Breve",
            show_eta=False,
            show_pos=True,
            item_show_func=lambda text: text,
            file=stream or sys.stderr,
        )
        self._bar.__enter__()
        self._done = 0

    def __call__(self, p: Progress) -> None:
        step = p.done - self._done
        self._done = p.done
        self._bar.update(step, current_item=rate_and_time_left(p))

    def close(self) -> None:
        self._bar.__exit__(None, None, None)


def progress_for(total: int, stream: IO[str] | None = None):
    stream = stream or sys.stderr
    return BarProgress(total, stream) if stream.isatty() else LineProgress(stream)
