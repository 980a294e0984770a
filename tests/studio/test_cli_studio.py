"""`brevgen studio` and `brevgen users`: the thin CLI commands (options, the first administrator, Danish help)."""

from __future__ import annotations

import subprocess
import sys

from .studio_helpers import REPO

CLI = [sys.executable, "-c", "import sys; from brevgen.cli import main; sys.argv[0]='brevgen'; main()"]


def _run(*args: str, data_dir, stdin: str | None = None):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "BREVGEN_DATA": str(data_dir), "HOME": str(data_dir)}
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)


def test_a_fresh_install_gets_its_first_administrator_from_the_command_line(tmp_path):
    made = _run("users", "add", "anna", "--role", "admin", "--role", "author", "--password-stdin", data_dir=tmp_path, stdin="hemmelig-kode\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "anna: admin, author"
    assert (tmp_path / "brevgen.sqlite3").is_file(), "SQLite in the data folder by default"
    again = _run("users", "add", "anna", "--role", "author", "--password-stdin", data_dir=tmp_path, stdin="hemmelig-kode\n")
    assert again.returncode == 1 and "findes allerede" in again.stderr
    bad = _run("users", "add", "bo", "--role", "chef", "--password-stdin", data_dir=tmp_path, stdin="hemmelig-kode\n")
    assert bad.returncode == 2 and "ukendt rolle" in bad.stderr
    listed = _run("users", "list", "--json", data_dir=tmp_path)
    assert '"roles": [\n      "admin",\n      "author"\n    ]' in listed.stdout


def test_studio_help_is_danish():
    help_text = subprocess.run([*CLI, "studio", "--help"], capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=60).stdout
    assert "skabelonstudiet" in help_text and "--host" in help_text and "127.0.0.1" in help_text and "--templates" in help_text
    assert "BREVGEN_DATABASE_URL" in help_text and "brevgen users add" in help_text
