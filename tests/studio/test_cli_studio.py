"""`brevgen studio`: the thin CLI command (options, the password-hash helper, Danish help)."""

from __future__ import annotations

import subprocess
import sys

from .studio_helpers import REPO


def test_cli_makes_a_password_hash_and_has_a_danish_help():
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from brevgen.cli import main; sys.argv[0]='brevgen'; main()", "studio", "--hash-password"],
        input="hemmelig\nhemmelig\n", capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    from brevgen.studio.auth import verify_password

    assert verify_password("hemmelig", run.stdout.strip().splitlines()[-1])
    help_text = subprocess.run(
        [sys.executable, "-c", "import sys; from brevgen.cli import main; sys.argv[0]='brevgen'; main()", "studio", "--help"],
        capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=60,
    ).stdout
    assert "skabelonstudiet" in help_text and "--host" in help_text and "127.0.0.1" in help_text and "--templates" in help_text
