"""Batch runs with real rendering: errors.jsonl, manifest, resume after a kill, folder input.

Small inputs (the 16 examples plus a few bad records), so the whole file stays in the tens
of letters. Runs go through the real command in a child process where exit codes or
signals matter, and through the Python API otherwise.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES
from extract import normalise, pdf_text
from pdf_checks import assert_standalone_pdf_ua

from brevgen import build_letter, render_letter, run_batch
from brevgen.casefile import read_case_file

def _sixteen_varied(paths):
    """16 examples taken in turn from each event, so the batch tests stay small and varied."""
    by_event: dict[str, list] = {}
    for p in paths:
        by_event.setdefault(p.parent.name, []).append(p)
    queues = list(by_event.values())
    picked = []
    while len(picked) < 16 and any(queues):
        for q in queues:
            if q and len(picked) < 16:
                picked.append(q.pop(0))
    return picked


EXAMPLE_DATA = [(p.parent.name, read_case_file(p)) for p in _sixteen_varied(EXAMPLES)]


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brevgen.cli", *args], capture_output=True, text=True, **kwargs)


def record(i: int, event: str, data: dict) -> str:
    return json.dumps({"id": f"brev-{i:03d}", "event": event, "data": data}, ensure_ascii=False)


def good_lines() -> list[str]:
    return [record(i, event, data) for i, (event, data) in enumerate(EXAMPLE_DATA, start=1)]


def bad_lines() -> list[str]:
    """Bad records of every kind, with the line each gets when appended after the 16 good ones."""
    summons = next(data for event, data in EXAMPLE_DATA if event == "indkaldelse")
    no_phone = copy.deepcopy(summons)
    del no_phone["caseworker"]["phone"]
    bad_date = copy.deepcopy(summons)
    bad_date["letter_date"] = "2026-02-30"
    return [
        '{"id": "brev-900", "event": "indkaldelse", "data": {',  # line 17: cut off
        record(901, "indkaldelse", no_phone),  # line 18
        json.dumps({"id": "brev-902", "event": "afslag", "data": summons}, ensure_ascii=False),  # line 19
        record(1, "indkaldelse", summons),  # line 20: id brev-001 again
        json.dumps({"id": "010190-1234", "event": "indkaldelse", "data": summons}, ensure_ascii=False),  # line 21
        record(905, "indkaldelse", bad_date),  # line 22
    ]


EXPECTED_ERRORS = [
    {
        "line": 17,
        "id": None,
        "event": None,
        "code": "invalid-json",
        "problems": [{"field": None, "label": None, "message": "linjen er ikke gyldig JSON (fejl ved tegn 53)"}],
        "message": "linjen er ikke gyldig JSON (fejl ved tegn 53)",
    },
    {
        "line": 18,
        "id": "brev-901",
        "event": "indkaldelse",
        "code": "invalid-case-data",
        "problems": [{"field": "caseworker.phone", "label": "Sagsbehandlerens direkte telefonnummer", "message": "skal udfyldes"}],
        "message": "caseworker.phone (Sagsbehandlerens direkte telefonnummer): skal udfyldes",
    },
    {
        "line": 19,
        "id": "brev-902",
        "event": "afslag",
        "code": "invalid-record",
        "problems": [{"field": "event", "label": "Brevtype", "message": "'afslag' kendes ikke. Vælg en af: indkaldelse, tilbud, sygedagpenge"}],
        "message": "event (Brevtype): 'afslag' kendes ikke. Vælg en af: indkaldelse, tilbud, sygedagpenge",
    },
    {
        "line": 20,
        "id": "brev-001",
        "event": "indkaldelse",
        "code": "duplicate-id",
        "problems": [{"field": "id", "label": "Brevets id", "message": "'brev-001' er brugt før, i linje 1. Hvert brev skal have sit eget id"}],
        "message": "id (Brevets id): 'brev-001' er brugt før, i linje 1. Hvert brev skal have sit eget id",
    },
    {
        "line": 21,
        "id": None,  # never echoed: it looks like a CPR number
        "event": "indkaldelse",
        "code": "invalid-record",
        "problems": [
            {
                "field": "id",
                "label": "Brevets id",
                "message": "ligner et CPR-nummer. Brug et id fra sagssystemet, ikke borgerens CPR-nummer",
            }
        ],
        "message": "id (Brevets id): ligner et CPR-nummer. Brug et id fra sagssystemet, ikke borgerens CPR-nummer",
    },
    {
        "line": 22,
        "id": "brev-905",
        "event": "indkaldelse",
        "code": "invalid-case-data",
        "problems": [
            {
                "field": "letter_date",
                "label": "Brevets dato",
                "message": "er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02",
            }
        ],
        "message": "letter_date (Brevets dato): er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02",
    },
]


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def state(out: Path) -> dict[str, bytes]:
    """Every file in the output folder with its bytes (hidden files included)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted run of 16 good and 6 bad records through the real command."""
    root = tmp_path_factory.mktemp("batch")
    source = jsonl(root / "breve.jsonl", good_lines() + bad_lines())
    out, tmp = root / "out", root / "tmp"
    tmp.mkdir()
    result = cli("batch", str(source), "--out", str(out), "--workers", "2", env={**os.environ, "TMPDIR": str(tmp)})
    return source, out, result


@pytest.mark.slow
def test_workers_remove_their_temporary_font_folders(reference):
    """Each worker's WeasyPrint font folder (2 MB) is removed when the worker ends."""
    source, _out, result = reference
    assert list((source.parent / "tmp").iterdir()) == []
    assert "Exception ignored" not in result.stderr


