"""SHA-256 of everything brevgen makes, to prove a change left every output byte as it was.

    python benchmarks/output_hashes.py --out /tmp/before.json        # on the old code
    python benchmarks/output_hashes.py --out /tmp/after.json         # on the new code
    python benchmarks/output_hashes.py --compare /tmp/before.json /tmp/after.json

Hashed, for every example in examples/ and for ``--n`` varied records of the batch
benchmark (``batch.write_input``, 5 % broken on purpose):

- PDF with both engines (WeasyPrint and Typst), each in the three variants (PDF/UA-1,
  PDF/A-2a, PDF/A-3a); DOCX; HTML; MeMo and .ics where the letter can have them (else the
  Danish reason it cannot);
- the letter's notes (free-text warnings), and for a record that is stopped, the error's
  lines (validation, letter logic, free text);
- the lint report of the composed letter (``lint_case``) as text, JSON and SARIF, and the
  Python API's ``lint`` report (``letter_report``);
- the template lint (``lint_paths`` on templates/da with every example) as text, JSON and
  SARIF, and the lint of a made PDF, DOCX and HTML file of each event.

Nothing here is timed. Exit code 1 from ``--compare`` if any hash differs or is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # benchmarks/queue.py is no stdlib queue
sys.path.insert(0, str(ROOT))
sys.path.append(str(HERE))


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def letter_outputs(key: str, event: str, data: dict, out: dict[str, str], casefile: Path | None) -> None:
    from brevgen.errors import BrevgenError
    from brevgen.lint import letter_report, lint_case, load_rules  # noqa: F401
    from brevgen.lint.report import render_json, render_sarif, render_text
    from brevgen.pipeline import build_case_letter, render_letter

    try:
        case, letter = build_case_letter(event, data, record=key)
    except BrevgenError as exc:
        out[f"{key}/error"] = sha("\n".join(exc.lines()))
        return
    out[f"{key}/notes"] = sha("\n".join(letter.meta.notes))
    for engine in ("weasyprint", "typst"):
        for variant in ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a"):
            made = render_letter(letter, ("pdf",), case=case, pdf_variant=variant, pdf_engine=engine)
            out[f"{key}/pdf/{engine}/{variant}"] = sha(made["pdf"])
    made = render_letter(letter, ("docx", "html"), case=case)
    out[f"{key}/docx"] = sha(made["docx"])
    out[f"{key}/html"] = sha(made["html"])
    for name in ("memo", "ics"):
        try:
            out[f"{key}/{name}"] = sha(render_letter(letter, (name,), case=case)[name])
        except BrevgenError as exc:
            out[f"{key}/{name}"] = "cannot: " + sha("\n".join(exc.lines()))
    out[f"{key}/letter_report"] = sha(json.dumps(letter_report(letter), sort_keys=True, ensure_ascii=False))
    if casefile is not None:
        from brevgen.lint import default_rules

        report = lint_case(event, casefile, default_rules())
        for fmt, render in (("text", render_text), ("json", render_json), ("sarif", render_sarif)):
            out[f"{key}/lint_case/{fmt}"] = sha(render(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--n", type=int, default=60, help="varied records (batch.write_input) besides the examples")
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args()

    if args.compare:
        a, b = (json.loads(p.read_text()) for p in args.compare)
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        for k in differ:
            print(f"DIFFERS {k}: {a.get(k)} -> {b.get(k)}")
        print(f"{len(a)} / {len(b)} hashes, {len(differ)} differ")
        sys.exit(1 if differ else 0)

    from batch import write_input

    from brevgen.casefile import read_case_file
    from brevgen.lint import default_rules, lint_paths
    from brevgen.lint.report import render_json, render_sarif, render_text
    from brevgen.paths import examples_dir, templates_dir

    out: dict[str, str] = {}
    for path in sorted(examples_dir().glob("*/*.yaml")):
        event = path.parent.name
        letter_outputs(f"example/{event}/{path.stem}", event, read_case_file(path), out, path)
    with tempfile.TemporaryDirectory(prefix="brevgen-hashes-") as tmp:
        tmp = Path(tmp)
        records = tmp / "records.jsonl"
        write_input(records, args.n, 0.05)
        for line in records.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            letter_outputs(f"record/{record['id']}", record["event"], record["data"], out, None)

        rules = default_rules()
        report = lint_paths([templates_dir()], rules)
        for fmt, render in (("text", render_text), ("json", render_json), ("sarif", render_sarif)):
            out[f"lint_templates/{fmt}"] = sha(render(report))

        from brevgen.pipeline import make_letter

        files = []
        for event in sorted(p.name for p in examples_dir().iterdir() if p.is_dir()):
            first = sorted((examples_dir() / event).glob("*.yaml"))[0]
            _, made = make_letter(event, read_case_file(first), formats=("pdf", "docx", "html"))
            for fmt, data in made.items():
                file = tmp / f"{event}.{fmt}"
                file.write_bytes(data)
                files.append(file)
        report = lint_paths(files, rules)
        for fmt, render in (("text", render_text), ("json", render_json), ("sarif", render_sarif)):
            out[f"lint_files/{fmt}"] = sha(render(report).replace(str(tmp), "TMP"))

    text = json.dumps(out, indent=1, sort_keys=True)
    if args.out:
        args.out.write_text(text + "\n")
    print(f"{len(out)} hashes", file=sys.stderr)


if __name__ == "__main__":
    main()
