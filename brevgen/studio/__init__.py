"""The template studio: communications staff edit every variant of a letter in the browser.

``brevgen studio`` runs it (127.0.0.1:8100 by default). Modules:

- ``engine``: the adapter into brevgen's pipeline (events, examples, compose from an in-memory
  overlay of a template folder, lint, LIX, required content, branches, diff, save).
- ``workflow``: the adapter into the lifecycle (drafts and their folders, review, versions,
  users, audit log, feedback counts).
- ``app`` and ``lifecycle_pages``: the web app (FastAPI) and its JSON API; ``pages/`` its
  Danish pages (its own Jinja environment, not the letters' sandbox); ``static/`` everything
  the browser loads.
- ``auth``: users from the database, server-side sessions, CSRF tokens.
- ``logic``: the letter-logic check the studio adds until the lint has its own.

FastAPI and the engine load only when the studio starts, so the rest of the CLI stays fast.
"""

from __future__ import annotations

from pathlib import Path


def create_app(templates: Path | None = None, **options):
    """The studio's ASGI app for one template folder (see :func:`brevgen.studio.app.create_app`)."""
    from .app import create_app as _create_app

    return _create_app(templates, **options)


def serve(host: str = "127.0.0.1", port: int = 8100, templates: Path | None = None, log_level: str = "info") -> None:
    """Run the studio until stopped."""
    from .app import serve as _serve

    _serve(host=host, port=port, templates=templates, log_level=log_level)


__all__ = ["create_app", "serve"]
