"""The HTTP service: FastAPI's test client for the contract, a real uvicorn on loopback for the rest.

Round trips: every example gives the same letter through the Python API, the HTTP API (one
request per format) and the CLI; invalid data gives the same field problems on all three.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, example_id, sampled
from delivery_data import TEST_CPR, cpr_forms, has_meeting, load, with_delivery_ids
from extract import EXTRACT, comparable, letter_text, pdf_text
from fastapi.testclient import TestClient
from lxml import etree

from brevgen import generate_letter
from brevgen.cli import main
from brevgen.events import all_events

EVENTS = {e.name: e.model for e in all_events()}
from brevgen.paths import PROJECT_ROOT
from brevgen.service import create_app, media_types, negotiate

MEDIA_TYPES = media_types()

CASES = [example_id(p) for p in EXAMPLES]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KEY = "test-nøgle-42".encode().hex()


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(api_key=""))


def post_letter(client, event: str, data, accept: str | None = None, **kwargs):
    headers = {"accept": accept} if accept else {}
    return client.post(f"/v1/letters/{event}", json=data, headers=headers, **kwargs)


# --- the contract (test client) -----------------------------------------------------------


def test_health_version_events_schema_docs(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    version = client.get("/v1/version").json()
    assert version["brevgen"] == "0.1.0" and version["memo"] == "1.1"
    assert set(version["templates"]) == set(EVENTS)
    assert client.get("/v1/events").json()[0] == {"event": "indkaldelse", "title": "Indkaldelse til første jobsamtale"}
    for event, model in EVENTS.items():
        assert client.get(f"/v1/events/{event}/schema").json() == model.model_json_schema()
    openapi = client.get("/openapi.json").json()
    assert {"/v1/letters/{event}", "/v1/events", "/v1/lint", "/healthz", "/v1/version"} <= set(openapi["paths"])
    assert "application/pdf" in openapi["paths"]["/v1/letters/{event}"]["post"]["responses"]["200"]["content"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "memo", "ics"])
def test_each_format_by_accept_header(client, fmt):
    data = load("indkaldelse/dagpenge-fremmoede")
    response = post_letter(client, "indkaldelse", data, MEDIA_TYPES[fmt])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt]
    expected = generate_letter("indkaldelse", data, [fmt])
    assert response.content == expected.files[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="{expected.filename(fmt)}"'
    assert response.headers["x-brevgen-case-ref"] == "JC-2026-0412"
    assert response.headers["x-brevgen-data-sha256"] == expected.letter.meta.data_sha256


def test_json_envelope_has_every_possible_format_and_says_why_not(client):
    data = load("tilbud/virksomhedspraktik-dagpenge")  # no CVR: no Digital Post; an offer: no calendar
    response = post_letter(client, "tilbud", data, "application/json")
    assert response.status_code == 200
    body = response.json()
    assert list(body["files"]) == ["pdf", "docx", "html"]
    assert set(body["unavailable"]) == {"memo", "ics"}
    assert body["unavailable"]["memo"] == "sender.cvr (CVR-nummer): skal udfyldes, når brevet skal sendes som Digital Post (MeMo)"
    assert body["reports"]["lint"]["ok"] is True and body["provenance"]["brevgen-event"] == "tilbud"
    expected = generate_letter("tilbud", data)
    for fmt, entry in body["files"].items():
        assert base64.b64decode(entry["base64"]) == expected.files[fmt]
        assert entry["media_type"] == MEDIA_TYPES[fmt] and entry["filename"] == expected.filename(fmt)
    assert body["notes"] == list(expected.notes)
    chosen = post_letter(client, "tilbud", data, params={"formats": "html"}).json()
    assert list(chosen["files"]) == ["html"]


@pytest.mark.parametrize(
    "accept, chosen",
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/pdf", "pdf"),
        ("text/html;q=0.5, application/pdf;q=0.9", "pdf"),
        ("text/calendar, application/json;q=0.1", "ics"),
        ("application/xml", "memo"),
        (DOCX, "docx"),
        ("image/png", None),
        ("application/pdf;q=0", None),
    ],
)
def test_content_negotiation(accept, chosen):
    assert negotiate(accept) == chosen


def test_invalid_case_is_problem_json_with_every_field(client):
    data = load("indkaldelse/dagpenge-fremmoede")
    data["caseworker"].pop("phone")
    data["meeting"]["start"] = "2026-02-30T10:00"
    response = post_letter(client, "indkaldelse", data, "application/pdf")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:brevgen:problem:invalid-case-data" and body["status"] == 422
    assert body["errors"] == [
        {"field": "caseworker.phone", "label": "Sagsbehandlerens direkte telefonnummer", "message": "skal udfyldes", "pointer": "/caseworker/phone"},
        {"field": "meeting.start", "label": "Mødets tidspunkt", "message": "er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00", "pointer": "/meeting/start"},
    ]


@pytest.mark.parametrize(
    "case_id, change",
    [
        ("indkaldelse/dagpenge-telefon", lambda d: (d.pop("a_kasse"), d["caseworker"]["phone_hours"][0].update(opens="25:00"))),
        ("tilbud/kursus-kontanthjaelp", lambda d: (d["offer"].update(end_date="2026-01-01"), d.update(answer_by="2026-01-01"))),
        ("sygedagpenge/selv-under-8-uger", lambda d: (d.pop("questionnaire_url"), d["citizen"].update(cpr="12345"))),
    ],
)
def test_invalid_data_same_problems_on_api_http_and_cli(client, tmp_path, case_id, change):
    event = case_id.split("/")[0]
    data = load(case_id)
    change(data)
    from brevgen import CaseDataError

    with pytest.raises(CaseDataError) as info:
        generate_letter(event, data)
    api = [p.as_dict() for p in info.value.problems]
    http = post_letter(client, event, data, "application/json").json()["errors"]
    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cli = CliRunner().invoke(main, ["render", event, str(case), "--json", "--out", str(tmp_path / "out")])
    assert cli.exit_code == 1
    assert api == [{k: v for k, v in e.items() if k != "pointer"} for e in http] == json.loads(cli.stdout)["error"]["problems"]
    assert api  # something was wrong
    assert not (tmp_path / "out").exists()


def test_usage_problems(client):
    unknown = client.post("/v1/letters/010190-1234", json={})
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert "010190" not in unknown.text
    bad_json = client.post("/v1/letters/tilbud", content=b"{not json", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["detail"] == "kroppen er ikke gyldig JSON (UTF-8)"
    a_list = client.post("/v1/letters/tilbud", json=[1, 2])
    assert a_list.status_code == 400 and a_list.json()["code"] == "usage"
    unacceptable = post_letter(client, "tilbud", load("tilbud/kursus-dagpenge"), "image/png")
    assert unacceptable.status_code == 406 and unacceptable.json()["code"] == "not-acceptable"
    no_meeting = post_letter(client, "tilbud", load("tilbud/kursus-dagpenge"), "text/calendar")
    assert no_meeting.status_code == 400 and "fordi brevet ikke aftaler et møde" in no_meeting.json()["detail"]
    no_cpr = post_letter(client, "indkaldelse", load("indkaldelse/dagpenge-video"), "application/xml")
    assert no_cpr.status_code == 422 and [e["field"] for e in no_cpr.json()["errors"]] == ["citizen.cpr"]
    echoed = post_letter(client, "tilbud", load("tilbud/kursus-dagpenge"), params={"formats": "pdf,0101901234"})
    assert echoed.status_code == 400 and "0101901234" not in echoed.text


def test_body_size_limit_by_length_and_while_streaming():
    small = TestClient(create_app(api_key="", max_body=1_000))
    data = load("indkaldelse/dagpenge-fremmoede")
    declared = small.post("/v1/letters/indkaldelse", json=data)
    assert declared.status_code == 413 and declared.json()["code"] == "too-large"

    def chunks():
        for _ in range(10):
            yield b" " * 500

    streamed = small.post("/v1/letters/indkaldelse", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413 and streamed.headers["content-type"] == "application/problem+json"


def test_api_key_when_configured():
    secured = TestClient(create_app(api_key=KEY))
    assert secured.get("/healthz").status_code == 200
    missing = secured.get("/v1/events")
    assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"
    assert secured.get("/v1/events", headers={"X-API-Key": "wrong"}).status_code == 401
    assert secured.get("/v1/events", headers={"X-API-Key": KEY}).status_code == 200


def test_lint_finds_officialese_in_a_text(client):
    response = client.post("/v1/lint", content="Såfremt De ikke kan komme, bedes De ringe.".encode(), headers={"content-type": "text/plain"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is False
    rules = {f["rule"] for f in body["findings"]}
    assert {"KS01", "KS02", "KS04a"} <= rules
    messages = {f["message"] for f in body["findings"]}
    assert "Skriv 'Hvis' i stedet for 'Såfremt'." in messages


def test_lint_accepts_json_and_passes_plain_danish(client):
    response = client.post("/v1/lint", json={"text": "Ring til os, hvis du ikke kan komme. Vi finder en ny tid."})
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    empty = client.post("/v1/lint", json={"text": " "})
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("application/problem+json")


# --- round trips: Python API, HTTP (each format), CLI --------------------------------------


def _formats(case_id: str, data: dict) -> list[str]:
    return ["pdf", "docx", "html", "memo"] + (["ics"] if has_meeting(case_id, data) else [])


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_round_trip_same_letter_everywhere(client, tmp_path, case_id):
    event = case_id.split("/")[0]
    data = with_delivery_ids(load(case_id))
    formats = _formats(case_id, data)
    api = generate_letter(event, data, formats)
    http = {}
    for fmt in formats:
        response = post_letter(client, event, data, MEDIA_TYPES[fmt])
        assert response.status_code == 200, response.text
        http[fmt] = response.content
    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", event, str(case), "--format", ",".join(formats), "--out", str(out)])
    assert result.exit_code == 0, result.output
    cli = {fmt: (out / api.filename(fmt)).read_bytes() for fmt in formats}

    for fmt in ("pdf", "docx", "html"):
        texts = {name: comparable(EXTRACT[fmt](files[fmt]), fmt) for name, files in (("api", api.files), ("http", http), ("cli", cli))}
        assert texts["api"] == texts["http"] == texts["cli"], fmt
        assert comparable(letter_text(api.letter, fmt), fmt) in texts["api"]
    api_pdf_text = pdf_text(api.files["pdf"])
    for name, files in (("api", api.files), ("http", http), ("cli", cli)):
        tree = etree.fromstring(files["memo"])
        (content,) = tree.xpath("//memo:MainDocument/memo:File/memo:content", namespaces={"memo": "https://DigitalPost.dk/MeMo-1"})
        assert pdf_text(base64.b64decode(content.text)) == api_pdf_text, name
    assert api.files["memo"] == http["memo"] == cli["memo"]
    if "ics" in formats:
        assert api.files["ics"] == http["ics"] == cli["ics"]


# --- a real uvicorn on loopback ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.out, self.err = tmp / "stdout.log", tmp / "stderr.log"
        env = {**os.environ, "BREVGEN_API_KEY": KEY, "BREVGEN_MAX_BODY": "50000", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "brevgen.cli", "serve", "--port", str(self.port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.out.open("wb"),
            stderr=self.err.open("wb"),
        )
        self.client = httpx2.Client(base_url=self.url, headers={"X-API-Key": KEY}, timeout=120)
        for _ in range(300):  # bounded: up to ~30 s for the first start on a busy machine
            if self.process.poll() is not None:
                raise RuntimeError(self.logs())
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.1)
        raise RuntimeError("uvicorn did not start:\n" + self.logs())

    def logs(self) -> str:
        return self.out.read_text(encoding="utf-8") + self.err.read_text(encoding="utf-8")

    def stop(self) -> None:
        self.client.close()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("uvicorn"))
    yield running
    running.stop()


def test_real_server_binds_loopback_and_needs_the_key(server):
    assert "Uvicorn running on http://127.0.0.1:" in server.logs()
    assert httpx2.get(f"{server.url}/v1/events").status_code == 401
    assert server.client.get("/v1/events").status_code == 200


@pytest.mark.slow
def test_parallel_requests_each_get_their_own_letter(server):
    cases = [c for c in CASES][::2][:8]  # 8 different citizens across all three events
    payloads = [(c.split("/")[0], load(c)) for c in cases]

    def fetch(item):
        event, data = item
        response = server.client.post(f"/v1/letters/{event}", json=data, headers={"accept": "application/pdf"})
        return response.status_code, response.content

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        results = list(pool.map(fetch, payloads))
    names = [data["citizen"]["name"] for _e, data in payloads]
    for (event, data), (status, pdf) in zip(payloads, results):
        assert status == 200
        assert pdf == generate_letter(event, data, ["pdf"]).files["pdf"]
        text = comparable(pdf_text(pdf), "pdf")
        assert comparable(data["citizen"]["name"], "pdf") in text and comparable(data["case_ref"], "pdf") in text
        assert not [n for n in names if n != data["citizen"]["name"] and comparable(n, "pdf") in text]
    # Parallel WeasyPrint renders in one process once made GLib report heap corruption here.
    assert "GLib" not in server.logs() and "Traceback" not in server.logs()


def test_real_server_size_limit(server):
    data = load("indkaldelse/dagpenge-fremmoede")
    data["bring"] = ["x" * 1000] * 60  # about 60 kB, over the server's 50 kB limit
    response = server.client.post("/v1/letters/indkaldelse", json=data)
    assert response.status_code == 413 and response.json()["code"] == "too-large"


def test_no_cpr_in_any_log_line(server):
    data = load("indkaldelse/dagpenge-fremmoede")
    data["citizen"]["cpr"] = TEST_CPR
    memo = server.client.post("/v1/letters/indkaldelse", json=data, headers={"accept": "application/xml"})
    assert memo.status_code == 200 and TEST_CPR.replace("-", "").encode() in memo.content
    bad = dict(data, citizen=dict(data["citizen"], cpr=TEST_CPR + "9"))
    assert server.client.post("/v1/letters/indkaldelse", json=bad).status_code == 422
    assert server.client.get(f"/v1/events/{TEST_CPR}/schema").status_code == 404
    assert server.client.get("/v1/events", params={"q": TEST_CPR.replace("-", "")}).status_code == 200
    logs = server.logs()
    assert '"POST /v1/letters/indkaldelse HTTP/1.1" 200' in logs
    assert "letter event=indkaldelse case_ref=JC-2026-0412 formats=memo" in logs
    assert "/v1/events/[CPR fjernet]/schema" in logs  # the access line was written, redacted
    leaked = [line for line in logs.splitlines() if any(form in line for form in cpr_forms(TEST_CPR))]
    assert not leaked


def test_help_does_not_import_the_web_stack():
    code = (
        "import sys; from brevgen.cli import main\n"
        "try:\n main(['--help'])\nexcept SystemExit: pass\n"
        "print(*[m in sys.modules for m in ('fastapi', 'uvicorn', 'icalendar')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout
    assert out.strip().splitlines()[-1] == "False False False"


def test_log_filter_redacts_messages_arguments_and_tracebacks():
    import io
    import logging

    from brevgen.logs import RedactCpr, log_config

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactCpr())
    logger = logging.getLogger("brevgen.test-redaction")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"noget med {TEST_CPR}")
        except ValueError:
            logger.error("sag %s, %s", TEST_CPR.replace("-", ""), "ok", exc_info=True)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "sag [CPR fjernet], ok" in text and "ValueError: noget med [CPR fjernet]" in text
    assert not any(form in text for form in cpr_forms(TEST_CPR))
    config = log_config()
    assert all(h["filters"] == ["redact_cpr", "request_id"] for h in config["handlers"].values())
    assert config["root"]["handlers"] == ["default"]


# --- hardening (issue 14) --------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
def test_letters_take_only_json_bodies(client, content_type):
    """A cross-site form can send text/plain, urlencoded or multipart, never application/json."""
    headers = {"accept": "text/html"} | ({"content-type": content_type} if content_type else {})
    body = json.dumps(load("indkaldelse/dagpenge-fremmoede")).encode()
    response = client.post("/v1/letters/indkaldelse", content=body, headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unsupported-media-type"
    charset = client.post("/v1/letters/indkaldelse", content=body, headers={"content-type": "application/json; charset=utf-8", "accept": "text/html"})
    assert charset.status_code == 200


def test_an_unexpected_error_is_problem_json_500_and_logged_without_the_cpr(caplog):
    app = create_app(api_key="")

    @app.get("/v1/fejl")
    async def fails():
        raise RuntimeError(f"intern tilstand med {TEST_CPR}")

    caplog.set_level("ERROR", logger="brevgen.service")
    response = TestClient(app, raise_server_exceptions=False).get("/v1/fejl")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body == {
        "type": "urn:brevgen:problem:internal", "title": "Intern fejl", "status": 500, "code": "internal",
        "detail": "brevgen kunne ikke svare på grund af en intern fejl. Fejlen er skrevet i loggen",
        "request_id": response.headers["X-Request-ID"],
    }
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "RuntimeError: intern tilstand med [CPR fjernet]" in logged
    assert not any(form in logged for form in cpr_forms(TEST_CPR))


def test_lint_refuses_more_than_its_limit(client):
    from brevgen.service import MAX_LINT_BYTES

    text = ("Det er vigtigt, at du kommer. " * (MAX_LINT_BYTES // 30 + 10)).encode()
    response = client.post("/v1/lint", content=text, headers={"content-type": "text/plain"})
    assert response.status_code == 413 and response.json()["code"] == "too-large"
    assert "100.000 bytes" in response.json()["detail"]


def test_a_letter_over_the_time_limit_is_stopped_and_answered_503():
    slow = TestClient(create_app(api_key="", time_limit=0.01))
    response = slow.post("/v1/letters/indkaldelse", json=load("indkaldelse/dagpenge-fremmoede"), headers={"accept": "application/pdf"})
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "timeout"
    assert "og blev stoppet" in response.json()["detail"]
    # The worker lives on: the next letter with room to be made is made.
    ok = TestClient(create_app(api_key="")).post("/v1/letters/indkaldelse", json=load("indkaldelse/dagpenge-fremmoede"), headers={"accept": "text/html"})
    assert ok.status_code == 200


def test_json_limits_are_422_problems_not_500(client):
    data = json.dumps(load("indkaldelse/dagpenge-fremmoede"))
    deep = data[:-1] + ', "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
    big = data.replace('"duration_minutes": 45', '"duration_minutes": ' + "7" * 5000)
    twice = data.replace('"benefit": "dagpenge"', '"benefit": "dagpenge", "benefit": "kontanthjælp"')
    for body in (deep, big, twice):
        response = client.post("/v1/letters/indkaldelse", content=body.encode(), headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"


def test_a_client_that_disconnects_is_one_quiet_line(server):
    body = json.dumps(load("indkaldelse/dagpenge-fremmoede")).encode()
    before = server.logs()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            b"POST /v1/letters/indkaldelse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"X-API-Key: {KEY}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body[:200]
        )
        time.sleep(0.3)
    time.sleep(1.0)
    new = server.logs()[len(before):]
    assert "Traceback" not in new and "ERROR" not in new
    assert "klienten afbrød forbindelsen: POST /v1/letters/indkaldelse" in new


def test_percent_encoded_cpr_numbers_never_reach_the_log(server):
    for spelling in ("241299%200013", "241299%E2%80%930013", "241299%2D0013", "24.12.99-0013", "241299%C2%A00013"):
        assert server.client.get(f"/v1/events/{spelling}/schema").status_code == 404
    time.sleep(0.3)
    from urllib.parse import unquote

    leaked = [line for line in server.logs().splitlines() if "241299" in unquote(line) or "2412990013" in unquote(line)]
    assert leaked == []
