"""The /v1/batches endpoints: hand brevgen many letters, come back for them.

- ``POST /v1/batches``: JSONL (``application/x-ndjson`` or ``application/jsonl``, one
  ``{"id", "event", "data"}`` per line) or JSON (a list of those, or ``{"records": [...],
  "formats": [...], "webhook": "..."}``); ``?formats=`` and ``?webhook=`` for JSONL. An
  ``Idempotency-Key`` header makes a retried POST return the same job. Answers 202 at once
  with the job and its links; the letters are made by ``brevgen worker`` processes.
- ``GET /v1/batches/{id}``: progress and the per-record errors.
- ``GET /v1/batches/{id}/letters``: the manifest lines of the letters made so far;
  ``.../letters/{file}``: one letter file; ``.../archive``: everything as one zip (when done);
  ``.../manifest.jsonl`` and ``.../errors.jsonl``: the job's record (when done).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from typing import Any

import anyio
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from ..batch.folder import ERRORS, MANIFEST
from ..contract import PROBLEM, BatchJob
from ..errors import BrevgenError, UsageError
from ..observability import current_request_id
from ..render import all_formats, default_formats, parse_formats

JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines")


class QueueUnavailable(BrevgenError):
    code = "queue-unavailable"


class NotFinished(BrevgenError):
    code = "not-finished"


_opened: dict[Any, Any] = {}


def _jobs():
    """Job state for the service's settings, opened once (its Redis connection pool is reused
    by every request); the settings are read each time, so a changed environment is seen."""
    from .config import QueueSettings
    from .tasks import open_jobs

    settings = QueueSettings.from_env()
    if not settings.configured:
        raise QueueUnavailable("køen er ikke sat op på denne tjeneste (BREVGEN_BROKER_URL)")
    jobs = _opened.get(settings)
    if jobs is None:
        jobs = _opened[settings] = open_jobs(settings)
    return jobs


def _to_jsonl(raw: bytes, media: str) -> tuple[bytes, list[str] | None, str | None]:
    """The body as JSONL bytes, with formats and webhook when a JSON object gave them."""
    if media in JSONL_TYPES:
        return raw, None, None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError("kroppen er ikke gyldig JSON (UTF-8). Send JSONL som application/x-ndjson") from None
    formats = webhook = None
    if isinstance(body, dict):
        unknown = sorted(set(body) - {"records", "formats", "webhook"})
        if unknown or not isinstance(body.get("records"), list):
            raise UsageError("JSON-kroppen skal være en liste af breve eller {\"records\": [...], \"formats\": [...], \"webhook\": \"...\"}")
        formats, webhook, body = body.get("formats"), body.get("webhook"), body["records"]
    if not isinstance(body, list):
        raise UsageError("JSON-kroppen skal være en liste af breve: {\"id\": ..., \"event\": ..., \"data\": {...}}")
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in body]
    return "".join(f"{line}\n" for line in lines).encode("utf-8"), formats, webhook


def _media_type(name: str) -> str:
    for fmt in all_formats():
        if name.endswith("." + fmt.suffix):
            return fmt.media_type + ("; charset=utf-8" if fmt.text else "")
    return "application/octet-stream"


def batch_router(in_worker=None) -> APIRouter:
    router = APIRouter(prefix="/v1/batches", tags=["kørsler"])
    problem_content = {PROBLEM: {}}

    async def run(fn, *args):
        try:
            return await anyio.to_thread.run_sync(fn, *args)
        except BrevgenError:
            raise
        except (ConnectionError, OSError, TimeoutError) as exc:
            raise QueueUnavailable(f"køen eller lageret svarer ikke ({type(exc).__name__})") from None
        except Exception as exc:
            # redis-py's and kombu's connection errors are not OSErrors.
            if "Connection" in type(exc).__name__ or "Timeout" in type(exc).__name__:
                raise QueueUnavailable(f"køen eller lageret svarer ikke ({type(exc).__name__})") from None
            raise

    def known(job_id: str) -> str:
        from .jobs import is_job_id

        if not is_job_id(job_id):
            raise HTTPException(404, "kørslen findes ikke")
        return job_id

    @router.post(
        "",
        status_code=202,
        summary="Send mange breve til køen",
        response_model=BatchJob,
        responses={
            202: {"description": "Kørslen er i køen; følg den på links.self", "headers": {"Location": {"schema": {"type": "string"}}}},
            400: {"description": "Forkert kald", "content": problem_content},
            422: {"description": "Idempotency-Key er brugt før til andre data", "content": problem_content},
            503: {"description": "Køen er ikke sat op eller svarer ikke", "content": problem_content},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}, "example": '{"id": "sag-17", "event": "indkaldelse", "data": {"...": "..."}}\n'},
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/BatchRequest"},
                                {"type": "array", "items": {"$ref": "#/components/schemas/BatchRecord"}},
                            ]
                        }
                    },
                },
            }
        },
    )
    async def submit(
        request: Request,
        formats: str | None = Query(None, description="Formater adskilt med komma (standard: pdf,docx,html)"),
        webhook: str | None = Query(None, description="Kaldes med POST (signeret) når kørslen er færdig"),
        idempotency_key: str | None = Header(None, alias="Idempotency-Key", description="Samme nøgle igen giver samme kørsel"),
    ):
        from .webhook import check_url

        jobs = await run(_jobs)
        if idempotency_key is not None and not (0 < len(idempotency_key) <= 255 and idempotency_key.isprintable()):
            raise UsageError("Idempotency-Key skal være 1-255 synlige tegn")
        media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        jsonl, body_formats, body_webhook = _to_jsonl(await request.body(), media)
        chosen = parse_formats(body_formats or formats) if (body_formats or formats) else default_formats()
        hook = check_url(body_webhook or webhook) if (body_webhook or webhook) else None
        job_id, created = await run(
            lambda: jobs.submit(jsonl, chosen, webhook=hook, idempotency_key=idempotency_key, request_id=current_request_id())
        )
        status = await run(jobs.status, job_id)
        headers = {"Location": status["links"]["self"]}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(status, status_code=202, headers=headers)

    @router.get("/{job_id}", summary="Status for en kørsel", response_model=BatchJob, responses={404: {"description": "Findes ikke", "content": problem_content}})
    async def status(job_id: str):
        jobs = await run(_jobs)
        return await run(jobs.status, known(job_id))

    @router.get("/{job_id}/letters", summary="Brevene, der er lavet indtil nu (manifestets linjer)")
    async def letters(job_id: str):
        jobs = await run(_jobs)
        return await run(jobs.letters, known(job_id))

    @router.get("/{job_id}/letters/{name}", summary="Én brevfil", response_class=Response)
    async def letter_file(job_id: str, name: str):
        jobs = await run(_jobs)
        entry = await run(jobs.file_of, known(job_id), name)
        if entry is None:
            raise HTTPException(404, "brevet findes ikke i kørslen")
        data = await run(jobs.store.read, f"{job_id}/{name}")
        return Response(data, media_type=_media_type(name), headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Brevgen-Sha256": entry["sha256"]})

    async def finished(jobs, job_id: str) -> dict[str, Any]:
        status = await run(jobs.status, known(job_id))
        if status["status"] != "done":
            raise NotFinished(f"kørslen er ikke færdig endnu ({status['done']} af {status['total']} poster)")
        return status

    @router.get("/{job_id}/manifest.jsonl", summary="Manifestet (når kørslen er færdig)", response_class=Response)
    async def manifest(job_id: str):
        jobs = await run(_jobs)
        await finished(jobs, job_id)
        return Response(await run(jobs.store.read, f"{job_id}/{MANIFEST}"), media_type="application/x-ndjson")

    @router.get("/{job_id}/errors.jsonl", summary="Fejlene pr. post (når kørslen er færdig)", response_class=Response)
    async def errors(job_id: str):
        jobs = await run(_jobs)
        await finished(jobs, job_id)
        return Response(await run(jobs.store.read, f"{job_id}/{ERRORS}"), media_type="application/x-ndjson")

    @router.get("/{job_id}/archive", summary="Alle breve, manifest.jsonl og errors.jsonl som én zip-fil (når kørslen er færdig)", response_class=FileResponse)
    async def archive(job_id: str):
        jobs = await run(_jobs)
        await finished(jobs, job_id)
        path = await run(_zip, jobs, job_id)
        return FileResponse(path, media_type="application/zip", filename=f"brevgen-{job_id}.zip", background=BackgroundTask(os.unlink, path))

    return router


def _zip(jobs, job_id: str) -> str:
    """The job's letters and record as a zip in a temporary file (PDF and DOCX are compressed
    already, so they are stored; text formats are deflated)."""
    fd, path = tempfile.mkstemp(prefix="brevgen-batch-", suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(path, "w") as archive:
            for entry in jobs.letters(job_id):
                for f in entry["files"]:
                    method = zipfile.ZIP_STORED if f["format"] in ("pdf", "docx") else zipfile.ZIP_DEFLATED
                    archive.writestr(f["file"], jobs.store.read(f"{job_id}/{f['file']}"), compress_type=method)
            for name in (MANIFEST, ERRORS):
                archive.writestr(name, jobs.store.read(f"{job_id}/{name}"), compress_type=zipfile.ZIP_DEFLATED)
    except BaseException:
        os.unlink(path)
        raise
    return path
