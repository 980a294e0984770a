"""Faults while writing, made for real: a full disk (a small tmpfs), a read-only folder (a
read-only mount), a folder entry in the way of a letter, many batches on one folder at once,
and a letter over its time limit.

Mounting needs root (CI runs as root). Without it, a small ext2 image on a loop device is the
fallback; without either the tests are skipped with the reason, never faked.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES

from brevgen import build_letter, render_letter
from brevgen.batch import run_batch
from brevgen.batch.folder import locked
from brevgen.casefile import read_case_file
from brevgen.errors import UsageError
from brevgen.output import DiskFullError, OutputError, write_letter

SUMMONS = EXAMPLES[0]


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brevgen.cli", *args], capture_output=True, text=True, **kwargs)


def _run(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


@contextlib.contextmanager
def small_disk(path: Path, size_kb: int, read_only: bool = False):
    """A real file system of ``size_kb`` at ``path``: tmpfs, else an ext2 image on a loop device."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kb}k" + (",ro" if read_only else "")
    if _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)):
        kind = "tmpfs"
    else:
        image = path.parent / f"{path.name}.img"
        if not shutil.which("mkfs.ext2"):
            pytest.skip("cannot mount a tmpfs (not root?) and mkfs.ext2 is missing for a loop image")
        subprocess.run(["truncate", "-s", f"{max(size_kb, 64)}k", str(image)], check=True)
        subprocess.run(["mkfs.ext2", "-q", "-F", str(image)], check=True, capture_output=True)
        if not _run("mount", "-o", "loop" + (",ro" if read_only else ""), str(image), str(path)):
            pytest.skip("cannot mount a tmpfs or a loop image here (needs root)")
        kind = "loop"
    try:
        yield kind
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def grow(path: Path, size_kb: int, kind: str) -> None:
    if kind != "tmpfs":
        pytest.skip("growing a loop image in place is not supported")
    subprocess.run(["mount", "-o", f"remount,size={size_kb}k", str(path)], check=True)


