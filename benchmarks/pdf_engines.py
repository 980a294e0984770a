"""PDF engines side by side: Typst, WeasyPrint (brevgen's renderer) and the naive loop.

    python benchmarks/pdf_engines.py                  # --n 60 --runs 3 --n2 240
    python benchmarks/pdf_engines.py --n 30 --runs 1 --n2 60   # quick look

One run measures, each mode in its own fresh child process (one worker, no pool):

- CPU-ms per letter for the PDF alone: the PDF step on a built Letter, and build_letter +
  PDF (what one PDF letter costs end to end);
- CPU-ms per letter for all three formats: build_letter, PDF, DOCX and HTML, three files
  written, as in ``benchmarks/batch.py``;

for ``typst`` (render_pdf_typst), ``weasyprint`` (render_pdf) and ``naive`` (per letter
``weasyprint.HTML(string=html).write_pdf()`` with defaults and a fresh python-docx
``Document()``, exactly the naive loop of ``benchmarks/batch.py``). Then letters per
second for all three formats with two worker processes (``forkserver``, each warmed up
first: Typst cannot run in a child forked after its first compilation), for each mode.

Input: N varied records from the examples (name, case reference and dates changed per
record, by ``batch.write_input``), so no two letters are the same and no engine can
answer from a cache. CPU is user + system time of the process (all its threads) and its
waited-for children. Each figure is the median of ``--runs`` runs, interleaved; ratios
are against the naive loop in the same run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# benchmarks/queue.py would shadow the standard library's queue (which ProcessPoolExecutor
# imports): this folder goes last on the path, only for `from batch import write_input`.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))
sys.path.append(str(HERE))

from concurrent.futures import ProcessPoolExecutor  # noqa: E402

MODES = ("typst", "weasyprint", "naive")


def cpu_seconds() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def read_records(source: Path) -> list[dict]:
    return [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- one letter in each mode ---------------------------------------------------------------


def pdf_of(mode: str, letter) -> bytes:
    if mode == "typst":
        from brevgen.render.pdf_typst import render_pdf_typst

        return render_pdf_typst(letter)
    if mode == "weasyprint":
        from brevgen.render.pdf import render_pdf

        return render_pdf(letter)
    import weasyprint

    from brevgen.render.html import render_html

    return weasyprint.HTML(string=render_html(letter)).write_pdf()


def three_formats(mode: str, record: dict, out: Path) -> None:
    """build_letter, PDF, DOCX, HTML; three files written."""
    from brevgen import build_letter
    from brevgen.render.html import render_html

    letter = build_letter(record["event"], record["data"])
    pdf = pdf_of(mode, letter)
    html = render_html(letter)
    if mode == "naive":
        import docx

        document = docx.Document()
        document.add_heading(letter.meta.subject, 1)
        for line in (*letter.head_lines(), *letter.body_lines()):
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        docx_bytes = buffer.getvalue()
    else:
        from brevgen.render.docx import render_docx

        docx_bytes = render_docx(letter)
    stem = out / record["id"]
    stem.with_suffix(".pdf").write_bytes(pdf)
    stem.with_suffix(".docx").write_bytes(docx_bytes)
    stem.with_suffix(".html").write_text(html, encoding="utf-8")


# --- one worker: a child process per mode ----------------------------------------------------


def child_single(mode: str, source: Path, out: Path) -> dict:
    from brevgen import build_letter

    records = read_records(source)
    out.mkdir(parents=True, exist_ok=True)
    for record in records[:2]:  # imports, stylesheets, fonts, compiler: not per letter
        three_formats(mode, record, out)

    letters = [build_letter(r["event"], r["data"]) for r in records]
    cpu = 0.0
    for letter in letters:
        started = time.process_time()
        pdf_of(mode, letter)
        cpu += time.process_time() - started
    pdf_step = cpu / len(letters)

    started = cpu_seconds()
    for record in records:
        pdf_of(mode, build_letter(record["event"], record["data"]))
    build_and_pdf = (cpu_seconds() - started) / len(records)

    started = cpu_seconds()
    for record in records:
        three_formats(mode, record, out)
    all_three = (cpu_seconds() - started) / len(records)

    rss_mb = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                rss_mb = int(line.split()[1]) / 1024
    return {"pdf_step_ms": 1000 * pdf_step, "build_pdf_ms": 1000 * build_and_pdf, "three_ms": 1000 * all_three, "peak_rss_mb": rss_mb}


# --- two workers ---------------------------------------------------------------------------

_worker_mode = ""
_worker_out = Path()


def _init_worker(mode: str, out: str) -> None:
    global _worker_mode, _worker_out
    _worker_mode, _worker_out = mode, Path(out)
    if mode == "typst":
        from brevgen.render.pdf_typst import warm_up

        warm_up()


def _work(chunk: list[dict]) -> tuple[int, float]:
    """Letters made and the CPU time they took in this worker (all its threads)."""
    started = time.process_time()
    for record in chunk:
        three_formats(_worker_mode, record, _worker_out)
    return len(chunk), time.process_time() - started


def child_pool(mode: str, source: Path, out: Path, workers: int) -> dict:
    import multiprocessing

    records = read_records(source)
    out.mkdir(parents=True, exist_ok=True)
    chunks = [records[i : i + 2] for i in range(0, len(records), 2)]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(mode, str(out))) as pool:
        # Start and warm the workers before the clock: each makes two letters first.
        list(pool.map(_work, [records[i : i + 1] for i in range(workers)]))
        started = time.perf_counter()
        done = list(pool.map(_work, chunks))
        seconds = time.perf_counter() - started
    # forkserver workers are not this process's children, so their CPU is counted in them
    made, cpu = sum(n for n, _ in done), sum(c for _, c in done)
    return {"letters": made, "letters_per_s": made / seconds, "cpu_ms": 1000 * cpu / made}


def run_child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60, help="letters per single-worker mode and run")
    parser.add_argument("--n2", type=int, default=240, help="letters per two-worker mode and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("single", "pool"))
    parser.add_argument("--mode", choices=MODES)
    parser.add_argument("--input", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.child == "single":
        print(json.dumps(child_single(args.mode, args.input, args.out)))
        return
    if args.child == "pool":
        print(json.dumps(child_pool(args.mode, args.input, args.out, 2)))
        return

    from batch import write_input  # the varied records of the batch benchmark

    import platform

    import typst
    import weasyprint

    print(f"pdf_engines: {os.cpu_count()} CPUs, Python {platform.python_version()}, Typst (PyPI typst {typst.__version__}), "
          f"WeasyPrint {weasyprint.__version__}; n = {args.n} (one worker), {args.n2} (two workers), runs = {args.runs}")
    single: dict[str, list[dict]] = {m: [] for m in MODES}
    pooled: dict[str, list[dict]] = {m: [] for m in MODES}
    with tempfile.TemporaryDirectory(prefix="brevgen-pdf-engines-") as tmp:
        tmp = Path(tmp)
        one, two = tmp / "one.jsonl", tmp / "two.jsonl"
        write_input(one, args.n, 0)
        write_input(two, args.n2, 0)
        for run in range(args.runs):
            for mode in MODES:
                single[mode].append(run_child(["--child", "single", "--mode", mode, "--input", str(one), "--out", str(tmp / f"s{run}{mode}")]))
                pooled[mode].append(run_child(["--child", "pool", "--mode", mode, "--input", str(two), "--out", str(tmp / f"p{run}{mode}")]))
                print(f"  run {run + 1}: {mode} done", file=sys.stderr)

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    naive = {k: med(single["naive"], k) for k in ("pdf_step_ms", "build_pdf_ms", "three_ms")}
    naive_rate = med(pooled["naive"], "letters_per_s")
    print()
    print("One worker, CPU-ms per letter (median of runs; ratio = naive / this)")
    print(f"{'mode':<12}{'PDF step':>12}{'build + PDF':>16}{'3 formats':>14}{'x naive (3)':>13}{'peak RSS':>11}")
    for mode in MODES:
        rows = single[mode]
        pdf_step, build_pdf, three = (med(rows, k) for k in ("pdf_step_ms", "build_pdf_ms", "three_ms"))
        print(f"{mode:<12}{pdf_step:>10.1f}  {build_pdf:>12.1f}  {three:>12.1f}  {naive['three_ms'] / three:>10.2f}x {med(rows, 'peak_rss_mb'):>8.0f} MB")
    print()
    print("Two workers (forkserver), all three formats")
    print(f"{'mode':<12}{'letters/s':>12}{'x naive':>10}{'CPU-ms/letter':>16}")
    for mode in MODES:
        rate = med(pooled[mode], "letters_per_s")
        print(f"{mode:<12}{rate:>12.1f}{rate / naive_rate:>9.2f}x{med(pooled[mode], 'cpu_ms'):>16.1f}")
    typst_three = med(single["typst"], "three_ms")
    print()
    print(f"target: three formats with Typst at <= 1/5 of the naive loop's CPU per letter: "
          f"{typst_three:.1f} ms vs {naive['three_ms']:.1f} ms = 1/{naive['three_ms'] / typst_three:.1f} "
          f"-> {'met' if typst_three * 5 <= naive['three_ms'] else 'NOT met'}")
    print(json.dumps({"single": single, "pooled": pooled}), file=sys.stderr)


if __name__ == "__main__":
    main()