def test_exit_code_1_and_summary_when_some_records_fail(reference):
    _source, out, result = reference
    assert result.returncode == 1, result.stderr
    assert "16 breve i 3 formater" in result.stdout
    assert "6 fejlede" in result.stdout
    assert "fejl: linje 18 (id brev-901): caseworker.phone (Sagsbehandlerens direkte telefonnummer): skal udfyldes" in result.stderr.splitlines()
    # Without a terminal, progress comes as plain lines.
    assert "brevgen: 22/22 breve (100 %), 6 fejl" in result.stderr


def test_errors_jsonl_names_line_id_field_and_danish_message(reference):
    _source, out, _result = reference
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == EXPECTED_ERRORS
    names = " ".join(os.listdir(out))
    for bad_id in ("brev-900", "brev-901", "brev-902", "brev-905", "010190"):
        assert bad_id not in names


def test_manifest_lists_every_letter_with_matching_files_and_hashes(reference):
    _source, out, _result = reference
    entries = manifest(out)
    assert [e["id"] for e in entries] == [f"brev-{i:03d}" for i in range(1, 17)]
    assert [e["line"] for e in entries] == list(range(1, 17))
    listed = set()
    for entry, (event, data) in zip(entries, EXAMPLE_DATA):
        assert entry["event"] == event
        assert entry["case_ref"] == data["case_ref"]
        assert [f["format"] for f in entry["files"]] == ["pdf", "docx", "html"]
        for f in entry["files"]:
            content = (out / f["file"]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == f["sha256"]
            assert len(content) == f["bytes"]
            assert f["file"] == f"{event}_{data['case_ref']}_{data['letter_date']}_{entry['id']}.{f['format']}"
            listed.add(f["file"])
    # Nothing else in the folder: no temporary files, no lock left behind.
    assert set(os.listdir(out)) == listed | {"manifest.jsonl", "errors.jsonl"}


@pytest.mark.slow  # a batch checked page by page for PDF/UA
def test_batch_letters_are_standalone_pdf_ua_and_the_same_as_a_single_render(reference):
    """Every batch PDF is its own tagged PDF/UA letter (own page numbers, fonts, metadata)
    with the text of a single ``brevgen render``; every format is byte for byte the same."""
    _source, out, _result = reference
    entries = manifest(out)
    assert len(entries) == len(EXAMPLE_DATA)
    for (event, data), entry in zip(EXAMPLE_DATA, entries):
        files = {f["format"]: (out / f["file"]).read_bytes() for f in entry["files"]}
        letter = build_letter(event, data)
        single = render_letter(letter, ["pdf", "docx", "html"])
        assert_standalone_pdf_ua(files["pdf"], letter)
        batch_text = normalise(pdf_text(files["pdf"]))
        assert batch_text == normalise(pdf_text(single["pdf"]))
        assert letter.meta.subject.replace("\xa0", " ") in batch_text
        assert data["caseworker"]["name"] in batch_text
        assert files == single


def test_rerun_after_a_finished_run_makes_nothing_and_changes_nothing(reference, tmp_path):
    source, out, _result = reference
    copy_out = tmp_path / "out"
    shutil.copytree(out, copy_out)
    before = state(copy_out)
    result = cli("batch", str(source), "--out", str(copy_out), "--json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert (summary["letters"], summary["written"], summary["already_done"], summary["failed"]) == (16, 0, 16, 6)
    assert state(copy_out) == before


def test_resume_repairs_a_torn_manifest_line_a_missing_file_and_temp_files(reference, tmp_path):
    source, out, _result = reference
    damaged = tmp_path / "out"
    shutil.copytree(out, damaged)
    entries = manifest(damaged)
    (damaged / entries[4]["files"][1]["file"]).unlink()  # a docx someone deleted
    with (damaged / "manifest.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "brev-017", "files": [{"form')  # what a kill during a write could leave
    (damaged / f".{entries[5]['files'][0]['file']}.abcd1234.tmp").write_bytes(b"%PDF-1.7 half")

    result = run_batch(source, damaged, workers=1)

    assert (result.written, result.already_done, result.failed) == (1, 15, 6)
    repaired, whole = state(damaged), state(out)
    # The letter made again is appended last; otherwise the folder is as after a whole run.
    assert sorted(repaired.pop("manifest.jsonl").splitlines()) == sorted(whole.pop("manifest.jsonl").splitlines())
    assert repaired == whole


@pytest.mark.slow
def test_fresh_workers_midway_give_the_same_folder(reference, tmp_path):
    """Workers replaced every 5 letters (every 2,000 by default): same files, same order."""
    source, out, _result = reference
    target = tmp_path / "out"
    result = run_batch(source, target, workers=2, recycle_after=5)
    assert (result.written, result.failed) == (16, 6)
    assert state(target) == state(out)


def _wait_for_manifest_lines(out: Path, count: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = out / "manifest.jsonl"
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        assert proc.poll() is None, "the batch finished before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("the batch made no letters in time")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_interrupted_run_resumes_to_the_same_state_as_an_uninterrupted_one(reference, tmp_path, how):
    source, out, _result = reference
    target = tmp_path / "out"
    # One worker keeps few letters in flight, so Ctrl-C stops with most of the 16 still to make.
    workers = "2" if how == "kill -9" else "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(target), "--workers", workers],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
        # Killed workers cannot remove WeasyPrint's font folder: keep it out of /tmp.
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    _wait_for_manifest_lines(target, 3, proc)
    if how == "kill -9":
        proc.kill()
        proc.communicate()
    else:
        os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        _stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 130
        assert "afbrudt: kør samme kommando igen for at lave de breve, der mangler." in stderr
    interrupted = manifest(target)
    assert 3 <= len(interrupted) < 16

    result = cli("batch", str(source), "--out", str(target), "--json")

    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["letters"] == 16 and summary["failed"] == 6
    assert summary["already_done"] >= len(interrupted) - 1  # a torn last line is made again
    assert state(target) == state(out)


def test_folder_input_takes_event_from_the_folder_or_the_file(tmp_path):
    cases = tmp_path / "sager"
    summons, offer = EXAMPLES[0], next(p for p in EXAMPLES if p.parent.name == "tilbud")
    (cases / "indkaldelse").mkdir(parents=True)
    shutil.copy(summons, cases / "indkaldelse" / "første sag.yaml")
    data = read_case_file(offer)
    (cases / "blandet").mkdir()
    (cases / "blandet" / "tilbud-7.json").write_text(
        json.dumps({"event": "tilbud", "id": "tilbud-7", **data}, ensure_ascii=False), encoding="utf-8"
    )
    out = tmp_path / "out"

    result = cli("batch", str(cases), "--out", str(out))

    assert result.returncode == 0, result.stderr
    entries = manifest(out)
    assert [(e["source_file"], e["id"], e["event"]) for e in entries] == [
        ("blandet/tilbud-7.json", "tilbud-7", "tilbud"),
        ("indkaldelse/første sag.yaml", "indkaldelse-foerste-sag", "indkaldelse"),
    ]
    pdf = next(f["file"] for f in entries[0]["files"] if f["format"] == "pdf")
    assert normalise(build_letter("tilbud", data).meta.subject) in normalise(pdf_text((out / pdf).read_bytes()))
    assert (out / "errors.jsonl").read_text() == ""


def test_folder_input_without_a_known_event_is_an_error_not_a_stop(tmp_path):
    cases = tmp_path / "sager"
    (cases / "diverse").mkdir(parents=True)
    shutil.copy(EXAMPLES[0], cases / "diverse" / "sag.yaml")
    out = tmp_path / "out"

    result = run_batch(cases, out, formats="html")

    assert (result.written, result.failed) == (0, 1)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert errors == [
        {
            "source_file": "diverse/sag.yaml",
            "id": "diverse-sag",
            "event": "diverse",
            "code": "invalid-record",
            "problems": [
                {"field": "event", "label": "Brevtype", "message": "'diverse' kendes ikke. Vælg en af: indkaldelse, tilbud, sygedagpenge"}
            ],
            "message": "event (Brevtype): 'diverse' kendes ikke. Vælg en af: indkaldelse, tilbud, sygedagpenge",
        }
    ]


def test_usage_errors_exit_2_and_write_nothing(tmp_path):
    source = jsonl(tmp_path / "breve.jsonl", good_lines()[:1])
    out = tmp_path / "out"
    result = cli("batch", str(source), "--out", str(out), "--format", "pdf,odt")
    assert result.returncode == 2
    assert result.stderr.strip() == "fejl: ukendt format: odt. Vælg blandt: pdf, docx, html, memo, ics"
    assert not out.exists()
    result = cli("batch", str(tmp_path / "findes-ikke.jsonl"), "--out", str(out))
    assert result.returncode == 2
    assert not out.exists()


def test_only_the_chosen_formats_and_a_later_run_adds_the_rest(tmp_path):
    source = jsonl(tmp_path / "breve.jsonl", good_lines()[:2])
    out = tmp_path / "out"
    first = run_batch(source, out, formats="html", workers=1)
    assert (first.written, first.failed) == (2, 0)
    assert sorted(p.suffix for p in out.glob("brev*")) == [] and sorted(p.suffix for p in out.glob("*_brev-*")) == [".html", ".html"]

    second = run_batch(source, out, formats="html,docx", workers=1)

    assert (second.written, second.already_done) == (2, 0)
    entries = manifest(out)
    assert [(e["id"], [f["format"] for f in e["files"]]) for e in entries] == [("brev-001", ["html", "docx"]), ("brev-002", ["html", "docx"])]


def test_progress_bar_on_a_terminal(tmp_path):
    """With stderr on a terminal (a real pseudo-terminal), the bar shows count, rate and state."""
    import pty

    source = jsonl(tmp_path / "breve.jsonl", good_lines()[:2])
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(tmp_path / "out"), "--format", "html"],
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
        )
        stdout, _ = proc.communicate(timeout=120)
        os.close(follower)
        follower = -1
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            screen += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0
    text = screen.decode("utf-8")
    assert "Breve" in text and "2/2" in text and "færdig" in text
    assert "2 breve i 1 format i " in stdout


# --- hardening (issue 14) --------------------------------------------------------------------


def test_ids_with_a_newline_or_named_like_a_cpr_number_are_refused_and_never_echoed(tmp_path):
    summons = EXAMPLE_DATA[0][1]
    lines = [
        json.dumps({"id": "ok-3\n", "event": "indkaldelse", "data": summons}),  # "$" matched before the newline
        json.dumps({"id": "ok-4", "event": "241299\u20130013", "data": summons}),  # an event named like a CPR number
        json.dumps({"id": "ok-5", "event": "indkaldelse", "data": summons})[:-1] + ', "x": ' + "[" * 30 + "]" * 30 + "}",
    ]
    source = jsonl(tmp_path / "breve.jsonl", lines)
    out = tmp_path / "out"
    result = cli("batch", str(source), "--out", str(out), "--format", "html")
    assert result.returncode == 1
    assert not [p for p in out.iterdir() if "\n" in p.name or p.suffix == ".html"]
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["code"] for e in errors] == ["invalid-record", "invalid-record", "invalid-case-data"]
    assert errors[0]["id"] is None and errors[0]["message"].startswith("id (Brevets id): må kun have bogstaver")
    assert errors[1]["event"] is None and errors[1]["message"].startswith("event (Brevtype): '[CPR fjernet]' kendes ikke")
    assert errors[2]["message"] == "sagens data er indlejret for dybt: højst 12 niveauer af grupper og lister inden i hinanden"
    everything = (out / "errors.jsonl").read_text(encoding="utf-8") + result.stderr + result.stdout
    assert "241299" not in everything and "\u2013" not in everything


def test_a_line_over_the_size_limit_is_an_error_and_the_batch_goes_on(tmp_path):
    summons = EXAMPLE_DATA[0][1]
    huge = json.dumps({"id": "stor", "event": "indkaldelse", "data": {**summons, "x": "y" * 1_100_000}})
    source = jsonl(tmp_path / "breve.jsonl", [huge, record(1, "indkaldelse", summons)])
    result = run_batch(source, tmp_path / "out", formats="html", workers=1)
    assert (result.written, result.failed) == (1, 1)
    (error,) = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (error["line"], error["message"]) == (1, "linjen er for lang: højst 1.000.000 tegn")


def test_a_case_file_named_like_a_cpr_number_is_not_echoed(tmp_path):
    cases = tmp_path / "sager" / "indkaldelse"
    cases.mkdir(parents=True)
    data = dict(EXAMPLE_DATA[0][1])
    data["id"] = "sag-1"
    data["letter_date"] = "2026-02-30"
    (cases / "241299-0013.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("batch", str(tmp_path / "sager"), "--out", str(out))
    assert result.returncode == 1
    errors = (out / "errors.jsonl").read_text(encoding="utf-8")
    assert "indkaldelse/[CPR fjernet].yaml" in errors
    assert "241299" not in errors + result.stderr + result.stdout


def test_memo_and_ics_in_a_batch_with_the_same_checks_as_render(tmp_path):
    """MeMo and .ics are made per record from its case; a record that cannot have one is an
    error naming what it lacks, exactly as ``brevgen render`` says it, and the rest go on."""
    from delivery_data import load, with_delivery_ids

    from brevgen import generate_letter
    from brevgen.errors import BrevgenError

    summons = with_delivery_ids(load("indkaldelse/dagpenge-fremmoede"))
    no_cpr = load("indkaldelse/dagpenge-telefon")
    no_cpr["citizen"].pop("cpr", None)
    offer = with_delivery_ids(load("tilbud/kursus-dagpenge"))
    lines = [
        json.dumps({"id": "ok", "event": "indkaldelse", "data": summons}, ensure_ascii=False),
        json.dumps({"id": "uden-cpr", "event": "indkaldelse", "data": no_cpr}, ensure_ascii=False),
        json.dumps({"id": "tilbud", "event": "tilbud", "data": offer}, ensure_ascii=False),
    ]
    out = tmp_path / "out"
    result = run_batch(jsonl(tmp_path / "breve.jsonl", lines), out, formats="memo,ics", workers=1)
    assert (result.written, result.failed) == (1, 2)
    (entry,) = manifest(out)
    expected = generate_letter("indkaldelse", summons, ["memo", "ics"])
    files = {f["format"]: (out / f["file"]).read_bytes() for f in entry["files"]}
    assert files == dict(expected.files)
    assert [f["file"] for f in entry["files"]] == [
        f"indkaldelse_{summons['case_ref']}_{summons['letter_date']}_ok.memo.xml",
        f"indkaldelse_{summons['case_ref']}_{summons['letter_date']}_ok.ics",
    ]
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    for error, (data, event) in zip(errors, [(no_cpr, "indkaldelse"), (offer, "tilbud")]):
        with pytest.raises(BrevgenError) as single:
            generate_letter(event, data, ["memo", "ics"])
        assert error["message"] in "; ".join(single.value.lines())
    assert errors[0]["problems"][0]["field"] == "citizen.cpr"
    assert errors[1]["code"] == "usage" and "ics" in errors[1]["message"]


def test_every_manifest_line_carries_the_letters_notes(reference):
    _source, out, _result = reference
    entries = manifest(out)
    for (event, data), entry in zip(EXAMPLE_DATA, entries):
        assert entry["notes"] == list(build_letter(event, data).meta.notes)
    assert any(entry["notes"] for entry in entries)  # some examples use unconfirmed legal values
