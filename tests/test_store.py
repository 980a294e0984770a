"""The output stores: a folder (real files) and an S3-compatible bucket. The S3 store runs
against moto's S3 server on loopback, an emulator of the S3 API, not a real S3 store."""

from __future__ import annotations

import pytest

from brevgen.errors import UsageError
from brevgen.queue.store import FolderStore, S3Store, open_store


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer
    from queue_servers import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture()
def aws_env(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "eu-north-1"}.items():
        monkeypatch.setenv(name, value)


def _exercise(store) -> None:
    store.write("job-1/a.pdf", b"%PDF-1")
    store.write("job-1/.chunks/000000.json", b"[]")
    store.write("job-1/a.pdf", b"%PDF-2")  # a rewrite replaces the whole object
    assert store.read("job-1/a.pdf") == b"%PDF-2"
    assert store.size("job-1/a.pdf") == 6 and store.size("job-1/b.pdf") is None
    assert sorted(store.keys("job-1")) == ["job-1/.chunks/000000.json", "job-1/a.pdf"]
    store.delete("job-1/.chunks/000000.json")
    store.cleanup("job-1")
    assert list(store.keys("job-1")) == ["job-1/a.pdf"]
    for bad in ("../x", "/etc/passwd", "job-1/../../x", ""):
        with pytest.raises(UsageError):
            store.write(bad, b"x")
    assert store.check()


def test_folder_store(tmp_path):
    store = open_store(str(tmp_path / "lager"))
    assert isinstance(store, FolderStore)
    _exercise(store)
    # What a killed writer leaves (atomic_write's temporary file) goes at cleanup.
    (tmp_path / "lager" / "job-1" / ".a.pdf.abcd1234.tmp").write_bytes(b"half")
    store.cleanup("job-1")
    assert sorted(p.name for p in (tmp_path / "lager" / "job-1").iterdir()) == ["a.pdf"]


def test_s3_store_against_an_s3_emulator(s3_endpoint, aws_env):
    import boto3

    import uuid

    # moto keeps its buckets per process, whichever server made them: a name of our own.
    bucket = f"breve-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    store = open_store(f"s3://{bucket}/jobcenter/rudersdal", s3_endpoint)
    assert isinstance(store, S3Store) and store.url == f"s3://{bucket}/jobcenter/rudersdal"
    _exercise(store)
    raw = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in raw] == ["jobcenter/rudersdal/job-1/a.pdf"]
    with pytest.raises(Exception):
        open_store("s3://findes-ikke", s3_endpoint).check()


def test_store_urls():
    with pytest.raises(UsageError):
        open_store("ftp://x/y")
    with pytest.raises(UsageError):
        open_store("s3:///uden-spand")
    assert isinstance(open_store("file:///tmp/x"), FolderStore)
