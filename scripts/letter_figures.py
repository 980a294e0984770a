"""Pages, words, LIX and body font size of every example letter, per event (max over examples).

    python scripts/letter_figures.py                 # PDF figures, a table per example and per event
    python scripts/letter_figures.py --docx          # also the DOCX's pages (LibreOffice, slow)
    python scripts/letter_figures.py --json out.json

- pages: ``pdfinfo`` on the PDF (and LibreOffice's PDF of the DOCX with --docx);
- words: ``pdftotext`` of the whole PDF, split on white space (letterhead, address and
  "Regler" included: everything a citizen is handed);
- LIX: the lint's LIX of the letter (``brevgen lint --format json``: documents[].lix), and
  the words it is measured on (running text only);
- body pt: the most common font size of the PDF's characters (pdfplumber), i.e. the body text;
- chars/line: the 95th percentile of the body lines' length in characters.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_words(path: Path) -> int:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return len(text.split())


def body_metrics(path: Path) -> tuple[float, int]:
    import pdfplumber

    sizes: Counter = Counter()
    lines: list[int] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for ch in page.chars:
                sizes[round(ch["size"], 1)] += 1
        body = sizes.most_common(1)[0][0]
        for page in pdf.pages:
            for line in page.extract_text_lines(return_chars=True):
                chars = [c for c in line["chars"] if round(c["size"], 1) == body]
                if len(chars) >= 0.8 * len(line["chars"]):
                    lines.append(len(line["text"]))
    lines.sort()
    p95 = lines[int(0.95 * (len(lines) - 1))] if lines else 0
    return body, p95


def docx_pages(docx: Path, tmp: Path) -> int:
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx)],
        capture_output=True, check=True, timeout=180,
    )
    return pdf_pages(tmp / (docx.stem + ".pdf"))


def measure(with_docx: bool) -> list[dict]:
    from brevgen.casefile import CASE_SUFFIXES, read_case_file
    from brevgen.lint import letter_report
    from brevgen.paths import examples_dir
    from brevgen.pipeline import make_letter

    rows = []
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        for path in sorted(p for p in examples_dir().glob("*/*") if p.suffix in CASE_SUFFIXES):
            event = path.parent.name
            formats = ["pdf", "docx"] if with_docx else ["pdf"]
            letter, files = make_letter(event, read_case_file(path), formats)
            pdf = tmp / f"{event}-{path.stem}.pdf"
            pdf.write_bytes(files["pdf"])
            report = letter_report(letter)
            doc = report["documents"][0]
            size, p95 = body_metrics(pdf)
            row = {
                "event": event,
                "example": path.stem,
                "pages": pdf_pages(pdf),
                "words": pdf_words(pdf),
                "lix": doc["lix"],
                "lix_words": doc["words"],
                "body_pt": size,
                "chars_per_line_p95": p95,
                "lint_errors": report["summary"]["errors"],
            }
            if with_docx:
                docx = tmp / f"{event}-{path.stem}.docx"
                docx.write_bytes(files["docx"])
                row["docx_pages"] = docx_pages(docx, tmp)
            rows.append(row)
    return rows


def per_event(rows: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for event in sorted({r["event"] for r in rows}):
        mine = [r for r in rows if r["event"] == event]
        out[event] = {
            "examples": len(mine),
            "pages_max": max(r["pages"] for r in mine),
            "docx_pages_max": max((r.get("docx_pages", 0) for r in mine), default=0) or None,
            "words_min": min(r["words"] for r in mine),
            "words_max": max(r["words"] for r in mine),
            "words_median": int(statistics.median(r["words"] for r in mine)),
            "lix_min": min(r["lix"] for r in mine),
            "lix_max": max(r["lix"] for r in mine),
            "body_pt": sorted({r["body_pt"] for r in mine}),
            "chars_per_line_p95_max": max(r["chars_per_line_p95"] for r in mine),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docx", action="store_true", help="also count the DOCX's pages with LibreOffice")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    args = parser.parse_args()
    rows = measure(args.docx)
    events = per_event(rows)
    cols = ["event", "example", "pages", *(["docx_pages"] if args.docx else []), "words", "lix", "lix_words", "body_pt", "chars_per_line_p95", "lint_errors"]
    print("\t".join(cols))
    for r in rows:
        print("\t".join(str(r.get(c, "")) for c in cols))
    print()
    print("event\texamples\tpages max\tdocx pages max\twords (min-median-max)\tLIX (min-max)\tbody pt\tchars/line p95 max")
    for event, e in events.items():
        print(
            f"{event}\t{e['examples']}\t{e['pages_max']}\t{e['docx_pages_max'] or '-'}\t"
            f"{e['words_min']}-{e['words_median']}-{e['words_max']}\t{e['lix_min']}-{e['lix_max']}\t"
            f"{', '.join(str(s) for s in e['body_pt'])}\t{e['chars_per_line_p95_max']}"
        )
    if args.json:
        args.json.write_text(json.dumps({"examples": rows, "events": events}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
