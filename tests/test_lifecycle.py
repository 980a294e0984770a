"""The template lifecycle on SQLite and on a real PostgreSQL server (the ``store`` fixture runs
every test on both): four-eyes review and publishing, regime changes that need the
subject-matter reviewer, stale drafts, the append-only audit log, the data-contract gate, and
pinned versions that make the very same bytes after a newer version is published."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import Field
from sqlalchemy import text

from brevgen import accounts, events, generate_letter
from conftest import shared_password_hashes
from brevgen.casefile import read_case_file
from brevgen.lifecycle import Actor, Lifecycle, LifecycleError
from brevgen.paths import examples_dir, templates_dir

PASSWORD = "kaffe-og-klarsprog"
ROLES = {
    "anna": ("author", "admin"),
    "bo": ("language_reviewer",),
    "carl": ("language_reviewer", "subject_reviewer"),
    "eva": ("author", "language_reviewer"),
}
CASE = examples_dir() / "indkaldelse" / "kontanthjaelp-fremmoede.yaml"
SENTENCE = "Kom til samtalen til tiden."


@pytest.fixture
def people(store):
    out = {}
    with shared_password_hashes():
        for name, roles in ROLES.items():
            user = accounts.add_user(store, name, PASSWORD, roles, by="test")
            out[name] = Actor(user.name, user.roles)
    return out


@pytest.fixture
def lifecycle(store):
    return Lifecycle(store)


def edit(lifecycle: Lifecycle, actor: Actor, draft_id: int, path: str, old: str, new: str):
    draft = lifecycle.draft(draft_id)
    text_ = lifecycle.draft_files(draft_id)[path].decode("utf-8")
    assert old in text_, (path, old)
    return lifecycle.save_files(actor, draft_id, draft.revision, {path: text_.replace(old, new, 1).encode("utf-8")})


def publish(lifecycle, people, author: str, reviewer: str, path: str, old: str, new: str, title: str = "Ændring"):
    draft = lifecycle.create_draft(people[author], title)
    edit(lifecycle, people[author], draft.id, path, old, new)
    lifecycle.submit(people[author], draft.id)
    lifecycle.review(people[reviewer], draft.id, True)
    return lifecycle.publish(people[reviewer], draft.id)


def test_draft_review_publish_with_four_eyes_and_an_audit_trail(lifecycle, people, store):
    eva, bo = people["eva"], people["bo"]
    draft = lifecycle.create_draft(eva, "Kortere om at komme til tiden")
    assert draft.state == "draft" and draft.base_hash == lifecycle.current_base().hash
    edit(lifecycle, eva, draft.id, "templates/indkaldelse.md", SENTENCE, "Kom til tiden.")
    with pytest.raises(LifecycleError, match="Kun en sprogligt eller fagligt ansvarlig"):
        lifecycle.review(people["anna"], draft.id, True)  # an author, not a reviewer
    with pytest.raises(LifecycleError, match="ikke sendt til godkendelse"):
        lifecycle.review(bo, draft.id, True)
    lifecycle.submit(eva, draft.id)
    # Eva may review language, but not her own change; nor may she publish it.
    with pytest.raises(LifecycleError, match="Du har selv lavet eller rettet kladden"):
        lifecycle.review(eva, draft.id, True)
    with pytest.raises(LifecycleError, match="Du har selv lavet eller rettet kladden"):
        lifecycle.publish(eva, draft.id)
    with pytest.raises(LifecycleError, match="mangler at blive godkendt sprogligt"):
        lifecycle.publish(bo, draft.id)
    with pytest.raises(LifecycleError):
        edit(lifecycle, eva, draft.id, "templates/indkaldelse.md", "Kom til tiden.", "Kom i god tid.")  # in review: no edits
    lifecycle.review(bo, draft.id, True, "Fint og kort.")
    version = lifecycle.publish(bo, draft.id)
    assert version.number == 1 and version.published_by == "bo"
    assert lifecycle.draft(draft.id).state == "published"
    # The version is the draft's files, content-addressed; the published text has the change.
    files = lifecycle.set_files(version.hash)
    assert b"Kom til tiden." in files["templates/indkaldelse.md"] and SENTENCE.encode() not in files["templates/indkaldelse.md"]
    from brevgen.versioning import hash_of_files

    assert hash_of_files(files) == version.hash
    log = [(e.actor, e.action, e.draft_id, e.version_number) for e in reversed(lifecycle.audit_entries())]
    assert [entry for entry in log if entry[1].startswith(("draft.", "version."))] == [
        ("eva", "draft.create", draft.id, None),
        ("eva", "draft.save", draft.id, None),
        ("eva", "draft.submit", draft.id, None),
        ("bo", "draft.approve", draft.id, None),
        ("bo", "version.publish", draft.id, 1),
    ]
    publish_entry = lifecycle.audit_entries(limit=1)[0]
    assert publish_entry.version_hash == version.hash and publish_entry.detail["approved_by"] == ["bo"]
    assert publish_entry.detail["files"] == ["templates/indkaldelse.md"]


def test_an_approval_counts_only_for_the_text_it_read(lifecycle, people):
    eva, bo = people["eva"], people["bo"]
    draft = lifecycle.create_draft(eva, "To runder")
    edit(lifecycle, eva, draft.id, "templates/tilbud.md", "Svar os senest", "Giv os svar senest")
    lifecycle.submit(eva, draft.id)
    lifecycle.review(bo, draft.id, True)
    lifecycle.withdraw(eva, draft.id)
    edit(lifecycle, eva, draft.id, "templates/tilbud.md", "Giv os svar senest", "Svar senest")
    lifecycle.submit(eva, draft.id)
    status = lifecycle.status(draft.id, bo)
    assert status.missing_kinds == {"language"} and status.approvals == []
    with pytest.raises(LifecycleError, match="mangler at blive godkendt"):
        lifecycle.publish(bo, draft.id)
    # Sent back with a reason, the author can edit again.
    with pytest.raises(LifecycleError, match="Skriv hvorfor"):
        lifecycle.review(bo, draft.id, False)
    lifecycle.review(bo, draft.id, False, "For kort nu.")
    assert lifecycle.draft(draft.id).state == "draft"


def test_a_regime_text_change_needs_the_subject_matter_reviewer(lifecycle, people):
    anna, bo, carl = people["anna"], people["bo"], people["carl"]
    regimes = (templates_dir() / "regimes.yml").read_text(encoding="utf-8")
    assert "trækker vi i din kontanthjælp" in regimes
    draft = lifecycle.create_draft(anna, "Konsekvens i regelsættet")
    edit(lifecycle, anna, draft.id, "templates/regimes.yml", "trækker vi i din kontanthjælp", "nedsætter vi din kontanthjælp")
    lifecycle.submit(anna, draft.id)
    status = lifecycle.status(draft.id, bo)
    assert status.regime_changed and status.required_kinds == {"language", "subject"}
    lifecycle.review(bo, draft.id, True)
    with pytest.raises(LifecycleError, match="mangler at blive godkendt fagligt"):
        lifecycle.publish(bo, draft.id)
    lifecycle.review(carl, draft.id, True)
    assert lifecycle.status(draft.id, carl).missing_kinds == frozenset()
    assert lifecycle.publish(carl, draft.id).number == 1


def test_a_draft_on_an_older_version_is_shown_as_stale_and_moved_onto_the_newest(lifecycle, people):
    anna, eva, bo = people["anna"], people["eva"], people["bo"]
    first = lifecycle.create_draft(anna, "Tilbud")
    second = lifecycle.create_draft(eva, "Sygedagpenge")
    clash = lifecycle.create_draft(eva, "Også tilbud")
    edit(lifecycle, anna, first.id, "templates/tilbud.md", "Svar os senest", "Giv os svar senest")
    edit(lifecycle, eva, second.id, "templates/sygedagpenge.md", "Vi skal følge op på din sygemelding", "Vi følger op på din sygemelding")
    edit(lifecycle, eva, clash.id, "templates/tilbud.md", "Svar os senest", "Svar senest")
    for d in (first, second, clash):
        lifecycle.submit(people[d.created_by], d.id)
    lifecycle.review(bo, first.id, True)
    v1 = lifecycle.publish(bo, first.id)

    status = lifecycle.status(second.id, bo)
    assert status.stale and status.changed_since_base == ["templates/tilbud.md"] and status.conflicts == []
    lifecycle.review(bo, second.id, True)
    with pytest.raises(LifecycleError, match="ældre version"):
        lifecycle.publish(bo, second.id)
    with pytest.raises(LifecycleError, match="Træk kladden tilbage"):
        lifecycle.rebase(eva, second.id)
    lifecycle.withdraw(eva, second.id)
    lifecycle.rebase(eva, second.id)
    moved = lifecycle.status(second.id, bo)
    assert not moved.stale and moved.draft.base_hash == v1.hash and moved.changed == ["templates/sygedagpenge.md"]
    files = lifecycle.draft_files(second.id)
    assert b"Giv os svar senest" in files["templates/tilbud.md"], "the newer version's change is taken"
    assert b"Vi f\xc3\xb8lger op" in files["templates/sygedagpenge.md"], "the draft's own change is kept"

    # Both changed tilbud.md: the draft cannot be moved and says which file.
    lifecycle.withdraw(eva, clash.id)
    stale = lifecycle.status(clash.id, eva)
    assert stale.conflicts == ["templates/tilbud.md"]
    with pytest.raises(LifecycleError, match="tilbud.md"):
        lifecycle.rebase(eva, clash.id)


def test_the_audit_log_and_published_versions_cannot_be_changed(lifecycle, people, store):
    version = publish(lifecycle, people, "eva", "bo", "templates/indkaldelse.md", SENTENCE, "Kom til tiden.")
    statements = [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
        f"UPDATE versions SET published_by = 'mallory' WHERE number = {version.number}",
        "DELETE FROM versions",
        "DELETE FROM file_set_files",
        "UPDATE blobs SET size = 0",
    ]
    for statement in statements:
        with pytest.raises(Exception, match="append-only"):
            with store.write() as tx:
                tx.conn.execute(text(statement))
    if store.dialect == "postgresql":
        with pytest.raises(Exception, match="append-only"):
            with store.write() as tx:
                tx.conn.execute(text("TRUNCATE audit_log"))
    with store.read() as tx:
        assert tx.audit_entries()[0].actor == "bo" and tx.version(1).published_by == "bo"
    # Adding to the log still works.
    with store.write() as tx:
        tx.audit("anna", "test.note")
    assert lifecycle.audit_entries(limit=1)[0].action == "test.note"


def test_the_schema_gate_triggers_when_a_case_field_changes(lifecycle, people, monkeypatch):
    publish(lifecycle, people, "eva", "bo", "templates/indkaldelse.md", SENTENCE, "Kom til tiden.")
    event = events.get("indkaldelse")

    class ChangedSummons(event.model):  # a new field the case systems must now send
        interpreter_language: str = Field(title="Tolkens sprog")

    from fastapi.testclient import TestClient

    from brevgen.service import create_app

    http = TestClient(create_app(api_key=""))
    before = http.get("/v1/version").json()["schema"]
    assert http.get("/openapi.json").json()["info"]["x-brevgen-schema-version"] == before["version"]
    monkeypatch.setattr(type(event), "model", ChangedSummons)
    # Case systems see the data contract change: its version, the event's, OpenAPI and the headers.
    after = http.get("/v1/version").json()["schema"]
    assert after["version"] != before["version"] and after["events"]["indkaldelse"] != before["events"]["indkaldelse"]
    assert after["events"]["tilbud"] == before["events"]["tilbud"]
    assert http.get("/openapi.json").json()["info"]["x-brevgen-schema-version"] == after["version"]
    schema = http.get("/v1/events/indkaldelse/schema")
    assert "interpreter_language" in schema.json()["required"] and schema.headers["x-brevgen-schema-version"] == after["events"]["indkaldelse"]
    draft = lifecycle.create_draft(people["eva"], "Efter ændringen i sagens data")
    edit(lifecycle, people["eva"], draft.id, "templates/tilbud.md", "Svar os senest", "Giv os svar senest")
    lifecycle.submit(people["eva"], draft.id)
    lifecycle.review(people["bo"], draft.id, True)
    status = lifecycle.status(draft.id, people["bo"])
    assert [c.describe() for c in status.schema_changes] == ["indkaldelse: nyt felt interpreter_language (Tolkens sprog), påkrævet"]
    assert status.schema_changes[0].breaking
    with pytest.raises(LifecycleError, match="Sagens data er ændret"):
        lifecycle.publish(people["bo"], draft.id)
    version = lifecycle.publish(people["bo"], draft.id, confirm_schema=True)
    assert version.number == 2 and "interpreter_language" in json.dumps(version.schemas["indkaldelse"])
    entry = lifecycle.audit_entries(limit=1)[0]
    assert entry.detail["schema_confirmed"] is True and entry.detail["schema_changes"] == [status.schema_changes[0].describe()]
    # Published under the new schema, the next draft has no gate.
    nxt = lifecycle.create_draft(people["eva"], "Igen")
    assert lifecycle.status(nxt.id).schema_changes == []


def test_the_schema_diff_names_removed_fields_and_fields_made_required():
    from brevgen.data_contract import current_schemas, schema_diff

    before = current_schemas()
    after = json.loads(json.dumps(before))
    schema = after["tilbud"]
    del schema["properties"]["case_ref"]
    optional = next(name for name in schema["properties"] if name not in schema.get("required", []))
    schema["required"].append(optional)
    changes = {(c.event, c.field, c.kind) for c in schema_diff(before, after)}
    assert ("tilbud", "case_ref", "removed") in changes and ("tilbud", optional, "made-required") in changes
    del after["sygedagpenge"]
    assert ("sygedagpenge", "", "event-removed") in {(c.event, c.field, c.kind) for c in schema_diff(before, after)}
    assert schema_diff(before, before) == [] and schema_diff(None, before) == []


# --- pinned versions: the same data gives the same bytes ------------------------------------------------


def _letter(version: str | None = None) -> dict[str, bytes]:
    result = generate_letter("indkaldelse", read_case_file(CASE), ["pdf", "docx", "html"], template_version=version)
    return dict(result.files)


def test_a_pinned_old_version_re_renders_byte_identically_after_a_newer_one_is_published(lifecycle, people, store, tmp_path):
    # Version 1 changes a sentence and the stylesheet, so its letters differ from the working folder's.
    draft = lifecycle.create_draft(people["eva"], "Version et")
    edit(lifecycle, people["eva"], draft.id, "templates/indkaldelse.md", SENTENCE, "Kom til tiden.")
    edit(lifecycle, people["eva"], draft.id, "templates/brev.css", "font-size", "/* udgave 1 */ font-size")
    lifecycle.submit(people["eva"], draft.id)
    lifecycle.review(people["bo"], draft.id, True)
    v1 = lifecycle.publish(people["bo"], draft.id)
    sent = _letter()  # what the citizen got while version 1 was the newest
    assert b"Kom til tiden." in sent["html"] and b"/* udgave 1 */" in sent["html"], "the version's own stylesheet"
    assert b"/* udgave 1 */" not in (templates_dir() / "brev.css").read_bytes()

    # Version 2 changes the wording, the regime table and the stylesheet (which only the
    # renderers read): a re-render must take all three from version 1.
    draft = lifecycle.create_draft(people["anna"], "Version to")
    edit(lifecycle, people["anna"], draft.id, "templates/indkaldelse.md", "Kom til tiden.", "Mød op til tiden.")
    edit(lifecycle, people["anna"], draft.id, "templates/regimes.yml", "trækker vi i din kontanthjælp", "nedsætter vi din kontanthjælp")
    edit(lifecycle, people["anna"], draft.id, "templates/brev.css", "/* udgave 1 */", "/* udgave 2 */")
    lifecycle.submit(people["anna"], draft.id)
    lifecycle.review(people["carl"], draft.id, True)
    v2 = lifecycle.publish(people["carl"], draft.id)
    now = _letter()
    assert b"M\xc3\xb8d op til tiden." in now["html"] and b"/* udgave 2 */" in now["html"]
    assert now["pdf"] != sent["pdf"] and now["docx"] != sent["docx"]

    for spec in ("1", "v1", v1.hash[:8], v1.hash):
        again = _letter(spec)
        for fmt in ("pdf", "docx", "html"):
            assert hashlib.sha256(again[fmt]).hexdigest() == hashlib.sha256(sent[fmt]).hexdigest(), (spec, fmt)

    # The database is the record: without the materialised folders the version is rebuilt.
    from brevgen.store import data_dir
    from brevgen.versions import forget_cached_sets

    shutil.rmtree(data_dir() / "sets")
    forget_cached_sets()
    assert _letter("1") == sent

    # The provenance stamp of every format names the version.
    from brevgen.inspect import inspect_file

    for fmt, data in sent.items():
        path = tmp_path / f"brev.{fmt}"
        path.write_bytes(data)
        assert inspect_file(path).provenance["brevgen-template-set"] == v1.hash, fmt
    assert v2.hash != v1.hash


@pytest.mark.slow  # CLI, HTTP workers and a batch for one version
def test_pinned_versions_through_the_cli_http_and_batch(lifecycle, people, store, tmp_path):
    from brevgen.cli import main

    v1 = publish(lifecycle, people, "eva", "bo", "templates/indkaldelse.md", SENTENCE, "Kom til tiden.", "Version et")
    sent = _letter()
    publish(lifecycle, people, "eva", "bo", "templates/indkaldelse.md", "Kom til tiden.", "Mød op til tiden.", "Version to")

    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(main, ["render", "indkaldelse", str(CASE), "--template-version", "1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    stamp = json.loads(result.output)
    assert stamp["brevgen-template-set"] == v1.hash
    for fmt in ("pdf", "docx", "html"):
        assert next(out.glob(f"*.{fmt}")).read_bytes() == sent[fmt], fmt
    missing = runner.invoke(main, ["render", "indkaldelse", str(CASE), "--template-version", "9", "--out", str(out)])
    assert missing.exit_code == 2 and "version 9 er ikke udgivet" in missing.output
    listed = runner.invoke(main, ["versions", "list", "--json"])
    assert [v["number"] for v in json.loads(listed.output)] == [2, 1]

    from fastapi.testclient import TestClient

    from brevgen.service import create_app

    http = TestClient(create_app(api_key=""))
    case = read_case_file(CASE)
    response = http.post("/v1/letters/indkaldelse?template_version=1", json=case, headers={"Accept": "application/pdf"})
    assert response.status_code == 200 and response.content == sent["pdf"], response.text[:600]
    assert response.headers["x-brevgen-template-set"] == v1.hash
    assert http.post("/v1/letters/indkaldelse?template_version=abcdef", json=case).status_code == 400
    versions = http.get("/v1/versions").json()
    assert [v["number"] for v in versions] == [2, 1] and versions[1]["hash"] == v1.hash
    current = http.get("/v1/version").json()
    assert current["template_set"]["number"] == 2 and current["schema"]["version"] == versions[0]["schema_version"]

    from brevgen import run_batch

    records = tmp_path / "breve.jsonl"
    records.write_text(json.dumps({"id": "a1", "event": "indkaldelse", "data": case}, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    batch = run_batch(records, tmp_path / "batch", ["pdf", "html"], workers=1, template_version="1")
    assert batch.written == 1 and batch.failed == 0
    assert next((tmp_path / "batch").glob("*.pdf")).read_bytes() == sent["pdf"]


def test_without_a_published_version_letters_come_from_the_working_folder(lifecycle, store):
    from brevgen.templating import template_set
    from brevgen.versions import template_set_for

    assert template_set_for().root == template_set().root == templates_dir()
    letter = generate_letter("indkaldelse", read_case_file(CASE), ["html"]).letter
    assert letter.meta.template_set == template_set().version
    assert Path(letter.meta.template_root) == templates_dir()
