"""Batch throughput and memory: brevgen's batch path against the naive way, in the same run.

    python benchmarks/batch.py --n 1000 --runs 3            # naive vs batch, medians of 3
    python benchmarks/batch.py --n 10000 --runs 1 --modes batch --check
    python benchmarks/batch.py --n 1000 --runs 3 --check --keep /tmp/ref1000
    python benchmarks/batch.py --n 1000 --kill-resume --reference /tmp/ref1000
    python benchmarks/batch.py --n 10000 --kill-resume     # kill -9 halfway, re-run, check
    python benchmarks/batch.py --steps                     # CPU per step of one letter

Input: N varied records made from the 16 examples (case reference, citizen name and all
dates shifted per record), with ``--invalid`` of them broken in four different ways.

- naive: what a developer writes first. One process; per letter ``build_letter``, then
  ``weasyprint.HTML(string=html).write_pdf()`` with defaults, a fresh python-docx
  ``Document()`` filled with the letter's lines, and the HTML string; three files written.
  Timed from after its imports (in its favour).
- batch: ``brevgen.run_batch`` (what ``brevgen batch`` runs), timed from the call, so
  starting the workers and checking the output folder are included.

Each mode runs in its own child process, so peak memory is measured per mode: the child
samples /proc every 0.1 s and reports the largest sum of VmRSS over its process tree and
the sum of every process's VmHWM (its own peak; an upper bound of the tree's peak).
Letters/s counts valid letters (each is one PDF + one DOCX + one HTML).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from case_dates import shift_dates  # noqa: E402  (the date shift the tests use too)

FIRST_NAMES = ["Søren", "Mette", "Ahmad", "Birgitte", "Jørgen", "Fatima", "Åse", "Kasper", "Nanna", "Ole", "Zainab", "Ærling"]
LAST_NAMES = ["Østergård", "Jensen", "Nielsen", "Hansen", "Al-Sayed", "Pedersen", "Kjær", "Andersen", "Møller", "Larsen"]


# --- input --------------------------------------------------------------------------------


def _valid_shifts(event: str, base: dict) -> list[int]:
    """Whole weeks (0-3) by which an example's dates can move and the case stays valid.

    Whole weeks keep every weekday; the check drops the shifts that land a meeting or a
    deadline on a holiday or cross a regime boundary, so only the deliberately broken
    records fail. It builds the letter, so the letter logic checks (a "senest" date on a
    public holiday, LO02) count as well as the case data's validation.
    """
    from brevgen import build_letter
    from brevgen.errors import CaseDataError

    valid = []
    for weeks in range(4):
        try:
            build_letter(event, shift_dates(copy.deepcopy(base), 7 * weeks))
        except CaseDataError:
            continue
        valid.append(7 * weeks)
    return valid or [0]


def write_input(path: Path, n: int, invalid: float) -> int:
    """N records as JSONL, streamed; returns how many are broken on purpose."""
    from brevgen.paths import examples_dir
    from brevgen.casefile import read_case_file

    examples = [(p.parent.name, read_case_file(p)) for p in sorted(examples_dir().glob("*/*.yaml"))]
    shifts = [_valid_shifts(event, base) for event, base in examples]
    every = round(1 / invalid) if invalid > 0 else 0
    broken = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            event, base = examples[i % len(examples)]
            choices = shifts[i % len(examples)]
            data = shift_dates(copy.deepcopy(base), choices[(i // len(examples)) % len(choices)])
            data["case_ref"] = f"{base['case_ref']}-{i:05d}"[:64]
            data["citizen"]["name"] = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // 7) % len(LAST_NAMES)]}"
            rid = f"b{i:06d}"
            if every and i % every == every - 1:
                broken += 1
                kind = (i // every) % 4
                if kind == 0:
                    fh.write('{"id": "' + rid + '", "event": "' + event + '", "data": {\n')  # cut off
                    continue
                if kind == 1:
                    data["caseworker"].pop("phone")
                elif kind == 2:
                    data["letter_date"] = "2026-02-30"
                else:
                    event = "afslag"
            fh.write(json.dumps({"id": rid, "event": event, "data": data}, ensure_ascii=False) + "\n")
    return broken


# --- memory of a process tree, from /proc -----------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_python(pid: int) -> bool:
    try:
        return "python" in os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False


def cpu_seconds() -> float:
    """User + system CPU time of this process and its waited-for children."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class TreeMemory(threading.Thread):
    """Samples a process (this one by default) and its descendants every ``interval`` seconds."""

    def __init__(self, root: int | None = None, interval: float = 0.1):
        super().__init__(daemon=True)
        self.root = root or os.getpid()
        self.interval = interval
        self.peak_rss_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.processes = 0
        self._halt = threading.Event()

    def sample(self) -> None:
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += _children(pid)
        self.processes = max(self.processes, len(tree))
        self.peak_rss_kb = max(self.peak_rss_kb, sum(_status_kb(p, "VmRSS") for p in tree))
        for pid in [self.root, *_children(self.root)]:
            # This process and its workers; short-lived helpers (ldconfig and gcc, run by
            # ctypes.util.find_library in a worker) are in the sampled tree RSS only.
            if _is_python(pid):
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), _status_kb(pid, "VmHWM"))

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> dict:
        self._halt.set()
        self.join()
        self.sample()
        return {
            "peak_tree_rss_mb": round(self.peak_rss_kb / 1024, 1),
            "sum_of_peaks_mb": round(sum(self.hwm_kb.values()) / 1024, 1),
            "processes": self.processes,
        }


