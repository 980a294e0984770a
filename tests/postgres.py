"""A throwaway PostgreSQL server for the tests and benchmarks: Debian's postgresql, started in a
temporary folder on a Unix socket (no TCP port), stopped and removed afterwards.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user that
Debian's package creates (``runuser``); as any other user it runs as that user. The database
superuser is ``brevgen`` with trust authentication on the socket, which only this machine's
processes that can reach the folder can use.

``BREVGEN_TEST_POSTGRES_URL`` points the tests at a server of your own instead (it must be
empty: every test makes its own database in it).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

URL_ENV = "BREVGEN_TEST_POSTGRES_URL"
PORT = 5432  # on a socket of our own, so no other server's port is in the way


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def available() -> str | None:
    """None when a server can be started here, else why not (in English, for the skip reason)."""
    if os.environ.get(URL_ENV):
        return None
    if _bin_dir() is None:
        return "PostgreSQL is not installed (bash scripts/setup.sh --test installs Debian's postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


class TempPostgres:
    """``with TempPostgres() as pg: pg.url("db")``."""

    def __init__(self, durable: bool = False) -> None:
        """``durable``: keep fsync on (benchmarks); the tests run without it, for speed."""
        self.durable = durable
        self.folder: Path | None = None
        self.external = os.environ.get(URL_ENV)
        self._as: list[str] = []

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *args], check=check, capture_output=True, text=True, timeout=120)

    def __enter__(self) -> TempPostgres:
        if self.external:
            return self
        bindir = _bin_dir()
        assert bindir is not None, available()
        # In /tmp itself, not under pytest's private tmp folder: the postgres user must reach it.
        self.folder = Path(tempfile.mkdtemp(prefix="brevgen-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        self._run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "brevgen", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        options = f"-k {self.folder} -p {PORT} -c listen_addresses='' -c max_connections=60"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        started = self._run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "-t", "60", "start", check=False)
        if started.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
            self.__exit__(None, None, None)
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
        self._bindir = bindir
        self._data = data
        return self

    def __exit__(self, *exc) -> None:
        if self.folder is None:
            return
        if getattr(self, "_data", None) is not None:
            self._run(str(self._bindir / "pg_ctl"), "-D", str(self._data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def url(self, database: str = "postgres") -> str:
        if self.external:
            from sqlalchemy.engine import make_url

            return make_url(self.external).set(database=database).render_as_string(hide_password=False)
        return f"postgresql+psycopg://brevgen@/{database}?host={self.folder}&port={PORT}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

