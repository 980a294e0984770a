"""The HTTP contract around the letters: OpenAPI with the case schemas and examples, the docs
served without a CDN, /readyz, Prometheus metrics, the request id, notes on every answer."""

from __future__ import annotations

import json
import logging
import re

import pytest
from delivery_data import TEST_CPR, load
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from brevgen import generate_letter
from brevgen.events import all_events
from brevgen.observability import accept_request_id
from brevgen.service import NOTES_HEADER, create_app, log_config


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(api_key=""))


def test_openapi_has_every_case_schema_the_envelope_problem_and_examples(client):
    openapi = client.get("/openapi.json").json()
    schemas = openapi["components"]["schemas"]
    for event in all_events():
        case = schemas[f"Case.{event.name}"]
        assert set(case["properties"]) == set(event.model.model_json_schema()["properties"])
        assert case["properties"]["case_ref"]["title"] == "Sagsnummer"
    assert {"LetterEnvelope", "Problem", "BatchRequest", "BatchJob", "Address"} <= set(schemas)
    # Every $ref resolves inside the document.
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(openapi)))
    assert refs <= set(schemas), refs - set(schemas)

    post = openapi["paths"]["/v1/letters/{event}"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    assert {r["$ref"] for r in body["schema"]["oneOf"]} == {f"#/components/schemas/Case.{e.name}" for e in all_events()}
    assert set(body["examples"]) == {e.name for e in all_events()}
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/LetterEnvelope"}
    assert post["responses"]["422"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "/v1/batches" in openapi["paths"] and "/readyz" in openapi["paths"] and "/metrics" in openapi["paths"]


def test_the_examples_in_openapi_make_letters(client):
    examples = client.get("/openapi.json").json()["paths"]["/v1/letters/{event}"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    for event, example in examples.items():
        response = client.post(f"/v1/letters/{event}", json=example["value"], params={"formats": "html"})
        assert response.status_code == 200, (event, response.text)


@pytest.mark.parametrize("page, asset", [("/docs", "swagger-ui-bundle.js"), ("/docs", "swagger-ui.css"), ("/redoc", "redoc.standalone.js")])
def test_docs_load_their_assets_from_brevgen_not_a_cdn(client, page, asset):
    html = client.get(page).text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert f"/docs/assets/{asset}" in html
    assert all(u.startswith("/") for u in urls), urls  # nothing from another host
    response = client.get(f"/docs/assets/{asset}")
    assert response.status_code == 200 and len(response.content) > 10_000
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404


def test_readyz_checks_templates_and_fonts(client, monkeypatch):
    monkeypatch.delenv("BREVGEN_BROKER_URL", raising=False)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert set(checks) == {"templates", "fonts"} and all(c["ok"] for c in checks.values())
    assert "NotoSans-Regular.ttf" in checks["fonts"]["detail"]
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_503_when_the_configured_queue_is_unreachable(client, monkeypatch):
    from queue_servers import free_port

    monkeypatch.setenv("BREVGEN_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not-ready" and body["checks"]["broker"]["ok"] is False and body["checks"]["state"]["ok"] is False
    assert body["checks"]["templates"]["ok"] is True


def _samples(text: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_letters_by_event_format_and_outcome(client):
    before = _samples(client.get("/metrics").text)
    data = load("indkaldelse/dagpenge-fremmoede")
    assert client.post("/v1/letters/indkaldelse", json=data, headers={"accept": "text/html"}).status_code == 200
    assert client.post("/v1/letters/indkaldelse", json={**data, "case_ref": ""}, headers={"accept": "text/html"}).status_code == 422
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = _samples(response.text)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("brevgen_letters_total", event="indkaldelse", format="html", outcome="ok") == 1
    assert grew("brevgen_letters_total", event="indkaldelse", format="html", outcome="invalid") == 1
    assert grew("brevgen_render_seconds_count", event="indkaldelse", format="html") == 1


@pytest.mark.parametrize(
    "given, kept",
    [
        ("sag-17.anmodning-3", True),
        ("9f1c0b6e-2d7a-4e41-a0b3-c5d7e9f11223", True),
        (TEST_CPR, False),
        (TEST_CPR.replace("-", ""), False),
        ("x" * 65, False),
        ("a b", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_request_id_is_kept_only_when_short_safe_and_not_a_cpr_number(client, given, kept):
    response = client.get("/healthz", headers={"x-request-id": given} if given else {})
    returned = response.headers["x-request-id"]
    assert (returned == given) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", returned)
    assert TEST_CPR.replace("-", "") not in returned
    if kept:
        assert accept_request_id(given) == given


def test_every_problem_carries_the_request_id(client):
    response = client.post("/v1/letters/indkaldelse", json={"case_ref": "x"}, headers={"x-request-id": "anmodning-42"})
    assert response.status_code == 422
    assert response.json()["request_id"] == "anmodning-42" == response.headers["x-request-id"]
    missing = client.get("/findes-ikke")
    assert missing.json()["request_id"] == missing.headers["x-request-id"]


def test_every_log_line_names_its_request(client, caplog):
    from brevgen.observability import RequestIdFilter

    handler_filter = RequestIdFilter()
    logger = logging.getLogger("brevgen.service")
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="brevgen.service"):
            client.post("/v1/letters/indkaldelse", json=load("indkaldelse/dagpenge-fremmoede"), headers={"accept": "text/html", "x-request-id": "log-7"})
    finally:
        logger.removeFilter(handler_filter)
    (record,) = [r for r in caplog.records if r.getMessage().startswith("letter ")]
    assert record.request_id == "log-7"
    config = log_config()
    assert all("[%(request_id)s]" in f["fmt"] for f in config["formatters"].values())
    assert all("request_id" in h["filters"] for h in config["handlers"].values())


def test_notes_reach_single_format_answers(client):
    data = load("tilbud/virksomhedspraktik-kontanthjaelp")
    expected = generate_letter("tilbud", data, ["html"]).notes
    assert expected  # this example uses a legal value not yet confirmed
    response = client.post("/v1/letters/tilbud", json=data, headers={"accept": "text/html"})
    header = response.headers[NOTES_HEADER]
    assert header.isascii()
    assert json.loads(header) == list(expected)
    quiet = client.post("/v1/letters/indkaldelse", json=load("indkaldelse/dagpenge-fremmoede"), headers={"accept": "text/html"})
    assert json.loads(quiet.headers[NOTES_HEADER]) == list(generate_letter("indkaldelse", load("indkaldelse/dagpenge-fremmoede"), ["html"]).notes)


def test_a_batch_may_be_larger_than_a_single_case(monkeypatch):
    """POST /v1/batches has its own body limit (BREVGEN_MAX_BATCH_BODY): 10,000 cases are
    tens of megabytes; every other endpoint keeps BREVGEN_MAX_BODY."""
    monkeypatch.delenv("BREVGEN_BROKER_URL", raising=False)
    client = TestClient(create_app(api_key="", max_body=1000))
    big = json.dumps([{"id": f"x{i}", "event": "indkaldelse", "data": {"pad": "x" * 100}} for i in range(50)])
    assert client.post("/v1/letters/indkaldelse", content=big, headers={"content-type": "application/json"}).status_code == 413
    past_limit = client.post("/v1/batches", content=big, headers={"content-type": "application/json"})
    assert past_limit.status_code == 503  # through the size check; no queue is set up here
    monkeypatch.setenv("BREVGEN_MAX_BATCH_BODY", "2000")
    small = TestClient(create_app(api_key="", max_body=1000))
    response = small.post("/v1/batches", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["detail"] == "Kroppen må højst fylde 2000 bytes"
