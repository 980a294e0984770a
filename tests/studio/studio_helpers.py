"""Constants and helpers the studio tests import (the fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kaffe-og-klarsprog"
ORIGIN = "http://127.0.0.1:8100"
USERS = {
    "anna": ("author", "admin"),
    "bo": ("language_reviewer",),
    "carl": ("language_reviewer", "subject_reviewer"),
    "eva": ("author", "language_reviewer"),
}


AXE = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


def sign_in(page, base: str, user: str = "anna") -> None:
    """Sign in through the login page, as a person would (Playwright)."""
    page.goto(base + "/login")
    page.get_by_label("Brugernavn").fill(user)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(base + "/")


def axe(page) -> list[dict]:
    """axe-core's violations on the page (the test injects it; the context must bypass the CSP)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ['violations'], iframes: false });
            return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target) }));
        }"""
    )


def line_of(path: Path, needle: str) -> int:
    source = path.read_text(encoding="utf-8")
    return source.count("\n", 0, source.index(needle)) + 1


def wait_for_checks(page, previous: str | None = None) -> str:
    """Wait until the preview and every-variant report answer the current draft."""
    page.wait_for_function(
        """(prev) => {
            // null while the click that opened the editor is still loading the page
            const preview = document.getElementById('preview'), all = document.getElementById('all-variants');
            if (!preview || !all) return false;
            const p = preview.dataset.version, a = all.dataset.version;
            return p && a && p === a && p !== prev && !preview.hasAttribute('aria-busy');
        }""",
        arg=previous,
        timeout=20000,
    )
    return page.get_attribute("#preview", "data-version")


def select_text(page, needle: str) -> None:
    """Select ``needle`` in the source editor, as a person would with the mouse."""
    start = page.evaluate("(s) => document.getElementById('source').value.indexOf(s)", needle)
    assert start >= 0, needle
    page.evaluate(
        "([a, b]) => { const t = document.getElementById('source'); t.focus(); t.setSelectionRange(a, b); }",
        [start, start + len(needle)],
    )