def records(n: int) -> str:
    data = read_case_file(SUMMONS)
    lines = []
    for i in range(n):
        lines.append(json.dumps({"id": f"brev-{i:03d}", "event": "indkaldelse", "data": {**data, "case_ref": f"JC-2026-{i:04d}"}}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def manifest(out: Path) -> list[dict]:
    path = out / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def letter_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.endswith(".jsonl"))


# --- a full disk -----------------------------------------------------------------------------


def test_render_on_a_full_disk_is_a_clear_error_and_leaves_no_file(tmp_path):
    # 32 kB: the PDF (22 kB) fits, the DOCX after it does not.
    with small_disk(tmp_path / "disk", 32):
        result = cli("render", "indkaldelse", str(SUMMONS), "--out", str(tmp_path / "disk"))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert f"fejl: {tmp_path / 'disk'}: der er ikke plads på disken. Frigør plads, og prøv igen. Intet brev er skrevet halvt" in result.stderr
        assert list((tmp_path / "disk").iterdir()) == []  # not the PDF alone, no temporary file


def test_the_python_api_raises_disk_full_and_writes_nothing(tmp_path):
    letter = build_letter("indkaldelse", read_case_file(SUMMONS))
    files = render_letter(letter)
    with small_disk(tmp_path / "disk", 32):
        with pytest.raises(DiskFullError) as info:
            write_letter(letter.meta, files, tmp_path / "disk")
        assert info.value.code == "disk-full" and info.value.exit_code == 1
        assert list((tmp_path / "disk").iterdir()) == []


@pytest.mark.slow  # resume after a fault
def test_batch_on_a_full_disk_stops_cleanly_and_resumes_after_space_is_freed(tmp_path):
    source = tmp_path / "breve.jsonl"
    source.write_text(records(12), encoding="utf-8")
    out = tmp_path / "disk"
    with small_disk(out, 96) as kind:
        first = cli("batch", str(source), "--out", str(out), "--format", "pdf,html", "--workers", "1")
        assert first.returncode == 1, first.stderr
        assert "Traceback" not in first.stderr
        assert "der er ikke plads på disken" in first.stderr and "kør samme kommando igen" in first.stderr
        made = manifest(out)
        assert 0 < len(made) < 12
        # Every letter in the folder is whole and in the manifest; nothing half-written.
        listed = sorted(f["file"] for entry in made for f in entry["files"])
        assert letter_files(out) == listed
        for entry in made:
            assert {f["format"] for f in entry["files"]} == {"pdf", "html"}

        grow(out, 4096, kind)
        second = cli("batch", str(source), "--out", str(out), "--format", "pdf,html", "--workers", "1", "--json")
        assert second.returncode == 0, second.stderr
        summary = json.loads(second.stdout)
        assert (summary["letters"], summary["already_done"], summary["written"]) == (12, len(made), 12 - len(made))
        ids = [entry["id"] for entry in manifest(out)]
        assert sorted(ids) == [f"brev-{i:03d}" for i in range(12)]  # each letter once
        assert len(letter_files(out)) == 24


# --- a read-only folder ---------------------------------------------------------------------


@pytest.mark.slow  # render and batch as real processes
def test_read_only_folder_is_a_clear_error_for_render_and_batch(tmp_path):
    source = tmp_path / "breve.jsonl"
    source.write_text(records(2), encoding="utf-8")
    with small_disk(tmp_path / "ro", 64, read_only=True):
        for args in (
            ("render", "indkaldelse", str(SUMMONS), "--out", str(tmp_path / "ro")),
            ("render", "indkaldelse", str(SUMMONS), "--out", str(tmp_path / "ro" / "ny-mappe")),
            ("batch", str(source), "--out", str(tmp_path / "ro")),
        ):
            result = cli(*args)
            assert result.returncode == 1, (args, result.stderr)
            assert "Traceback" not in result.stderr
            assert "mappen kan ikke skrives i (skrivebeskyttet eller ingen adgang)" in result.stderr, result.stderr


# --- all formats of a letter or none ---------------------------------------------------------


def test_all_formats_or_none_when_one_cannot_be_placed(tmp_path):
    letter = build_letter("indkaldelse", read_case_file(SUMMONS))
    files = render_letter(letter)
    out = tmp_path / "out"
    out.mkdir()
    # A folder where the DOCX should go: the PDF is placed first, then renaming the DOCX fails.
    (out / "indkaldelse_JC-2026-0412_2026-03-02.docx").mkdir()
    with pytest.raises(OutputError):
        write_letter(letter.meta, files, out)
    assert sorted(p.name for p in out.iterdir()) == ["indkaldelse_JC-2026-0412_2026-03-02.docx"]  # only what was there


# --- many batches on one folder ---------------------------------------------------------------


def test_a_held_lock_makes_another_batch_wait_then_stop_with_a_clear_message(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    source = tmp_path / "breve.jsonl"
    source.write_text(records(1), encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom brevgen.batch.folder import locked\n"
         "with locked(Path(sys.argv[1])):\n    print('holding', flush=True)\n    time.sleep(60)\n", str(out)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(UsageError, match="en anden kørsel skriver allerede til mappen"):
            with locked(out, wait=0.5):
                pass
        for leftover in out.iterdir():  # no lock file to delete: the lock is on the folder
            leftover.unlink()
        with pytest.raises(UsageError, match="en anden kørsel skriver allerede til mappen"):
            with locked(out, wait=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()
    with locked(out, wait=0.5):  # released when the holder died
        pass


@pytest.mark.slow
def test_any_number_of_concurrent_batches_write_each_letter_once(tmp_path):
    """Six batches on one folder: started together, staggered, and one started just as another
    finishes (the case that got past the old lock file). Each letter is made once."""
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    all_lines = records(30).splitlines()
    small.write_text(all_lines[0] + "\n", encoding="utf-8")
    big.write_text("\n".join(all_lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"

    def start(source: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(out), "--format", "html", "--workers", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    first = start(small)
    time.sleep(0.3)
    procs = [first, start(big), start(big)]
    first.wait(timeout=300)
    procs += [start(big), start(big), start(big)]  # while the second holds the lock
    outputs = [p.communicate(timeout=600) for p in procs]
    codes = [p.returncode for p in procs]
    assert set(codes) <= {0, 2}, (codes, [e for _o, e in outputs])
    for proc, (_stdout, stderr) in zip(procs, outputs):
        assert "Traceback" not in stderr
        if proc.returncode == 2:
            assert "en anden kørsel skriver allerede til mappen" in stderr
    ids = [entry["id"] for entry in manifest(out)]
    assert len(ids) == len(set(ids))
    final = run_batch(big, out, formats="html", workers=1)
    assert (final.letters, final.written) == (30, 30 - len(ids))
    ids = [entry["id"] for entry in manifest(out)]
    assert sorted(ids) == [f"brev-{i:03d}" for i in range(30)]
    assert len(letter_files(out)) == 30


# --- a letter over its time limit ------------------------------------------------------------


def test_a_letter_over_its_time_limit_is_stopped_reported_and_the_batch_goes_on(tmp_path):
    source = tmp_path / "breve.jsonl"
    source.write_text(records(3), encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(source, out, formats="pdf", workers=1, time_limit=0.01)
    assert (result.written, result.failed) == (0, 3)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["code"] for e in errors] == ["timeout"] * 3
    assert errors[0]["message"] == "brevet tog for lang tid at lave (over 0.01 sekunder) og blev stoppet. Prøv igen, eller kontakt driften"
    assert letter_files(out) == []
    again = run_batch(source, out, formats="pdf", workers=1)  # the default limit: all made
    assert (again.written, again.failed) == (3, 0)


def test_the_time_limit_is_reported_even_when_a_library_wraps_it():
    """pydantic's schema builder turns an exception raised inside it into its own SchemaError;
    when the alarm fired, the caller still gets the time limit, not a library error."""
    import time

    from brevgen.timelimit import TimeLimitExceeded, time_limit

    def wrapped_sleep():
        try:
            time.sleep(1)
        except TimeLimitExceeded as exc:
            raise RuntimeError("Error building validator") from exc

    with pytest.raises(TimeLimitExceeded, match="over 0.05 sekunder"):
        with time_limit(0.05):
            wrapped_sleep()
    with pytest.raises(RuntimeError, match="not the limit"):
        with time_limit(5):
            raise RuntimeError("not the limit")


def test_a_service_worker_uses_the_settings_the_service_has_when_it_is_called(monkeypatch):
    """The HTTP service's workers are forked from a fork server started earlier; a setting
    changed since (here the time limit's environment variable) reaches the worker."""
    import asyncio
    import concurrent.futures
    import os

    from brevgen.workpool import WorkPool

    def run(*args):  # in a thread of its own: a browser test may have left a loop running here
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, pool.run(None, os.getenv, *args)).result()

    pool = WorkPool(1)
    try:
        monkeypatch.setenv("BREVGEN_PROBE_SETTING", "first")
        assert run("BREVGEN_PROBE_SETTING") == "first"
        monkeypatch.setenv("BREVGEN_PROBE_SETTING", "second")
        assert run("BREVGEN_PROBE_SETTING") == "second"
        monkeypatch.delenv("BREVGEN_PROBE_SETTING")
        assert run("BREVGEN_PROBE_SETTING") is None
    finally:
        pool.close()
