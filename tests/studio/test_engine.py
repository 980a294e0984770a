"""The studio's adapter into the core (brevgen/studio/engine.py), without a browser.

Every test works on a temporary copy of templates/da (the template_copy fixture).
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from .studio_helpers import line_of

from brevgen.paths import examples_dir
from brevgen.regime import parse_regimes
from brevgen.studio.engine import Draft, StudioError, Workspace, is_regime_text, regime_label, side_by_side

EVENTS = ("indkaldelse", "tilbud", "sygedagpenge")
OFFICIALESE = "Såfremt De ikke kan komme, bedes De rette henvendelse til os med henblik på en ny tid."


# --- variants and their names -------------------------------------------------------------------


@pytest.mark.parametrize("event", EVENTS)
def test_every_example_has_a_human_title_naming_what_varies(event):
    folder = examples_dir() / event
    titles = tomllib.loads((folder / "varianter.toml").read_text(encoding="utf-8"))
    stems = {p.stem for p in folder.glob("*.yaml")}
    assert set(titles) == stems, "varianter.toml must name every example, and only those"
    assert len(set(titles.values())) == len(titles), "two variants of one letter share a title"
    for title in titles.values():
        assert " · " in title or len(title.split()) <= 3
        assert not re.search(r"[A-Z]{2,}-\d{4}", title), "a variant is named by what varies, not by a case number"


def test_the_sidecar_is_not_read_as_a_case_by_demo_lint_or_batch():
    from brevgen.casefile import CASE_SUFFIXES  # what demo, lint and batch read from a folder

    for event in EVENTS:
        sidecar = examples_dir() / event / "varianter.toml"
        assert sidecar.is_file()
        assert sidecar.suffix not in (*CASE_SUFFIXES, ".yaml", ".yml", ".json")


def test_variants_have_titles_and_descriptions(workspace):
    variants = {v.key: v for v in workspace.variants("indkaldelse")}
    assert variants["kontanthjaelp-tolk"].title == "kontanthjælp · fremmøde · tolk"
    assert "tolk (arabisk)" in variants["kontanthjaelp-tolk"].description


# --- the static check on the shipped templates -------------------------------------------------------


@pytest.mark.parametrize("event", EVENTS)
def test_shipped_templates_pass_the_static_check(workspace, event):
    assert workspace.static_problems(event, Draft()) == []


def test_names_of_another_event_are_refused(workspace):
    source = workspace.read("indkaldelse.md").replace("Kom til samtalen til tiden.", "Kom til {{ case.offer.title }}.")
    problems = workspace.static_problems("indkaldelse", workspace.draft({"indkaldelse.md": source}))
    assert [p.line for p in problems] == [line_of(workspace.root / "indkaldelse.md", "Kom til samtalen til tiden.")]
    assert "Feltet 'case.offer' findes ikke" in problems[0].message


def test_a_partial_is_checked_against_every_event_that_uses_it(workspace):
    source = workspace.read("partials/kontakt.md") + "\n{{ case.meeting.start|dato }}\n"
    draft = workspace.draft({"partials/kontakt.md": source})
    assert workspace.static_problems("tilbud", draft)  # tilbud has no meeting
    assert workspace.files_of("tilbud", draft)[0] == "tilbud.md"
    assert "partials/kontakt.md" in workspace.files_of("tilbud", draft)


def test_the_subject_line_is_checked_at_its_line(workspace):
    source = workspace.read("tilbud.md").replace("{{ case.offer.title }}", "{{ case.offer.title|titel }}", 1)
    (problem,) = workspace.static_problems("tilbud", workspace.draft({"tilbud.md": source}))
    assert (problem.template, problem.line) == ("tilbud.md", 5)
    assert "Filteret 'titel' findes ikke" in problem.message


# --- preview from an overlay -----------------------------------------------------------------------


def test_preview_composes_from_the_draft_and_never_writes(workspace):
    path = workspace.root / "indkaldelse.md"
    before = path.read_bytes(), path.stat().st_mtime_ns
    source = workspace.read("indkaldelse.md").replace("Kom til samtalen til tiden.", "Kom i god tid.")
    out = workspace.preview("indkaldelse", "dagpenge-fremmoede", workspace.draft({"indkaldelse.md": source}))
    assert out["error"] is None
    assert "Kom i god tid." in out["html"]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_officialese_is_found_at_its_line_quoting_the_sentence_and_lix_rises(workspace):
    line = line_of(workspace.root / "indkaldelse.md", "Kom til samtalen til tiden.")
    saved = workspace.preview("indkaldelse", "kontanthjaelp-tolk", Draft())
    source = workspace.read("indkaldelse.md").replace("Kom til samtalen til tiden.", OFFICIALESE)
    out = workspace.preview("indkaldelse", "kontanthjaelp-tolk", workspace.draft({"indkaldelse.md": source}))
    found = {f["rule"]: f for f in out["findings"] if f["line"] == line}
    assert {"KS01", "KS02", "KS04a"} <= set(found)
    ks01 = found["KS01"]
    assert (ks01["file"], ks01["level"], ks01["kind"], ks01["level_da"]) == ("indkaldelse.md", "error", "Klart sprog", "Fejl")
    assert ks01["quote"] == OFFICIALESE
    assert ks01["new"] is True
    assert found["KS02"]["count"] == 2  # 'De' twice in one sentence is one finding, counted
    assert out["lix"]["value"] > saved["lix"]["value"]
    assert out["lix"]["band"] == "let"
    assert all(not f["new"] for f in out["findings"] if f["line"] != line)


def test_a_call_by_deadline_outside_phone_hours_is_a_logic_error_at_its_line(workspace):
    old = "Passer tiden ikke? Så ring til {{ ring_to }} på {{ ring_phone|tlf }} senest {{ derived.cancel_by|dato_kl }}. Så finder vi en ny tid."
    line = line_of(workspace.root / "indkaldelse.md", old)
    source = workspace.read("indkaldelse.md").replace(old, old.replace("|dato_kl }}", "|dato }} kl. 19.00"))
    out = workspace.preview("indkaldelse", "kontanthjaelp-tolk", workspace.draft({"indkaldelse.md": source}))
    (logic,) = [f for f in out["findings"] if f["rule"] == "LO01"]
    assert (logic["file"], logic["line"], logic["level"], logic["kind"]) == ("indkaldelse.md", line, "error", "Brevlogik")
    assert "kl. 19.00" in logic["message"] and "telefontiden er: Line Kjærsgaard (mandag til torsdag kl. 9.00 til 10.30)" in logic["message"]
    assert logic["quote"].startswith("Så ring til Line Kjærsgaard")


def test_no_shipped_variant_has_errors_or_misses_required_content(workspace):
    summaries = workspace.baseline().summaries
    assert len(summaries) == sum(len(workspace.variants(e)) for e in EVENTS)
    for key, summary in summaries.items():
        assert summary["ok"], key
        assert summary["errors"] == 0, key
        assert summary["required_ok"] == summary["required_total"], key


def test_a_forbidden_expression_is_refused_before_anything_is_rendered(workspace):
    source = workspace.read("indkaldelse.md").replace("Kom til samtalen til tiden.", "Kom {{ cw.name.__class__.__mro__ }} til tiden.")
    out = workspace.preview("indkaldelse", "dagpenge-fremmoede", workspace.draft({"indkaldelse.md": source}))
    assert out["html"] is None
    (problem,) = out["problems"]
    assert problem["line"] == line_of(workspace.root / "indkaldelse.md", "Kom til samtalen til tiden.")
    assert "er ikke tilladt" in problem["message"]


def test_an_unclosed_block_is_one_danish_problem_at_the_opening_line(workspace):
    source = workspace.read("indkaldelse.md")
    start = source.index("{% block kort_hvad %}")
    end = source.index("{% endif %}", start)
    broken = source[:end] + source[end + len("{% endif %}\n"):]
    out = workspace.preview("indkaldelse", None, workspace.draft({"indkaldelse.md": broken}))
    (problem,) = out["problems"]
    assert problem["line"] == line_of(workspace.root / "indkaldelse.md", "{% block kort_hvad %}") + 1
    assert problem["message"].startswith(f"{{% if %}} i linje {problem['line']} er ikke lukket.")


def test_preview_spans_map_every_run_to_its_line_or_regime_text(workspace):
    out = workspace.preview("indkaldelse", "kontanthjaelp-tolk", Draft())
    html = out["html"]
    assert '<link rel="stylesheet" href="/brevfiler/brev.css">' in html
    assert "<style" not in html and "<script" not in html
    line = line_of(workspace.root / "indkaldelse.md", "Du får dette brev, fordi du er ledig")
    assert f'<span data-src="indkaldelse.md:{line}" data-origin="template">Du får dette brev' in html
    assert 'data-regime="consequence.indkaldelse.kontanthjælp"' in html
    assert re.search(r'<h1><span data-src="indkaldelse.md:5"', html)


# --- regime texts ---------------------------------------------------------------------------------


def test_regime_texts_of_a_variant_name_the_entry_that_writes_them(workspace):
    texts = {t["path"]: t for t in workspace.preview("indkaldelse", "kontanthjaelp-tolk", Draft())["regime_texts"]}
    consequence = texts["consequence.indkaldelse.kontanthjælp"]
    assert consequence["regime"] == "2024-forenklet-kontaktforloeb"
    assert consequence["shared_with"] == ["2026-02-reform-fase-1", "2026-07-fleksibelt-kontaktforloeb", "2027-ny-hovedlov"]
    assert consequence["label"] == "Hvad sker der, hvis du ikke gør det: indkaldelse, kontanthjælp"
    assert workspace.read("regimes.yml").split("\n")[consequence["line"] - 1].strip().startswith("kontanthjælp: >-")
    # The same sentence stands for dagpenge, kontanthjælp and sygedagpenge: the letter read kontanthjælp's.
    assert "contact_plan.kontanthjælp.after" in texts
    assert "contact_plan.dagpenge.after" not in texts and "contact_plan.sygedagpenge.after" not in texts
    assert texts["ill_on_the_day.kontanthjælp"]["provisional"] is True


def test_only_free_text_in_the_regime_table_is_editable():
    assert is_regime_text("consequence.indkaldelse.dagpenge")
    assert is_regime_text("offer.exemption_reasons.0")
    assert is_regime_text("sick_leave.payer.a-kasse")
    assert is_regime_text("contact_plan.dagpenge.meetings.0.period")
    assert not is_regime_text("authority_word")
    assert not is_regime_text("offer.income.kursus")
    assert not is_regime_text("contact_plan.dagpenge.meetings.0.with")
    assert not is_regime_text("deadlines.complaint_weeks")
    assert not is_regime_text("legal_refs.indkaldelse.3.benefit")
    assert regime_label("offer.exemption_reasons.1") == "Tilbud: fritaget, hvis et af disse begynder, nr. 2"


def test_a_regime_edit_shows_in_every_variant_and_saving_keeps_the_file_s_comments(workspace):
    path = workspace.root / "regimes.yml"
    original = path.read_text(encoding="utf-8")
    new = "Hvis du ikke kommer, og du ikke har en god grund, trækker vi i din kontanthjælp. Du får den igen, når du kontakter os."
    edit = {"regime": "2024-forenklet-kontaktforloeb", "path": "consequence.indkaldelse.kontanthjælp", "text": new}
    draft = workspace.draft({}, [edit])
    assert new in workspace.preview("indkaldelse", "kontanthjaelp-tolk", draft)["html"]
    # Every kontanthjælp summons with a fixed time changes (all regimes inherit the text; a
    # self-booking letter has its own consequence text); nothing else does.
    diff = workspace.diff(draft)
    assert {g["event"] for g in diff["changed"]} == {"indkaldelse"}
    assert diff["letters"] == sum(1 for v in workspace.variants("indkaldelse") if "kontanthjaelp" in v.key and "selvbooking" not in v.key)
    assert path.read_text(encoding="utf-8") == original, "nothing is written before saving"
    result = workspace.save("indkaldelse", draft, {"regimes.yml": workspace.file_digest("regimes.yml")})
    assert result["saved"] == ["regimes.yml"]
    saved = path.read_text(encoding="utf-8")
    comments = lambda text: [line for line in text.split("\n") if line.strip().startswith("#") or " # " in line]
    assert comments(saved) == comments(original)
    table = parse_regimes(yaml.safe_load(saved), path)
    assert table.regimes[0].data["consequence"]["indkaldelse"]["kontanthjælp"] == new
    import difflib

    ops = [op for op in difflib.SequenceMatcher(a=original.split("\n"), b=saved.split("\n")).get_opcodes() if op[0] != "equal"]
    changed = [line for _op, a1, a2, b1, b2 in ops for line in (*original.split("\n")[a1:a2], *saved.split("\n")[b1:b2])]
    assert changed and all(line.startswith(" " * 10) for line in changed), "only the text's own lines change"
    # The pipeline sees the saved file at once (its caches were cleared).
    from brevgen.pipeline import build_letter
    from brevgen.casefile import read_case_file

    letter = build_letter("indkaldelse", read_case_file(examples_dir() / "indkaldelse" / "kontanthjaelp-tolk.yaml"))
    assert "Hvis du ikke kommer, og du ikke har en god grund" in " ".join(letter.body_lines())


def test_a_regime_edit_that_empties_a_text_cannot_be_saved(workspace):
    edit = {"regime": "2024-forenklet-kontaktforloeb", "path": "consequence.tilbud.dagpenge", "text": " "}
    with pytest.raises(StudioError, match="kan ikke laves"):
        workspace.save("tilbud", workspace.draft({}, [edit]), {"regimes.yml": workspace.file_digest("regimes.yml")})


def test_a_regime_edit_of_a_number_is_refused(workspace):
    edit = {"regime": "2024-forenklet-kontaktforloeb", "path": "deadlines.complaint_weeks", "text": "2"}
    with pytest.raises(StudioError, match="ikke en tekst"):
        workspace.regimes_text(workspace.draft({}, [edit]))


# --- every variant, the diff and saving ---------------------------------------------------------------


def test_every_variant_says_whether_it_got_better_or_worse(workspace):
    source = workspace.read("indkaldelse.md").replace("Kom til samtalen til tiden.", OFFICIALESE)
    report = workspace.variants_report("indkaldelse", workspace.draft({"indkaldelse.md": source}))
    verdicts = {row["key"]: row["verdict"] for row in report["variants"]}
    fremmoede = {v.key for v in workspace.variants("indkaldelse") if v.key in ("dagpenge-fremmoede", "kontanthjaelp-fremmoede", "kontanthjaelp-tolk", "kontanthjaelp-adgang-ukendt", "graense-2026-06-30-dagpenge", "graense-2026-07-01-dagpenge")}
    assert {k for k, v in verdicts.items() if v == "værre"} == fremmoede
    assert {v for k, v in verdicts.items() if k not in fremmoede} == {"uændret"}
    row = next(r for r in report["variants"] if r["key"] == "kontanthjaelp-tolk")
    assert row["now"]["errors"] > row["before"]["errors"] == 0


def test_branches_no_example_reaches_are_listed_with_their_line(workspace):
    report = workspace.variants_report("indkaldelse", Draft())
    assert {"file": "partials/kopi.md", "line": 6, "tag": "{% else %}"} in report["branches"]
    # Removing the only example that reaches a branch shows it as unreached.
    source = workspace.read("indkaldelse.md").replace("{% if venue.room %}", "{% if venue.room and venue.room == 'kælderen' %}")
    report = workspace.variants_report("indkaldelse", workspace.draft({"indkaldelse.md": source}))
    line = line_of(workspace.root / "indkaldelse.md", "{% if venue.room %}")
    assert any(b["file"] == "indkaldelse.md" and b["line"] == line for b in report["branches"])


def test_diff_shows_each_change_once_with_the_variants_that_share_it(workspace):
    source = workspace.read("indkaldelse.md").replace("Kom til samtalen til tiden.", "Kom i god tid.")
    diff = workspace.diff(workspace.draft({"indkaldelse.md": source}))
    (group,) = diff["changed"]
    assert diff["letters"] == 1 + len(group["same"]) == 6
    assert diff["unchanged"] == 34 - 6 and diff["broken"] == []
    (change,) = [r for r in group["rows"] if r["kind"] == "change"]
    assert change["old"] == [["-", "Kom til samtalen til tiden."]] or ["-", "samtalen"] in change["old"]
    assert "".join(t for k, t in change["new"]) == "Kom i god tid."


def test_side_by_side_keeps_two_lines_of_context():
    old = [f"linje {i}" for i in range(20)]
    new = list(old)
    new[10] = "ny linje"
    rows = side_by_side(old, new)
    kinds = [r["kind"] for r in rows]
    assert kinds == ["skip", "equal", "equal", "change", "equal", "equal", "skip"]
    assert rows[0]["count"] == 8 and rows[-1]["count"] == 7


def test_save_writes_atomically_and_refuses_a_file_changed_by_someone_else(workspace):
    path = workspace.root / "tilbud.md"
    base = {"tilbud.md": workspace.file_digest("tilbud.md")}
    source = workspace.read("tilbud.md").replace("Svar os senest", "Giv os svar senest")
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # someone else saved meanwhile
    with pytest.raises(StudioError) as info:
        workspace.save("tilbud", workspace.draft({"tilbud.md": source}), base)
    assert info.value.status == 409
    base = {"tilbud.md": workspace.file_digest("tilbud.md")}
    result = workspace.save("tilbud", workspace.draft({"tilbud.md": source}), base)
    assert result["saved"] == ["tilbud.md"] and path.read_text(encoding="utf-8") == source
    assert not list(workspace.root.glob(".tilbud.md.*")), "no temporary file is left behind"


def test_save_refuses_what_the_static_check_refuses(workspace):
    source = workspace.read("tilbud.md").replace("Svar os senest", "{% import 'x' as y %}Svar os senest")
    with pytest.raises(StudioError, match="import"):
        workspace.save("tilbud", workspace.draft({"tilbud.md": source}), {"tilbud.md": workspace.file_digest("tilbud.md")})
    assert "import" not in workspace.read("tilbud.md")


def test_a_reviewed_save_updates_the_golden_letters_beside_the_templates(workspace):
    golden = workspace.root.parent.parent / "tests" / "golden" / "tilbud"
    golden.mkdir(parents=True)
    (golden / "kursus-dagpenge.txt").write_text("gammel tekst\n", encoding="utf-8")
    source = workspace.read("tilbud.md").replace("Svar os senest", "Giv os svar senest")
    result = workspace.save("tilbud", workspace.draft({"tilbud.md": source}), {"tilbud.md": workspace.file_digest("tilbud.md")})
    assert "tests/golden/tilbud/kursus-dagpenge.txt" in result["golden"]
    assert "Giv os svar senest" in (golden / "kursus-dagpenge.txt").read_text(encoding="utf-8")


def test_only_templates_in_the_folder_can_be_read_or_edited(workspace):
    for name in ("../../etc/passwd", "brev.css", "fonts/OFL.txt", "nope.md"):
        with pytest.raises(StudioError):
            workspace.draft({name: "x"})
    with pytest.raises(StudioError):
        workspace.letter_asset("../regimes.yml")
    with pytest.raises(StudioError):
        workspace.letter_asset("regimes.yml")
    assert workspace.letter_asset("fonts/NotoSans-Regular.ttf").is_file()


def test_pdf_on_request_uses_the_draft(workspace):
    source = workspace.read("tilbud.md").replace("Svar os senest", "Giv os svar senest")
    pdf = workspace.pdf("tilbud", "kursus-dagpenge", workspace.draft({"tilbud.md": source}))
    assert pdf.startswith(b"%PDF-")


def test_a_workspace_reads_a_saved_file_at_once(template_copy):
    ws = Workspace(template_copy, examples_dir())
    assert ws.events()["tilbud"].version == "3.0"
    path = template_copy / "tilbud.md"
    path.write_text(path.read_text(encoding="utf-8").replace('version: "3.0"', 'version: "3.1"'), encoding="utf-8")
    assert ws.events()["tilbud"].version == "3.1"
