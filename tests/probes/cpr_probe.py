"""The CPR probe: one CPR number in many spellings, typed into every free-text field.

    python tests/probes/cpr_probe.py [--json] [--workers 2]

For every event, every free-text field that the examples fill (names, addresses, caseworker,
authority, venue, offer texts, links, e-mail) and every spelling below, the CPR number is put
into the field (after the field's own text; in links and e-mail addresses as part of them),
with the same number as the case's ``citizen.cpr`` (the realistic mistake: a caseworker pastes
the citizen's own number). The case then goes through the Python API for every format it can
have (pdf, docx, html, memo, ics), and every output is read with tests/leaks.py.

Each probe ends one of three ways:
- refused: a brevgen error in Danish (the field named) that does not echo the number;
- leaked: the letter was made and the number can be read in some output (or in the error);
- passed: the letter was made and the number is nowhere (a spelling the oracle and brevgen
  both see as no CPR number, or a field that is never printed);
- crashed: any other exception (a traceback).

Prints one line per probe outcome class and the fields x spellings table of leaks.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent.parent)]

CPR = "241299-0013"
D = "2412990013"

# name -> (spelling, fits in a link or an e-mail address)
SPELLINGS: dict[str, tuple[str, bool]] = {
    "hyphen": (f"{D[:6]}-{D[6:]}", True),
    "none": (D, True),
    "space": (f"{D[:6]} {D[6:]}", False),
    "nbsp": (f"{D[:6]}\u00a0{D[6:]}", False),
    "en-dash": (f"{D[:6]}\u2013{D[6:]}", True),
    "em-dash": (f"{D[:6]}\u2014{D[6:]}", True),
    "nb-hyphen": (f"{D[:6]}\u2011{D[6:]}", True),
    "minus": (f"{D[:6]}\u2212{D[6:]}", True),
    "dot": (f"{D[:6]}.{D[6:]}", True),
    "slash": (f"{D[:6]}/{D[6:]}", True),
    "spaced-hyphen": (f"{D[:6]} - {D[6:]}", False),
    "dotted-date": (f"{D[:2]}.{D[2:4]}.{D[4:6]}-{D[6:]}", True),
    "slashed-date": (f"{D[:2]}/{D[2:4]}/{D[4:6]} {D[6:]}", False),
    "in-text": (f"nr{D}x", True),
    "fullwidth": ("".join(chr(ord(c) + 0xFEE0) for c in D[:6]) + "\uff0d" + "".join(chr(ord(c) + 0xFEE0) for c in D[6:]), True),
    "zero-width": (f"{D[:6]}\u200b{D[6:]}", True),
}

# Fields whose value is not free text (checked by their own type) and are not probed.
NOT_FREE_TEXT = {
    "letter_date", "case_ref", "benefit", "mode", "start", "duration_minutes", "phone", "number", "postcode", "cvr",
    "cpr", "who_calls", "kind", "role", "reported_by", "expected_duration", "start_date", "end_date", "answer_by",
    "self_found_by", "book_by", "first_absence_day", "questionnaire_sent", "hours_per_week", "wage_per_hour", "opens",
    "closes", "booked", "step_free", "repeated_offer", "doctor_certificate", "contact_phone", "cancel_by",
}
LINKS = {"web", "join_url", "test_url", "url", "questionnaire_url"}
EMAILS = {"email"}


def string_paths(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from string_paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data[:1]):
            yield from string_paths(value, prefix + (i,))
    elif isinstance(data, str):
        yield prefix


def fields():
    """(event, example file, path) for every free-text field the examples fill, each once."""
    from conftest import EXAMPLES

    from brevgen.casefile import read_case_file

    seen = set()
    for path in EXAMPLES:
        event = path.parent.name
        data = read_case_file(path)
        for loc in string_paths(data):
            name = next(p for p in reversed(loc) if isinstance(p, str))
            key = (event, tuple("[]" if isinstance(p, int) else p for p in loc))
            if name in NOT_FREE_TEXT or key in seen:
                continue
            seen.add(key)
            yield event, path, loc


def put(data, loc, spelling, kind):
    target = data
    for part in loc[:-1]:
        target = target[part]
    old = target[loc[-1]]
    if kind == "link":
        target[loc[-1]] = old.rstrip("/") + "/" + spelling
    elif kind == "email":
        local, _, domain = old.partition("@")
        target[loc[-1]] = f"{local}.{spelling}@{domain}"
    else:
        target[loc[-1]] = f"{old} {spelling}"


def probe(job):
    event, path, loc, spelling_name = job
    from delivery_data import TEST_CVR
    from leaks import leaks, text_leaks

    import brevgen
    from brevgen.casefile import read_case_file

    spelling, in_links = SPELLINGS[spelling_name] if spelling_name else ("", True)
    name = next(p for p in reversed(loc) if isinstance(p, str))
    kind = "link" if name in LINKS else "email" if name in EMAILS else "text"
    field = ".".join(str(p) for p in loc)
    row = {"event": event, "field": field, "kind": kind, "spelling": spelling_name or "control"}
    if spelling_name and kind != "text" and not in_links:
        row["outcome"] = "n/a"
        return row
    data = copy.deepcopy(read_case_file(path))
    data["citizen"]["cpr"] = CPR
    data["sender"].setdefault("cvr", TEST_CVR)
    if spelling_name:
        put(data, loc, spelling, kind)
    try:
        possible = brevgen.available_formats(event, data)
        formats = [f for f, why in possible.items() if why is None]
        result = brevgen.generate_letter(event, data, formats)
    except brevgen.BrevgenError as exc:
        message = "\n".join(exc.lines())
        row["outcome"] = "leaked" if text_leaks(CPR, message) else "refused"
        row["where"] = ["error message"] if row["outcome"] == "leaked" else []
        row["message"] = message[:300]
        return row
    except Exception as exc:  # noqa: BLE001 - a crash is an outcome here
        row["outcome"] = "crashed"
        row["message"] = f"{type(exc).__name__}"
        return row
    names = {f"file name ({f})": result.filename(f) for f in result.files}
    found = leaks(CPR, dict(result.files), names)
    row["outcome"] = "leaked" if found else "passed"
    row["where"] = found
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every probe's outcome to this file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="only the first N probes (for a quick look)")
    args = parser.parse_args()

    targets = list(fields())
    jobs = [(e, p, loc, None) for e, p, loc in targets[:1]]  # control: no CPR typed anywhere
    jobs += [(e, p, loc, s) for e, p, loc in targets for s in SPELLINGS]
    if args.limit:
        jobs = jobs[: args.limit]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(probe, jobs, chunksize=4))
    control, rows = rows[0], rows[1:]
    counted = [r for r in rows if r["outcome"] != "n/a"]
    outcomes = Counter(r["outcome"] for r in counted)
    by_format = Counter(w for r in counted if r["outcome"] == "leaked" for w in r["where"])
    by_spelling = defaultdict(Counter)
    for r in counted:
        by_spelling[r["spelling"]][r["outcome"]] += 1
    n_fields = len({(r["event"], r["field"]) for r in counted})
    print(f"control probe (no CPR typed): {control['outcome']} {control.get('where', '')}")
    print(f"fields probed: {n_fields} (over {len({r['event'] for r in counted})} events); spellings: {len(SPELLINGS)}")
    print(f"probes: {len(counted)} (fields x spellings that fit the field)")
    for outcome in ("leaked", "refused", "passed", "crashed"):
        print(f"  {outcome:8} {outcomes.get(outcome, 0)}")
    print("leaks by output:", dict(by_format.most_common()))
    print("by spelling (leaked/refused/passed/crashed):")
    for s in SPELLINGS:
        c = by_spelling[s]
        print(f"  {s:14} {c['leaked']:4} {c['refused']:4} {c['passed']:4} {c['crashed']:4}")
    crashed = [r for r in counted if r["outcome"] == "crashed"]
    for r in crashed[:10]:
        print("  crash:", r["event"], r["field"], r["spelling"], r["message"])
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.exit(0 if outcomes.get("leaked", 0) == 0 and outcomes.get("crashed", 0) == 0 else 1)


if __name__ == "__main__":
    main()
