"""Job state in Redis: submitting a batch, idempotency keys, per-record results, the manifest.

Keys (all expire ``job_ttl`` seconds after submission):

- ``brevgen:job:<id>``: a hash with the job's settings and state (status, total, formats,
  webhook, created, finished, request id).
- ``brevgen:job:<id>:done``: a hash, input line -> that record's result: ``{"ok": <manifest
  line>}`` or ``{"error": <errors.jsonl line>}``. Setting a field is idempotent, so a record
  made twice (a task handed to a second worker) is still one letter; progress is its length.
- ``brevgen:job:<id>:errors``: input line -> the error, for the records that failed, and
  ``brevgen:job:<id>:files``: file name -> input line, for the letters made; so progress,
  the errors and one letter's file are read without going through every result (a job may
  have 100,000).
- ``brevgen:idem:<sha256 of the key>``: the job an Idempotency-Key made, with the request's
  fingerprint, so a retried POST gets the same job and a reused key with another body is refused.
- ``brevgen:job:<id>:chunks``: the names of the chunks whose task has run to the end, and
  ``brevgen:jobs:active``: the jobs whose chunks are all on the queue and that are not finished;
  with these, :mod:`brevgen.queue.recovery` finds a chunk the broker lost and queues it again.

The case data travels through the output store, not the broker: submission writes the
records in chunks to ``<id>/.chunks/<n>.json`` and the tasks carry only the job id and the
chunk's name. Finishing a job writes ``manifest.jsonl`` and ``errors.jsonl`` in input order
(the same lines a local ``brevgen batch`` writes) and deletes the chunks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..batch.folder import ERRORS, MANIFEST
from ..batch.records import Record, RecordError, read_jsonl
from ..batch.run import without_duplicates
from ..errors import UsageError
from .config import QueueSettings
from .store import OutputStore, open_store

CHUNKS = ".chunks"
_JOB = "brevgen:job:{}"
_DONE = "brevgen:job:{}:done"
_ERRORS = "brevgen:job:{}:errors"
_FILES = "brevgen:job:{}:files"
_IDEM = "brevgen:idem:{}"
_FINALIZE = "brevgen:job:{}:finalize"
_CHUNKS_DONE = "brevgen:job:{}:chunks"
_RECOVERY = "brevgen:job:{}:recovery:{}"
ACTIVE = "brevgen:jobs:active"
MAX_ERRORS_SHOWN = 1000


class IdempotencyConflict(UsageError):
    """The Idempotency-Key was used before with a different request."""

    code = "idempotency-key-reused"


class JobNotFound(UsageError):
    code = "job-not-found"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, decode_responses=True)


def is_job_id(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _record_json(record: Record) -> dict[str, Any]:
    return {"line": record.line, "id": record.id, "event": record.event, "data": record.data}


def record_from_json(obj: dict[str, Any]) -> Record:
    return Record(id=obj["id"], event=obj["event"], data=obj["data"], line=obj["line"])


class Jobs:
    """The job state of one Redis, and the output store the letters go to."""

    def __init__(self, settings: QueueSettings, store: OutputStore | None = None, redis=None, sender=None):
        self.settings = settings.require()
        self.store = store or open_store(settings.store_url, settings.s3_endpoint)
        self.redis = redis or redis_client(settings.state_url)
        # What puts tasks on the queue (brevgen.queue.tasks.Sender): given by the caller, so job
        # state does not depend on Celery (and tests can watch what is sent).
        self.sender = sender

    # --- submission ----------------------------------------------------------------------------

    def submit(
        self,
        jsonl: bytes,
        formats: tuple[str, ...],
        *,
        webhook: str | None = None,
        idempotency_key: str | None = None,
        request_id: str | None = None,
    ) -> tuple[str, bool]:
        """Make a job of the JSONL records; returns (job id, created). ``created`` is False when
        ``idempotency_key`` names a job made before by the same request (nothing new is queued).

        Records that cannot become a letter (bad JSON, unsafe id, unknown event, an id used
        twice) are the job's errors at once; the rest go on the queue in chunks.
        """
        if webhook and not self.settings.webhook_secret:
            raise UsageError("webhook kræver, at BREVGEN_WEBHOOK_SECRET er sat på tjenesten (nøglen til signaturen)")
        fingerprint = hashlib.sha256(b"\x1f".join([jsonl, ",".join(formats).encode(), (webhook or "").encode()])).hexdigest()
        job_id = str(uuid.uuid4())
        idem_key = None
        if idempotency_key is not None:
            idem_key = _IDEM.format(hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest())
            claim = json.dumps({"job": job_id, "fingerprint": fingerprint})
            if not self.redis.set(idem_key, claim, nx=True, ex=self.settings.job_ttl):
                earlier = json.loads(self.redis.get(idem_key) or "{}")
                if earlier.get("fingerprint") != fingerprint:
                    raise IdempotencyConflict(
                        "Idempotency-Key er brugt før til en anden kørsel. Brug en ny nøgle til nye data"
                    )
                return earlier["job"], False
        try:
            self._create(job_id, jsonl, formats, webhook, request_id)
        except BaseException:
            if idem_key is not None:
                self.redis.delete(idem_key)
            raise
        return job_id, True

    def _create(self, job_id, jsonl, formats, webhook, request_id) -> None:
        ttl = self.settings.job_ttl
        chunks: list[list[dict[str, Any]]] = []
        errors: dict[str, str] = {}
        total = 0
        for item in self._read(jsonl):
            total += 1
            if isinstance(item, RecordError):
                errors[str(item.line)] = json.dumps({"error": item.as_dict()}, ensure_ascii=False)
                continue
            if not chunks or len(chunks[-1]) >= self.settings.chunk_size:
                chunks.append([])
            chunks[-1].append(_record_json(item))
        if total == 0:
            raise UsageError("kørslen har ingen poster. Send én linje pr. brev: {\"id\": ..., \"event\": ..., \"data\": {...}}")
        names = []
        for number, chunk in enumerate(chunks):
            name = f"{CHUNKS}/{number:06d}.json"
            # Not fsynced: a job whose chunks a power cut took has lost its Redis state too.
            self.store.write(f"{job_id}/{name}", json.dumps(chunk, ensure_ascii=False).encode("utf-8"), durable=False)
            names.append(name)
        job_key, done_key, errors_key = _JOB.format(job_id), _DONE.format(job_id), _ERRORS.format(job_id)
        pipe = self.redis.pipeline()
        pipe.hset(
            job_key,
            mapping={
                "status": "queued",
                "total": total,
                "formats": ",".join(formats),
                "webhook": webhook or "",
                "created": _now(),
                "request_id": request_id or "",
                "chunks": len(names),
            },
        )
        if errors:
            pipe.hset(done_key, mapping=errors)
            pipe.hset(errors_key, mapping=errors)
        for key in (job_key, done_key, errors_key, _FILES.format(job_id)):
            pipe.expire(key, ttl)
        pipe.execute()
        for name in names:
            self.sender.chunk(job_id, name)
        if names:  # only now: a chunk not sent yet is not a lost one
            self.redis.sadd(ACTIVE, job_id)
        if not names and self.claim_finish(job_id):  # every record was bad: nothing for a worker to do
            if self.finish(job_id) and webhook:
                self.sender.webhook(job_id)

    @staticmethod
    def _read(jsonl: bytes) -> Iterator[Record | RecordError]:
        # The batch's own JSONL reader (line numbers, Danish errors, ids never echoed).
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as fh:
            fh.write(jsonl)
            fh.flush()
            yield from without_duplicates(read_jsonl(Path(fh.name)))

    # --- the workers' side ---------------------------------------------------------------------

    def meta(self, job_id: str) -> dict[str, str]:
        meta = self.redis.hgetall(_JOB.format(job_id))
        if not meta:
            raise JobNotFound(f"kørslen {job_id} findes ikke (eller er slettet efter {self.settings.job_ttl // 86400} dage)")
        return meta

    def chunk(self, job_id: str, name: str) -> list[Record] | None:
        try:
            data = self.store.read(f"{job_id}/{name}")
        except (FileNotFoundError, KeyError):
            return None
        except Exception as exc:  # S3: NoSuchKey after the job was finished and cleaned up
            if type(exc).__name__ in ("NoSuchKey", "ClientError"):
                return None
            raise
        return [record_from_json(obj) for obj in json.loads(data)]

    def already_written(self, job_id: str, record: Record, formats: Iterable[str]) -> bool:
        """True when the job records this letter with the same input hash and its files are whole."""
        raw = self.redis.hget(_DONE.format(job_id), str(record.line))
        if not raw:
            return False
        entry = json.loads(raw).get("ok")
        if not entry or entry.get("input_sha256") != record.fingerprint():
            return False
        if not set(formats) <= {f["format"] for f in entry["files"]}:
            return False
        return all(self.store.size(f"{job_id}/{f['file']}") == f["bytes"] for f in entry["files"])

    def record(self, job_id: str, line: int, result: dict[str, Any]) -> None:
        """Store a record's result. An error never replaces a letter already made (a duplicate
        task can fail where the first succeeded, say on a file the first one just renamed)."""
        key, field = _DONE.format(job_id), str(line)
        value = json.dumps(result, ensure_ascii=False)
        pipe = self.redis.pipeline()  # MULTI/EXEC: the result and its indexes together
        if "error" in result:
            existing = self.redis.hget(key, field)
            if existing and "ok" in json.loads(existing):
                return
            pipe.hset(key, field, value).hset(_ERRORS.format(job_id), field, value)
        else:
            pipe.hset(key, field, value).hdel(_ERRORS.format(job_id), field)
            pipe.hset(_FILES.format(job_id), mapping={f["file"]: field for f in result["ok"]["files"]})
        pipe.execute()

    def chunk_done(self, job_id: str, name: str) -> None:
        """Note that a chunk's task ran to the end (every record of it has a result)."""
        key = _CHUNKS_DONE.format(job_id)
        self.redis.pipeline().sadd(key, name).expire(key, self.settings.job_ttl).execute()

    def missing_chunks(self, job_id: str) -> list[str]:
        """The chunks of a job whose task has not run to the end, in order."""
        count = int(self.meta(job_id).get("chunks") or 0)
        done = self.redis.smembers(_CHUNKS_DONE.format(job_id))
        names = (f"{CHUNKS}/{number:06d}.json" for number in range(count))
        return [name for name in names if name not in done]

    def active(self) -> list[str]:
        """The jobs on the queue that are not finished."""
        return sorted(self.redis.smembers(ACTIVE))

    def progress(self, job_id: str) -> int:
        """How many records of a job have a result."""
        return int(self.redis.hlen(_DONE.format(job_id)))

    def claim_recovery(self, job_id: str, progress: int, hold: int) -> bool:
        """True for the one caller that should queue a stalled job's work again at this progress
        (another worker's sweep leaves it alone for ``hold`` seconds)."""
        return bool(self.redis.set(_RECOVERY.format(job_id, progress), "1", nx=True, ex=hold))

    def forget(self, job_id: str) -> None:
        """Take a job off the active list (finished, or its state has expired)."""
        self.redis.srem(ACTIVE, job_id)

    def mark_running(self, job_id: str) -> None:
        job_key = _JOB.format(job_id)
        if self.redis.hget(job_key, "status") == "queued":
            self.redis.hset(job_key, "status", "running")

    def complete(self, job_id: str) -> bool:
        meta = self.redis.hmget(_JOB.format(job_id), "total")
        return meta[0] is not None and self.redis.hlen(_DONE.format(job_id)) >= int(meta[0])

    def claim_finish(self, job_id: str) -> bool:
        """True for the one caller that should queue the finishing step (it may run again after a crash)."""
        return bool(self.redis.set(_FINALIZE.format(job_id), "1", nx=True, ex=self.settings.job_ttl))

    def finish(self, job_id: str) -> bool:
        """Write manifest.jsonl and errors.jsonl in input order, delete the chunks, mark the job
        done. Idempotent: run again, it writes the same files. Returns True the first time."""
        results = self.redis.hgetall(_DONE.format(job_id))
        manifest, errors = [], []
        for line in sorted(results, key=int):
            result = json.loads(results[line])
            target = manifest if "ok" in result else errors
            target.append(json.dumps(result.get("ok") or result.get("error"), ensure_ascii=False, separators=(",", ":")))
        self.store.write(f"{job_id}/{MANIFEST}", "".join(f"{line}\n" for line in manifest).encode("utf-8"))
        self.store.write(f"{job_id}/{ERRORS}", "".join(f"{line}\n" for line in errors).encode("utf-8"))
        for key in list(self.store.keys(f"{job_id}/{CHUNKS}")):
            self.store.delete(key)
        self.store.cleanup(job_id)
        first = bool(self.redis.hsetnx(_JOB.format(job_id), "finished", _now()))
        self.redis.hset(_JOB.format(job_id), "status", "done")
        self.forget(job_id)
        return first

    # --- what callers see ----------------------------------------------------------------------

    def results(self, job_id: str) -> list[dict[str, Any]]:
        raw = self.redis.hgetall(_DONE.format(job_id))
        return [json.loads(raw[line]) for line in sorted(raw, key=int)]

    def letters(self, job_id: str) -> list[dict[str, Any]]:
        """The manifest lines of the letters made so far, in input order."""
        self.meta(job_id)
        return [r["ok"] for r in self.results(job_id) if "ok" in r]

    def status(self, job_id: str, base: str = "/v1/batches") -> dict[str, Any]:
        meta = self.meta(job_id)
        pipe = self.redis.pipeline()
        pipe.hlen(_DONE.format(job_id)).hgetall(_ERRORS.format(job_id))
        done, raw_errors = pipe.execute()
        errors = [json.loads(raw_errors[line])["error"] for line in sorted(raw_errors, key=int)]
        link = f"{base}/{job_id}"
        return {
            "id": job_id,
            "status": meta.get("status", "queued"),
            "total": int(meta.get("total", 0)),
            "done": done,
            "letters": done - len(errors),
            "failed": len(errors),
            "formats": [f for f in meta.get("formats", "").split(",") if f],
            "created": meta.get("created", ""),
            "finished": meta.get("finished") or None,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "links": {
                "self": link,
                "letters": f"{link}/letters",
                "archive": f"{link}/archive",
                "manifest": f"{link}/manifest.jsonl",
                "errors": f"{link}/errors.jsonl",
            },
        }

    def file_of(self, job_id: str, name: str) -> dict[str, Any] | None:
        """The manifest's entry for a letter file of this job (None: not one of its letters)."""
        self.meta(job_id)
        line = self.redis.hget(_FILES.format(job_id), name)
        raw = self.redis.hget(_DONE.format(job_id), line) if line else None
        entry = json.loads(raw).get("ok") if raw else None
        return next((f for f in entry["files"] if f["file"] == name), None) if entry else None
