"""The shared output store the queue's workers write letters to and the service reads from.

- :class:`FolderStore`: a folder. One machine, or several that mount the same folder (NFS,
  SMB). Writes are :func:`brevgen.output.atomic_write` (temporary file, fsync, rename), so a
  reader never sees half a letter and a rewrite by a second worker replaces the file whole.
  A job's folder looks like a local ``brevgen batch --out`` folder.
- :class:`S3Store`: an S3-compatible bucket (``s3://bucket/prefix``; ``BREVGEN_S3_ENDPOINT``
  for MinIO, Ceph RGW and the like), through boto3. A PUT is atomic per object, so the same
  guarantees hold. boto3 is imported only when such a store is used.

Keys are ``<job id>/<file name>``; file names are the batch's safe names (no "/" or "..").
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from ..errors import UsageError
from ..output import atomic_write


class OutputStore(Protocol):
    url: str

    def write(self, key: str, data: bytes, durable: bool = True) -> None:
        """Write the whole object; ``durable``: on disk before returning (fsync), not only atomic."""

    def read(self, key: str) -> bytes: ...

    def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when it is not there."""

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str) -> Iterator[str]: ...

    def local_path(self, key: str) -> Path | None:
        """A file path for the key when the store is a folder (to stream it), else None."""

    def check(self) -> str:
        """Raise if the store cannot be written; else say what it is."""

    def cleanup(self, prefix: str) -> None:
        """Remove what a killed writer left under ``prefix`` (temporary files)."""


def _safe(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise UsageError(f"ugyldigt navn i lageret: {key!r}")
    return key


class FolderStore:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.url = str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / _safe(key)

    def write(self, key: str, data: bytes, durable: bool = True) -> None:
        atomic_write(self._path(key), data, durable=durable)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def keys(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix)
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file():
                yield path.relative_to(self.root).as_posix()

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def check(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / f".readyz-{os.getpid()}"
        atomic_write(probe, b"ok")
        probe.unlink()
        return f"mappe {self.root}"

    def cleanup(self, prefix: str) -> None:
        from ..batch.folder import remove_stale_temp_files

        folder = self._path(prefix)
        if not folder.is_dir():
            return
        for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            remove_stale_temp_files(sub)
            with contextlib.suppress(OSError):
                sub.rmdir()  # only when empty (the chunks' folder after a finished job)
        remove_stale_temp_files(folder)


class S3Store:
    """An S3-compatible bucket. Credentials and region come from boto3's usual sources."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self._client = client

    @property
    def client(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{_safe(key)}" if self.prefix else _safe(key)

    def write(self, key: str, data: bytes, durable: bool = True) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str) -> Iterator[str]:
        full = self._key(prefix) + "/"
        strip = len(self.prefix) + 1 if self.prefix else 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            for item in page.get("Contents", []):
                yield item["Key"][strip:]

    def local_path(self, key: str) -> Path | None:
        return None

    def check(self) -> str:
        self.client.head_bucket(Bucket=self.bucket)
        return f"S3-lager {self.url}" + (f" på {self.endpoint_url}" if self.endpoint_url else "")

    def cleanup(self, prefix: str) -> None:
        return None  # a PUT is all or nothing: nothing half-written to remove


def open_store(url: str, s3_endpoint: str | None = None) -> OutputStore:
    """``s3://bucket/prefix`` -> :class:`S3Store`; a path or ``file://`` URL -> :class:`FolderStore`."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise UsageError(f"{url}: skriv s3://spand/præfiks")
        return S3Store(parsed.netloc, parsed.path, endpoint_url=s3_endpoint)
    if parsed.scheme == "file":
        return FolderStore(Path(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:
        raise UsageError(f"{url}: lageret skal være en mappe eller s3://spand/præfiks")
    return FolderStore(Path(url))