# --- the two ways of making letters (each runs in a child process) ----------------------------


def child_naive(source: Path, out: Path) -> dict:
    import io

    import docx
    import weasyprint

    from brevgen import CaseDataError, build_letter
    from brevgen.errors import BrevgenError
    from brevgen.render.html import render_html

    memory = TreeMemory()
    memory.start()
    out.mkdir(parents=True, exist_ok=True)
    letters = failed = 0
    cpu = cpu_seconds()
    started = time.perf_counter()
    with source.open(encoding="utf-8") as fh:
        for raw in fh:
            try:
                rec = json.loads(raw)
                letter = build_letter(rec["event"], rec["data"])
            except (ValueError, CaseDataError, BrevgenError):
                failed += 1
                continue
            html = render_html(letter)
            pdf = weasyprint.HTML(string=html).write_pdf()
            document = docx.Document()
            document.add_heading(letter.meta.subject, 1)
            for line in (*letter.head_lines(), *letter.body_lines()):
                document.add_paragraph(line)
            buffer = io.BytesIO()
            document.save(buffer)
            stem = out / rec["id"]
            stem.with_suffix(".pdf").write_bytes(pdf)
            stem.with_suffix(".docx").write_bytes(buffer.getvalue())
            stem.with_suffix(".html").write_text(html, encoding="utf-8")
            letters += 1
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    return {"letters": letters, "failed": failed, "seconds": seconds, "cpu_s": cpu, **memory.stop()}


def child_batch(source: Path, out: Path, workers: int | None) -> dict:
    from brevgen import run_batch

    memory = TreeMemory()
    memory.start()
    cpu = cpu_seconds()
    started = time.perf_counter()
    result = run_batch(source, out, workers=workers)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu  # the workers are waited for when the batch ends, so they count
    return {"letters": result.written, "failed": result.failed, "seconds": seconds, "cpu_s": cpu, **memory.stop()}


