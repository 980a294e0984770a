"""Batches on the queue, against a real redis-server (Debian's) and real ``brevgen worker``
processes (Celery), through the HTTP endpoints and the CLI.

- 500 letters through POST /v1/batches with two workers, one killed with SIGKILL midway:
  the job completes with every letter exactly once (manifest, files, hashes, nothing extra).
- A retried POST with the same Idempotency-Key makes no second job; the key with another
  body is refused.
- The completion webhook arrives, signed with HMAC-SHA256, at a real HTTP server on loopback.
- A chunk, or the finishing step, that the broker lost outright (taken off the queue by a
  worker killed before it noted the task as unacknowledged) is queued again by a worker.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import threading
import time
import zipfile

import pytest
from conftest import EXAMPLES
from fastapi.testclient import TestClient
from queue_servers import RedisServer, Worker, queue_env

from brevgen import generate_letter
from brevgen.casefile import read_case_file
from brevgen.queue.webhook import SIGNATURE_HEADER, sign, verify
from brevgen.service import create_app

SECRET = "hemmelig-test-nøgle"
CASES = [(p.parent.name, read_case_file(p)) for p in EXAMPLES]


def records(n: int, prefix: str = "brev") -> list[dict]:
    return [{"id": f"{prefix}-{i:04d}", "event": CASES[i % len(CASES)][0], "data": CASES[i % len(CASES)][1]} for i in range(n)]


def jsonl(items: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items).encode("utf-8")


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture()
def queue(redis, tmp_path, monkeypatch):
    """The service's environment for a queue on the test redis (a database of its own per test)."""
    db = int(hashlib.sha256(str(tmp_path).encode()).hexdigest(), 16) % 15 + 1
    url = redis.url.rsplit("/", 1)[0] + f"/{db}"
    env = queue_env(url, tmp_path / "store", BREVGEN_WEBHOOK_SECRET=SECRET)
    for name in ("BREVGEN_BROKER_URL", "BREVGEN_STORE", "BREVGEN_VISIBILITY_TIMEOUT", "BREVGEN_CHUNK_SIZE", "BREVGEN_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.delenv("BREVGEN_STATE_URL", raising=False)
    import redis as redis_py

    redis_py.Redis.from_url(url).flushdb()
    started: list[Worker] = []

    def worker(name: str) -> Worker:
        w = Worker(name, env, tmp_path).start()
        started.append(w)
        return w

    yield {"env": env, "store": tmp_path / "store", "worker": worker, "url": url}
    for w in started:
        w.stop()


@pytest.fixture()
def client():
    return TestClient(create_app(api_key=""))


def wait_for(client, job_id: str, until, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/v1/batches/{job_id}").json()
        if until(status):
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


@pytest.mark.slow
def test_500_letters_two_workers_one_killed_midway_every_letter_exactly_once(queue, client):
    first, second = queue["worker"]("w1"), queue["worker"]("w2")
    first.wait_ready(), second.wait_ready()
    items = records(500)
    response = client.post("/v1/batches?formats=html,docx", content=jsonl(items), headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/v1/batches/{job['id']}" and job["total"] == 500

    midway = wait_for(client, job["id"], lambda s: s["done"] >= 150)
    first.kill()  # SIGKILL: the letters it holds are on the broker, unacknowledged
    assert midway["done"] < 500
    done = wait_for(client, job["id"], lambda s: s["status"] == "done", timeout=600)
    assert (done["letters"], done["failed"], done["errors"]) == (500, 0, [])
    assert "chunk job=" in first.text() and "chunk job=" in second.text()  # both did work
    # The task the killed worker was making went back on the broker (late acknowledgement)
    # and was made by the other one. Rarely the kill comes between two tasks: either while the
    # worker was taking the next one off the queue (the broker loses it, and the other worker's
    # recovery queues it again) or with nothing in hand at all.
    received = set(re.findall(r"Task brevgen\.letters\[([0-9a-f-]+)\] received", first.text()))
    finished = set(re.findall(r"Task brevgen\.letters\[([0-9a-f-]+)\] succeeded", first.text()))
    lost = received - finished
    assert all(f"Task brevgen.letters[{task}] succeeded" in second.text() for task in lost)
    if not lost:
        print("the kill came between two tasks; recovery:", "queued again" in second.text())

    folder = queue["store"] / job["id"]
    manifest = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["id"] for m in manifest] == [r["id"] for r in items]  # each once, in input order
    assert [m["line"] for m in manifest] == list(range(1, 501))
    listed = set()
    for entry in manifest:
        assert [f["format"] for f in entry["files"]] == ["html", "docx"]
        for f in entry["files"]:
            content = (folder / f["file"]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == f["sha256"] and len(content) == f["bytes"]
            listed.add(f["file"])
    # Exactly the manifest's files: no second copy, no temporary file of the killed worker, no chunk left.
    assert set(os.listdir(folder)) == listed | {"manifest.jsonl", "errors.jsonl"}
    assert (folder / "errors.jsonl").read_bytes() == b""
    # The letters are the pipeline's: the same bytes as a single render.
    for entry, item in list(zip(manifest, items))[::97]:
        single = generate_letter(item["event"], item["data"], ["html", "docx"])
        assert {f["format"]: (folder / f["file"]).read_bytes() for f in entry["files"]} == dict(single.files)
        assert entry["notes"] == list(single.notes)

    # Fetched one by one, and as one archive.
    name = manifest[0]["files"][1]["file"]
    one = client.get(f"/v1/batches/{job['id']}/letters/{name}")
    assert one.status_code == 200 and one.content == (folder / name).read_bytes()
    assert one.headers["content-type"].startswith("application/vnd.openxmlformats")
    archive = client.get(f"/v1/batches/{job['id']}/archive")
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert set(z.namelist()) == listed | {"manifest.jsonl", "errors.jsonl"}
        assert z.read(name) == (folder / name).read_bytes()
    assert client.get(f"/v1/batches/{job['id']}/manifest.jsonl").content == (folder / "manifest.jsonl").read_bytes()


@pytest.mark.slow
def test_a_retried_post_with_the_same_idempotency_key_makes_no_second_job(queue, client):
    import redis as redis_py

    body = jsonl(records(6, "idem"))
    headers = {"content-type": "application/x-ndjson", "idempotency-key": "sag-2026-uge-12"}
    first = client.post("/v1/batches", content=body, headers=headers)
    again = client.post("/v1/batches", content=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    state = redis_py.Redis.from_url(queue["url"])
    assert len([k for k in state.scan_iter("brevgen:job:*") if k.count(b":") == 2]) == 1  # brevgen:job:<id>
    assert state.llen("brevgen") == 2  # 6 records in chunks of 4: two tasks, queued once

    other = client.post("/v1/batches", content=jsonl(records(7, "idem")), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-reused" and other.json()["request_id"] == other.headers["x-request-id"]

    # Nothing was made twice: one worker finishes the one job.
    queue["worker"]("w1").wait_ready()
    done = wait_for(client, first.json()["id"], lambda s: s["status"] == "done", timeout=120)
    assert done["letters"] == 6


def take_off_the_queue(url: str) -> tuple[str, list]:
    """Take the oldest task off the broker as a worker does (BRPOP), and drop it, as a worker
    killed before it noted the task as unacknowledged does. Returns the task's name and args."""
    import ast

    import redis as redis_py

    raw = redis_py.Redis.from_url(url).rpop("brevgen")
    assert raw is not None, "the queue is empty"
    headers = json.loads(raw)["headers"]
    return headers["task"], ast.literal_eval(headers["argsrepr"])


@pytest.mark.slow
def test_a_chunk_the_broker_lost_is_queued_again_and_every_letter_is_made_once(queue, client):
    import redis as redis_py

    items = records(12, "tabt")
    response = client.post("/v1/batches?formats=html", content=jsonl(items), headers={"content-type": "application/x-ndjson"})
    job = response.json()
    task, args = take_off_the_queue(queue["url"])
    assert (task, args) == ("brevgen.letters", [job["id"], ".chunks/000000.json"])
    assert redis_py.Redis.from_url(queue["url"]).hlen("unacked") == 0  # no trace of it on the broker

    worker = queue["worker"]("w1").wait_ready()
    done = wait_for(client, job["id"], lambda s: s["status"] == "done", timeout=180)
    assert (done["letters"], done["failed"]) == (12, 0)
    assert "job stalled at 8 of 12 with nothing on the broker: queued again .chunks/000000.json" in worker.text()
    folder = queue["store"] / job["id"]
    manifest = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["id"] for m in manifest] == [r["id"] for r in items]
    assert sorted(os.listdir(folder)) == sorted([f["file"] for m in manifest for f in m["files"]] + ["manifest.jsonl", "errors.jsonl"])
    first = generate_letter(items[0]["event"], items[0]["data"], ["html"])
    assert (folder / manifest[0]["files"][0]["file"]).read_bytes() == dict(first.files)["html"]
    assert redis_py.Redis.from_url(queue["url"]).sismember("brevgen:jobs:active", job["id"]) == 0


def test_work_is_queued_again_only_when_the_broker_is_empty_and_the_job_has_stalled(queue, client):
    import redis as redis_py

    from brevgen.queue.recovery import STALL, Sweep, broker_idle
    from brevgen.queue.tasks import QUEUE_NAME, celery_app, open_jobs

    job = client.post("/v1/batches?formats=html", content=jsonl(records(8, "ro")), headers={"content-type": "application/x-ndjson"}).json()
    jobs, app, broker = open_jobs(), celery_app(), redis_py.Redis.from_url(queue["url"])
    now = [1000.0]
    sweeps = [Sweep(jobs, lambda: broker_idle(app, QUEUE_NAME), clock=lambda: now[0]) for _ in range(2)]  # two workers
    assert [s() for s in sweeps] == [[], []]  # first look: progress noted
    now[0] += STALL + 1
    assert broker_idle(app, QUEUE_NAME) is False  # two chunks wait on the broker: they are not lost
    assert [s() for s in sweeps] == [[], []] and broker.llen("brevgen") == 2

    take_off_the_queue(queue["url"]), take_off_the_queue(queue["url"])
    assert broker_idle(app, QUEUE_NAME) is True
    chunks = [f"{job['id']}/.chunks/000000.json", f"{job['id']}/.chunks/000001.json"]
    assert [s() for s in sweeps] == [chunks, []]  # one worker queues them again, once
    assert broker.llen("brevgen") == 2
    now[0] += STALL + 1
    assert [s() for s in sweeps] == [[], []]  # the broker holds them again


@pytest.mark.slow
def test_a_finishing_step_the_broker_lost_is_queued_again(queue, client):
    from brevgen.queue.tasks import make_chunk

    items = records(3, "slut")
    job = client.post("/v1/batches?formats=html", content=jsonl(items), headers={"content-type": "application/x-ndjson"}).json()
    # The chunk's task runs here, to the end; then its finishing task is lost on the way.
    task, args = take_off_the_queue(queue["url"])
    assert make_chunk(*args) == {"written": 3, "skipped": 0, "failed": 0}
    assert take_off_the_queue(queue["url"]) == ("brevgen.finish", [job["id"]])
    stuck = client.get(f"/v1/batches/{job['id']}").json()
    assert (stuck["status"], stuck["done"]) == ("running", 3)

    worker = queue["worker"]("w1").wait_ready()
    done = wait_for(client, job["id"], lambda s: s["status"] == "done", timeout=120)
    assert done["letters"] == 3 and done["finished"]
    assert "job stalled at 3 of 3 with nothing on the broker: queued again finish" in worker.text()
    manifest = (queue["store"] / job["id"] / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in manifest] == [r["id"] for r in items]


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["content-length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_the_webhook_arrives_signed_when_the_job_is_done(queue, client):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        hook = f"http://127.0.0.1:{server.server_port}/brevgen-faerdig"
        items = records(3, "hook") + [{"id": "hook-bad", "event": "indkaldelse", "data": {}}]
        response = client.post("/v1/batches", json={"records": items, "formats": ["html"], "webhook": hook})
        assert response.status_code == 202, response.text
        queue["worker"]("w1").wait_ready()
        deadline = time.monotonic() + 120
        while not _Hook.received:
            assert time.monotonic() < deadline, "no webhook call"
            time.sleep(0.2)
    finally:
        server.shutdown()
    headers, body = _Hook.received[0]
    payload = json.loads(body)
    assert payload["event"] == "batch.finished" and payload["id"] == response.json()["id"]
    assert (payload["status"], payload["letters"], payload["failed"]) == ("done", 3, 1)
    assert headers["X-Brevgen-Job"] == payload["id"]
    assert verify(SECRET, headers[SIGNATURE_HEADER], body)
    assert not verify(SECRET, headers[SIGNATURE_HEADER], body.replace(b"done", b"dune"))
    assert not verify("en anden nøgle", headers[SIGNATURE_HEADER], body)
    assert len(_Hook.received) == 1


@pytest.mark.slow
def test_status_shows_per_record_errors_at_once_and_letters_as_they_come(queue, client):
    offer = next(data for event, data in CASES if event == "tilbud")
    items = [{"id": "ok-1", "event": "tilbud", "data": offer}, {"id": "ok-1", "event": "tilbud", "data": {}}]
    body = jsonl(items) + b'{"id": "cut-off"\n'
    response = client.post("/v1/batches?formats=html", content=body, headers={"content-type": "application/jsonl"})
    job = response.json()
    assert (job["total"], job["failed"], job["status"]) == (3, 2, "queued")
    assert [e["code"] for e in job["errors"]] == ["duplicate-id", "invalid-json"]
    assert client.get(f"/v1/batches/{job['id']}/archive").json()["code"] == "not-finished"
    queue["worker"]("w1").wait_ready()
    done = wait_for(client, job["id"], lambda s: s["status"] == "done", timeout=120)
    assert done["letters"] == 1 and len(client.get(f"/v1/batches/{job['id']}/letters").json()) == 1


def test_without_a_queue_batches_answer_503_and_unknown_jobs_404(monkeypatch, client):
    monkeypatch.delenv("BREVGEN_BROKER_URL", raising=False)
    response = client.post("/v1/batches", json=[])
    assert response.status_code == 503 and response.json()["code"] == "queue-unavailable"
    assert response.headers["content-type"] == "application/problem+json"


def test_bad_submissions_are_usage_errors(queue, client):
    assert client.get("/v1/batches/../../etc").status_code == 404
    assert client.get("/v1/batches/0b5e6f3c-1d2a-4c3b-9a8f-7e6d5c4b3a21").json()["code"] == "job-not-found"
    assert client.post("/v1/batches", json={"records": "x"}).status_code == 400
    assert client.post("/v1/batches", json=[]).json()["code"] == "usage"  # no records
    assert client.post("/v1/batches?formats=odt", json=records(1)).json()["detail"].startswith("ukendt format")
    assert client.post("/v1/batches?webhook=file:///etc/passwd", json=records(1)).status_code == 400


def test_the_signature_scheme():
    body = b'{"id":"x"}'
    header = sign("k", body, timestamp=1_700_000_000)
    assert verify("k", header, body, now=1_700_000_100)
    assert not verify("k", header, body, now=1_700_000_000 + 301)  # too old: a replay
    assert not verify("k", "t=1,v2=abc", body)


@pytest.mark.slow
def test_the_cli_submits_to_the_queue_and_fetches_the_letters(queue, tmp_path):
    import subprocess
    import sys

    source = tmp_path / "breve.jsonl"
    source.write_bytes(jsonl(records(5, "cli")))
    queue["worker"]("w1").wait_ready()
    out = tmp_path / "ud"
    done = subprocess.run(
        [sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(out), "--queue", "--format", "html", "--json"],
        env=queue["env"], capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["letters"], result["failed"]) == (5, 0)
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(os.listdir(out)) == sorted([m["files"][0]["file"] for m in manifest] + ["manifest.jsonl", "errors.jsonl"])
    # The local batch on the same records writes the same manifest (same files, hashes, notes).
    from brevgen import run_batch

    local = tmp_path / "lokalt"
    run_batch(source, local, formats="html", workers=1)
    assert (local / "manifest.jsonl").read_bytes() == (out / "manifest.jsonl").read_bytes()


@pytest.mark.slow
def test_workers_write_to_an_s3_compatible_store(queue, client, tmp_path, monkeypatch):
    """The S3 store end to end (submission, worker, manifest, fetching a letter), against
    moto's S3 server on loopback: an emulator of the S3 API, not a real S3 store."""
    import boto3
    from moto.server import ThreadedMotoServer
    from queue_servers import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        aws = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
        import uuid

        bucket = f"breve-{uuid.uuid4().hex[:12]}"  # moto keeps buckets per process: a name of our own
        s3 = {"BREVGEN_STORE": f"s3://{bucket}/kommune", "BREVGEN_S3_ENDPOINT": endpoint, **aws}
        for name, value in s3.items():
            monkeypatch.setenv(name, value)
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        queue["env"].update(s3)
        queue["worker"]("w1").wait_ready()
        response = client.post("/v1/batches?formats=html,ics", json=[r for r in records(14, "s3") if (r["data"].get("meeting") or {}).get("start")][:3])
        assert response.status_code == 202, response.text
        job = wait_for(client, response.json()["id"], lambda s: s["status"] == "done", timeout=120)
        assert (job["letters"], job["failed"]) == (3, 0)
        keys = sorted(o["Key"] for o in boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=bucket)["Contents"])
        assert f"kommune/{job['id']}/manifest.jsonl" in keys and len(keys) == 3 * 2 + 2  # no chunk left
        entry = client.get(f"/v1/batches/{job['id']}/letters").json()[0]
        ics = client.get(f"/v1/batches/{job['id']}/letters/{entry['files'][1]['file']}")
        assert ics.status_code == 200 and ics.content.startswith(b"BEGIN:VCALENDAR")
        assert client.get("/readyz").json()["checks"]["store"]["detail"].startswith(f"S3-lager s3://{bucket}/kommune")
    finally:
        server.stop()


@pytest.mark.slow
def test_rabbitmq_works_as_the_broker_by_url(queue, client, tmp_path, monkeypatch):
    """The same job with RabbitMQ (Debian's rabbitmq-server) as Celery's broker, chosen by
    URL; job state stays in Redis (BREVGEN_STATE_URL)."""
    from queue_servers import RabbitServer

    rabbit = RabbitServer(tmp_path / "rabbitmq").start()
    worker = None
    try:
        settings = {"BREVGEN_BROKER_URL": rabbit.url, "BREVGEN_STATE_URL": queue["url"]}
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        queue["env"].update(settings)
        worker = queue["worker"]("w1").wait_ready()
        assert "amqp://" in worker.text()
        response = client.post("/v1/batches?formats=html", json=records(10, "amqp"))
        assert response.status_code == 202, response.text
        done = wait_for(client, response.json()["id"], lambda s: s["status"] == "done", timeout=120)
        assert (done["letters"], done["failed"]) == (10, 0)
        assert client.get("/readyz").json()["checks"]["broker"]["detail"] == f"mægler amqp://127.0.0.1:{rabbit.port}"
        # Without a Redis for the job state, a RabbitMQ broker is not enough: said at once.
        monkeypatch.delenv("BREVGEN_STATE_URL")
        refused = client.post("/v1/batches", json=records(1, "amqp"))
        assert refused.status_code == 400 and "BREVGEN_STATE_URL" in refused.json()["detail"]
    finally:
        if worker is not None:
            worker.stop()  # before the broker goes, so it does not wait to reconnect
        rabbit.stop()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out += [int(c) for c in fh.read().split()]
    return out


@pytest.mark.slow
def test_a_worker_with_a_pool_of_processes_survives_a_killed_pool_process(queue, client):
    """brevgen worker -c 2 runs a prefork pool; a pool process killed with SIGKILL mid-task
    gives its task back at once (reject_on_worker_lost) and Celery starts a new process."""
    import signal

    worker = Worker("pool", queue["env"], queue["store"].parent).start(concurrency=2).wait_ready()
    pool = _children(worker.process.pid)
    assert len(pool) >= 2
    response = client.post("/v1/batches?formats=html,docx", json=records(120, "pool"))
    job = response.json()
    wait_for(client, job["id"], lambda s: s["done"] >= 30)
    os.kill(pool[0], signal.SIGKILL)
    done = wait_for(client, job["id"], lambda s: s["status"] == "done", timeout=300)
    assert (done["letters"], done["failed"]) == (120, 0)
    manifest = (queue["store"] / job["id"] / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in manifest] == [r["id"] for r in records(120, "pool")]
    assert worker.process.poll() is None  # the worker itself lives on
    worker.stop()


def test_a_letter_made_after_a_failed_try_is_a_letter_and_an_error_never_replaces_one(queue):
    """Per-record results are idempotent: a record that failed in one try and was made in the
    next counts as a letter; a late failing duplicate of a made letter changes nothing."""
    from brevgen.queue.config import QueueSettings
    from brevgen.queue.jobs import Jobs

    class NoSender:
        def chunk(self, job_id, name):
            pass

    jobs = Jobs(QueueSettings.from_env(), sender=NoSender())
    job_id, _ = jobs.submit(jsonl(records(2, "rec")), ("html",))
    entry = {"id": "rec-0000", "files": [{"format": "html", "file": "a.html", "sha256": "0", "bytes": 1}]}
    error = {"line": 1, "id": "rec-0000", "code": "internal", "problems": [], "message": "x"}
    jobs.record(job_id, 1, {"error": error})
    assert (jobs.status(job_id)["done"], jobs.status(job_id)["failed"]) == (1, 1)
    jobs.record(job_id, 1, {"ok": entry})
    jobs.record(job_id, 1, {"error": error})
    status = jobs.status(job_id)
    assert (status["done"], status["letters"], status["failed"], status["errors"]) == (1, 1, 0, [])
    assert jobs.file_of(job_id, "a.html") == entry["files"][0] and jobs.file_of(job_id, "b.html") is None
