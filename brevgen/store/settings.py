"""Where brevgen keeps its state: one database URL and one data folder.

- ``BREVGEN_DATABASE_URL``: a SQLAlchemy URL. ``postgresql://user:password@host/db`` (psycopg 3;
  ``postgres://`` and ``postgresql+psycopg://`` work too) for production, ``sqlite:///path``
  for a file. Unset: a SQLite file ``brevgen.sqlite3`` in the data folder.
- ``BREVGEN_DATA``: the data folder (default ``$XDG_DATA_HOME/brevgen``, that is
  ``~/.local/share/brevgen``). It holds the default SQLite file and the template sets
  materialised from the database (``sets/<hash>/``, ``drafts/<id>/``), which are caches: the
  database is the record, and the folders are rebuilt from it when missing.
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_ENV = "BREVGEN_DATABASE_URL"
DATA_ENV = "BREVGEN_DATA"
SQLITE_NAME = "brevgen.sqlite3"


def data_dir() -> Path:
    explicit = os.environ.get(DATA_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser().resolve()
    base = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return (Path(base).expanduser() / "brevgen").resolve()


def default_sqlite_path() -> Path:
    return data_dir() / SQLITE_NAME


def database_url() -> str:
    """The configured URL, or the default SQLite file's."""
    url = os.environ.get(DATABASE_ENV, "").strip()
    return normalise_url(url) if url else f"sqlite:///{default_sqlite_path()}"


def configured() -> bool:
    """Whether there is a database to read: a URL is set, or the default SQLite file exists.

    Reading letters never creates a database; the studio and ``brevgen users`` do.
    """
    return bool(os.environ.get(DATABASE_ENV, "").strip()) or default_sqlite_path().is_file()


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` use psycopg 3 (the driver brevgen installs)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def display_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: say nothing about it
        return "(ugyldig database-URL)"