def run_child(mode: str, source: Path, out: Path, workers: int | None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--input", str(source), "--out", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"{mode} failed:\n{done.stderr}")
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    stats["letters_per_s"] = stats["letters"] / stats["seconds"]
    stats["cpu_ms_per_letter"] = 1000 * stats["cpu_s"] / stats["letters"]
    return stats


# --- checks for the scale target --------------------------------------------------------------


def check_output(out: Path, expected_letters: int, expected_errors: int) -> list[str]:
    """The folder holds exactly the manifest's files, each with its recorded SHA-256."""
    problems = []
    entries = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    if len(entries) != expected_letters:
        problems.append(f"manifest has {len(entries)} letters, expected {expected_letters}")
    if len(errors) != expected_errors:
        problems.append(f"errors.jsonl has {len(errors)} lines, expected {expected_errors}")
    if len({e["id"] for e in entries}) != len(entries):
        problems.append("an id appears twice in the manifest")
    listed = {"manifest.jsonl", "errors.jsonl"}
    for entry in entries:
        for f in entry["files"]:
            listed.add(f["file"])
            data = (out / f["file"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != f["sha256"]:
                problems.append(f"{f['file']}: SHA-256 differs from the manifest")
    extra = set(os.listdir(out)) - listed
    if extra:
        problems.append(f"{len(extra)} files not in the manifest, e.g. {sorted(extra)[:3]}")
    return problems


def kill_resume(source: Path, out: Path, at: float, valid: int, broken: int, workers: int | None, reference: Path | None, sample: int) -> dict:
    """Start the real command, kill -9 it when ``at`` of the letters are in the manifest, run
    it again, and check the folder: counts, hashes, input order, and (with ``reference``) byte
    equality with an uninterrupted run's folder; ``sample`` letters are also made again in
    this process and must have the SHA-256 the manifest records."""
    import random

    cmd = [sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    manifest = out / "manifest.jsonl"
    # Killed workers cannot remove WeasyPrint's font folder; keep it in the benchmark's own
    # folder, which is deleted at the end.
    tmp = out.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp)}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    memory = TreeMemory(proc.pid)  # the command and its workers, not this process
    memory.start()
    while proc.poll() is None:
        if manifest.exists() and manifest.read_bytes().count(b"\n") >= int(valid * at):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.2)
    proc.wait()
    first_s = time.perf_counter() - started
    first_memory = memory.stop()
    killed_with = manifest.read_bytes().count(b"\n")
    leftovers = [name for name in os.listdir(out) if name.endswith(".tmp")]

    started = time.perf_counter()
    rerun = subprocess.Popen([*cmd, "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    memory = TreeMemory(rerun.pid)
    memory.start()
    stdout, _ = rerun.communicate()
    second_s = time.perf_counter() - started
    second_memory = memory.stop()
    summary = json.loads(stdout)

    entries = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    ids = [e["id"] for e in entries]
    report = {
        "killed_after_letters": killed_with,
        "temp_files_left_by_the_kill": len(leftovers),
        "first_run_s": round(first_s, 1),
        "rerun_s": round(second_s, 1),
        "letters_per_s_over_both": round(valid / (first_s + second_s), 2),
        "first_run_memory": first_memory,
        "rerun_memory": second_memory,
        "rerun_exit_code": rerun.returncode,
        "rerun_summary": {k: summary[k] for k in ("records", "letters", "written", "already_done", "failed")},
        "manifest_in_input_order": ids == sorted(ids),
        "check": check_output(out, valid, broken) or "ok",
    }
    if reference:
        report["manifest_identical_to_reference"] = manifest.read_bytes() == (reference / "manifest.jsonl").read_bytes()
        report["errors_identical_to_reference"] = (out / "errors.jsonl").read_bytes() == (reference / "errors.jsonl").read_bytes()
        report["same_file_names_as_reference"] = sorted(os.listdir(out)) == sorted(os.listdir(reference))
    if sample:
        from brevgen import build_letter, render_letter

        by_id = {e["id"]: e for e in entries}
        chosen = random.Random(6).sample(sorted(by_id), min(sample, len(by_id)))
        wanted, records = set(chosen), {}
        with source.open(encoding="utf-8") as fh:
            for raw in fh:
                rid = raw[:40].split('"id": "', 1)[1].split('"', 1)[0]
                if rid in wanted:
                    records[rid] = raw
        same = 0
        for rid in chosen:
            rec = json.loads(records[rid])
            files = render_letter(build_letter(rec["event"], rec["data"]))
            same += all(hashlib.sha256(files[f["format"]]).hexdigest() == f["sha256"] for f in by_id[rid]["files"])
        report["sampled_letters_identical_to_a_fresh_render"] = f"{same}/{len(chosen)}"
    return report


def steps(rounds: int = 3) -> None:
    """CPU time per step for one letter, in this process, warm: where a letter's cost goes."""
    import io

    import docx
    import weasyprint

    from brevgen import build_letter
    from brevgen.paths import examples_dir
    from brevgen.render.docx import render_docx
    from brevgen.render.html import render_html
    from brevgen.render.pdf import render_pdf
    from brevgen.casefile import read_case_file

    cases = [(p.parent.name, read_case_file(p)) for p in sorted(examples_dir().glob("*/*.yaml"))]
    letters = [build_letter(e, d) for e, d in cases]

    def naive_docx(letter) -> None:
        document = docx.Document()
        document.add_heading(letter.meta.subject, 1)
        for line in (*letter.head_lines(), *letter.body_lines()):
            document.add_paragraph(line)
        document.save(io.BytesIO())

    table = {
        "build_letter (validate + compose)": lambda i: build_letter(*cases[i]),
        "render_html": lambda i: render_html(letters[i]),
        "brevgen render_pdf (cached CSS + fonts, PDF/UA)": lambda i: render_pdf(letters[i]),
        "brevgen render_docx": lambda i: render_docx(letters[i]),
        "naive HTML(string=html).write_pdf()": lambda i: weasyprint.HTML(string=render_html(letters[i])).write_pdf(),
        "naive python-docx Document()": lambda i: naive_docx(letters[i]),
    }
    for step in table.values():
        step(0)
    results: dict[str, list[float]] = {name: [] for name in table}
    for _ in range(rounds):
        for name, step in table.items():
            cpu = time.process_time()
            for i in range(len(letters)):
                step(i)
            results[name].append(1000 * (time.process_time() - cpu) / len(letters))
    print(f"CPU-ms per letter, median of {rounds} rounds over the {len(letters)} examples:")
    for name, values in results.items():
        print(f"  {name:48} {statistics.median(values):6.1f}")


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="naive,batch")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--invalid", type=float, default=0.01, help="share of broken records (default 1 %%)")
    parser.add_argument("--check", action="store_true", help="verify counts, manifest and hashes after each batch run")
    parser.add_argument("--keep", type=Path, default=None, help="keep the last batch output here (for --kill-resume)")
    parser.add_argument("--kill-resume", action="store_true", help="kill -9 the real command halfway, re-run it, check the folder")
    parser.add_argument("--reference", type=Path, default=None, help="with --kill-resume: an uninterrupted run's folder (from --keep) to compare bytes with")
    parser.add_argument("--sample", type=int, default=50, help="with --kill-resume: letters made again in-process and compared (default 50)")
    parser.add_argument("--steps", action="store_true", help="CPU time per pipeline step, brevgen and naive")
    parser.add_argument("--child", choices=["naive", "batch"], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.steps:
        steps()
        return
    if args.child:
        fn = child_naive if args.child == "naive" else (lambda s, o: child_batch(s, o, args.workers))
        print(json.dumps(fn(args.input, args.out)))
        return

    work = Path(tempfile.mkdtemp(prefix="brevgen-bench-"))
    try:
        source = work / "input.jsonl"
        broken = write_input(source, args.n, args.invalid)
        valid = args.n - broken
        print(f"input: {args.n} records ({broken} broken), {source.stat().st_size / 1e6:.1f} MB; cpus: {os.cpu_count()}")
        if args.kill_resume:
            report = kill_resume(source, work / "resumed", 0.5, valid, broken, args.workers, args.reference, args.sample)
            print(json.dumps(report, ensure_ascii=False, indent=2))
            return
        modes = [m.strip() for m in args.modes.split(",")]
        results: dict[str, list[dict]] = {m: [] for m in modes}
        for run in range(1, args.runs + 1):
            for mode in modes:  # interleaved, so load from other users hits both alike
                out = work / f"{mode}-{run}"
                stats = run_child(mode, source, out, args.workers)
                results[mode].append(stats)
                line = (
                    f"run {run} {mode:5}: {stats['letters']} letters in {stats['seconds']:.1f} s = "
                    f"{stats['letters_per_s']:.2f} letters/s, {stats['cpu_ms_per_letter']:.0f} CPU-ms/letter; peak tree RSS {stats['peak_tree_rss_mb']} MB "
                    f"(sum of per-process peaks {stats['sum_of_peaks_mb']} MB, {stats['processes']} processes)"
                )
                print(line, flush=True)
                if mode == "batch" and args.check:
                    problems = check_output(out, valid, broken)
                    print(f"        check: {'ok' if not problems else problems}", flush=True)
                if mode == "batch" and args.keep and run == args.runs:
                    shutil.rmtree(args.keep, ignore_errors=True)
                    shutil.move(str(out), args.keep)
                else:
                    shutil.rmtree(out, ignore_errors=True)

        def median(mode: str, key: str) -> float:
            return statistics.median(r[key] for r in results[mode])

        print(f"\nmedians of {args.runs} run(s), N = {args.n}:")
        for mode in modes:
            print(
                f"  {mode:5}: {median(mode, 'letters_per_s'):.2f} letters/s, {median(mode, 'cpu_ms_per_letter'):.0f} CPU-ms/letter, peak tree RSS {median(mode, 'peak_tree_rss_mb'):.0f} MB, "
                f"sum of per-process peaks {median(mode, 'sum_of_peaks_mb'):.0f} MB"
            )
        if "naive" in modes and "batch" in modes:
            ratios = [b["letters_per_s"] / n["letters_per_s"] for n, b in zip(results["naive"], results["batch"])]
            print(f"  batch / naive: {statistics.median(ratios):.2f}x (per run: {', '.join(f'{r:.2f}' for r in ratios)})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
