"""A new letter is one module, one template, examples, a required-content entry and its legal
references: the fixture in tests/fixtures/fourth_event/ adds "Vi har flyttet din samtale"
without touching any brevgen module (the steps are in docs/adding-an-event.md)."""

from __future__ import annotations

from brevgen.paths import examples_dir as _examples_dir

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brevgen.paths import PROJECT_ROOT, examples_dir, rules_dir, templates_dir

from extract import normalise, pdf_text

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fourth_event"


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict:
    """Copies of the shipped folders with the fixture's additions, and the environment naming them."""
    root = tmp_path_factory.mktemp("fjerde")
    templates = root / "templates"
    shutil.copytree(templates_dir(), templates)
    shutil.copy(FIXTURE / "templates" / "flyttet-samtale.md", templates)
    regimes = templates / "regimes.yml"
    text = regimes.read_text(encoding="utf-8")
    text = text.replace("    legal_refs:\n", "    legal_refs:\n" + (FIXTURE / "legal_refs.yml").read_text(encoding="utf-8"), 1)
    regimes.write_text(text, encoding="utf-8")
    rules = root / "rules"
    shutil.copytree(rules_dir(), rules)
    with (rules / "indhold.yml").open("a", encoding="utf-8") as fh:
        fh.write((FIXTURE / "indhold.yml").read_text(encoding="utf-8"))
    examples = root / "examples"
    shutil.copytree(examples_dir(), examples)
    shutil.copytree(FIXTURE / "examples" / "flyttet-samtale", examples / "flyttet-samtale")
    env = {
        **os.environ,
        "BREVGEN_EVENTS": str(FIXTURE / "flyttet_samtale.py"),
        "BREVGEN_TEMPLATES": str(templates),
        "BREVGEN_RULES": str(rules),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return {"root": root, "templates": templates, "rules": rules, "examples": examples, "env": env}


def brevgen(setup: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brevgen.cli", *args], capture_output=True, text=True, env=setup["env"], cwd=setup["root"]
    )


def test_the_new_event_is_listed_with_its_schema(setup):
    events = json.loads(brevgen(setup, "events", "--json").stdout)
    assert events[-1] == {"event": "flyttet-samtale", "title": "Vi har flyttet din samtale"}
    schema = json.loads(brevgen(setup, "schema", "flyttet-samtale").stdout)
    assert schema["properties"]["new_start"]["title"] == "Det nye tidspunkt"


def test_the_new_event_makes_a_letter_in_every_format(setup):
    case = setup["examples"] / "flyttet-samtale" / "fremmoede.yaml"
    out = setup["root"] / "ud"
    done = brevgen(setup, "render", "flyttet-samtale", str(case), "--format", "pdf,docx,html,ics", "--out", str(out))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"flyttet-samtale_JC-2026-0412_2026-03-02.{s}" for s in ("docx", "html", "ics", "pdf")]
    text = normalise(pdf_text((out / names[3]).read_bytes()))
    assert "Din samtale er flyttet til mandag den 23. marts 2026" in text
    assert "Din samtale var mandag den 16. marts 2026 kl. 10.00. Vi har flyttet den, fordi din sagsbehandler er på kursus den dag." in text
    assert "Kan du ikke komme? Ring til Mette Kjær senest fredag den 20. marts 2026 kl. 12.00." in text
    assert "Bekendtgørelse om en aktiv beskæftigelsesindsats § 46 (indkaldelse til samtale)" in text
    ics = (out / names[2]).read_text(encoding="utf-8")
    assert "DTSTART;TZID=Europe/Copenhagen:20260323T100000" in ics


def test_the_new_events_rules_and_required_content_are_checked(setup):
    bad = setup["root"] / "forkert.yaml"
    case = (setup["examples"] / "flyttet-samtale" / "fremmoede.yaml").read_text(encoding="utf-8")
    bad.write_text(case.replace("new_start: 2026-03-23T10:00", "new_start: 2026-03-22T10:00"), encoding="utf-8")
    done = brevgen(setup, "render", "flyttet-samtale", str(bad), "--out", str(setup["root"] / "ingen"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"fejl: {bad}: new_start (Det nye tidspunkt): ligger på en søndag. Vælg en hverdag"
    assert not (setup["root"] / "ingen").exists()
    lint = brevgen(setup, "lint", str(setup["templates"]), "--examples", str(setup["examples"]), "--format", "json", "--min-level", "error")
    report = json.loads(lint.stdout)
    assert lint.returncode == 0, lint.stdout
    letters = {d["name"] for d in report["documents"]}
    shipped = sum(1 for p in _examples_dir().glob("*/*.yaml"))
    assert "flyttet-samtale/fremmoede" in letters and len(letters) == shipped + 1


def test_without_the_fixture_the_event_does_not_exist(setup):
    env = {k: v for k, v in setup["env"].items() if k != "BREVGEN_EVENTS"}
    done = subprocess.run([sys.executable, "-m", "brevgen.cli", "schema", "flyttet-samtale"], capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert "ukendt brevtype 'flyttet-samtale'. Vælg en af: indkaldelse, tilbud, sygedagpenge" in done.stderr
