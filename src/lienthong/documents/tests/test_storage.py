# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""Stored content on local disk and on S3-compatible storage (issue #4, scope 8).

Every test runs twice: on the local store (``DATA_DIR/files``) and on a real S3 HTTP
endpoint (moto's ``ThreadedMotoServer`` on 127.0.0.1, a random free port), each S3 test
with a bucket of its own.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from rest_framework.test import APIClient

from lienthong.core.errors import NotFound
from lienthong.documents.choices import FileKind
from lienthong.documents.models import StoredFile
from lienthong.documents.services import files
from lienthong.documents.storage import (
    ContentCorrupted,
    ContentMissing,
    LocalContentStore,
    S3ContentStore,
    StorageError,
    content_store,
    relative_name,
)
from lienthong.documents.tests.test_incoming import register
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    office,
    pki,
    storage,
)
from lienthong.trust.pades.samples import sample_pdf

PREFIX = "hanoi"
ACCESS_KEY_ID = "lienthong-test"
SECRET_ACCESS_KEY = "lienthong-test-secret"  # moto accepts any credentials


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """GIVEN an S3 HTTP endpoint on loopback (moto), on a free port the OS picks."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _raw_client(endpoint: str) -> Any:
    """A boto3 client that goes around lienthong (to look at or damage objects)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )


@dataclass
class Backend:
    """The store under test and a way around it, to check the layout and damage objects."""

    kind: str
    root: Path
    bucket: str = ""
    client: Any = None

    @property
    def base(self) -> str:
        return f"{PREFIX}/files/"

    def names(self) -> list[str]:
        """Every stored object, relative to the content root (``ab/cd/<sha256>``)."""
        if self.kind == "local":
            return sorted(
                p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
            )
        reply = self.client.list_objects_v2(Bucket=self.bucket)
        keys = [item["Key"] for item in reply.get("Contents", ())]
        assert all(key.startswith(f"{PREFIX}/") for key in keys), keys
        return sorted(key[len(self.base) :] for key in keys if key.startswith(self.base))

    def put(self, name: str, data: bytes) -> None:
        """Write ``data`` as the object ``name`` behind lienthong's back."""
        if self.kind == "local":
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        else:
            self.client.put_object(Bucket=self.bucket, Key=self.base + name, Body=data)

    def get(self, name: str) -> bytes:
        """The raw bytes of ``name``."""
        if self.kind == "local":
            return (self.root / name).read_bytes()
        body = self.client.get_object(Bucket=self.bucket, Key=self.base + name)["Body"]
        return bytes(body.read())

    def drop(self, name: str) -> None:
        """Remove ``name`` behind lienthong's back."""
        if self.kind == "local":
            (self.root / name).unlink()
        else:
            self.client.delete_object(Bucket=self.bucket, Key=self.base + name)


def _use_s3(settings: Any, endpoint: str, bucket: str) -> None:
    settings.FILE_STORAGE = "s3"
    settings.FILE_STORAGE_S3_BUCKET = bucket
    settings.FILE_STORAGE_S3_PREFIX = PREFIX
    settings.FILE_STORAGE_S3_ENDPOINT_URL = endpoint
    settings.FILE_STORAGE_S3_REGION = "us-east-1"
    settings.FILE_STORAGE_S3_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.FILE_STORAGE_S3_SECRET_ACCESS_KEY = SECRET_ACCESS_KEY
    settings.FILE_STORAGE_S3_ADDRESSING_STYLE = "path"
    settings.FILE_STORAGE_S3_VERIFY_TLS = True
    settings.FILE_STORAGE_S3_CA_BUNDLE = ""


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, settings: Any, storage: Path) -> Backend:
    """GIVEN the node's files on local disk, or in a fresh bucket of an S3 endpoint."""
    if request.param == "local":
        settings.FILE_STORAGE = "local"
        return Backend(kind="local", root=storage / "files")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"lienthong-{uuid.uuid4().hex[:12]}"
    client = _raw_client(endpoint)
    client.create_bucket(Bucket=bucket)
    _use_s3(settings, endpoint, bucket)
    return Backend(kind="s3", root=storage / "files", bucket=bucket, client=client)


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The sweep's clock moves ``seconds`` ahead (nothing else's)."""
    import time

    now = time.time() + seconds
    monkeypatch.setattr(files, "time", SimpleNamespace(time=lambda: now))


def _api(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _page(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(user)
    return client


# --- The store ----------------------------------------------------------------------


def test_backend_is_chosen_by_setting(backend: Backend) -> None:
    """GIVEN LIENTHONG_FILE_STORAGE=local or s3
    WHEN the content store is asked for
    THEN it is the local folder DATA_DIR/files or the bucket under <prefix>/files/."""
    store = content_store()
    assert store.kind == backend.kind
    if backend.kind == "local":
        assert isinstance(store, LocalContentStore) and store.root == backend.root
    else:
        assert isinstance(store, S3ContentStore)
        assert store.describe() == f"s3://{backend.bucket}/{PREFIX}/files/"


def test_store_is_content_addressed_and_deduplicated(db: None, backend: Backend) -> None:
    """GIVEN the same PDF stored twice under two names
    WHEN stored
    THEN one row and one object at ab/cd/<sha256> (the layout of the data directory),
    which reads back whole, with its size; no temporary object is left."""
    pdf = sample_pdf()
    first = files.file_store(data=pdf, name="a.pdf", expected="pdf")
    second = files.file_store(data=pdf, name="b.pdf", expected="pdf")

    sha = hashlib.sha256(pdf).hexdigest()
    assert first.pk == second.pk and first.sha256 == sha
    assert StoredFile.objects.count() == 1
    assert first.storage_name == f"{sha[:2]}/{sha[2:4]}/{sha}" == relative_name(sha)
    assert backend.names() == [first.storage_name]
    assert backend.get(first.storage_name) == pdf
    assert files.file_read(first) == pdf
    store = content_store()
    assert store.exists(sha) and store.size(sha) == len(pdf)


def test_save_is_idempotent_and_checks_the_address(db: None, backend: Backend) -> None:
    """GIVEN content saved once, then cut short behind lienthong's back
    WHEN saved again, and when content is saved under a hash that is not its own
    THEN the second save writes it whole again; the wrong address is refused and
    nothing is written."""
    store = content_store()
    data = b"%PDF-1.4\nnoi dung\n%%EOF\n"
    sha = hashlib.sha256(data).hexdigest()
    name = store.save(sha, data)
    assert store.save(sha, data) == name
    assert backend.names() == [name]

    backend.put(name, data[:5])
    store.save(sha, data)
    assert store.read(sha) == data

    other = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(StorageError, match="does not match the SHA-256"):
        store.save(other, data)
    with pytest.raises(StorageError, match="Not a SHA-256"):
        store.save("../../etc/passwd", data)
    assert backend.names() == [name]
    assert not store.exists(other)


def test_corrupted_content_is_refused_with_a_clear_error(db: None, backend: Backend) -> None:
    """GIVEN a stored PDF whose object was then changed (one byte, same size)
    WHEN it is read
    THEN ContentCorrupted names the file's hash and says it is not served."""
    pdf = sample_pdf()
    stored = files.file_store(data=pdf, name="a.pdf", expected="pdf")
    damaged = bytearray(pdf)
    damaged[len(damaged) // 2] ^= 0xFF
    backend.put(stored.storage_name, bytes(damaged))

    with pytest.raises(ContentCorrupted, match="corrupted") as info:
        files.file_read(stored)
    assert stored.sha256 in str(info.value.message)
    assert "not served" in str(info.value.message)
    with pytest.raises(ContentCorrupted):
        content_store().open(stored.sha256)


def test_missing_content_is_not_found(db: None, backend: Backend) -> None:
    """GIVEN a stored file whose object was removed behind lienthong's back
    WHEN it is read
    THEN "missing from the file storage" (a NotFound), and size/exists agree."""
    stored = files.file_store(data=sample_pdf(), name="a.pdf", expected="pdf")
    backend.drop(stored.storage_name)

    with pytest.raises(ContentMissing, match="missing from the file storage"):
        files.file_read(stored)
    assert issubclass(ContentMissing, NotFound)
    store = content_store()
    assert not store.exists(stored.sha256)
    with pytest.raises(ContentMissing):
        store.size(stored.sha256)
    store.delete(stored.sha256)  # deleting what is gone is no error


def test_sweep_removes_only_old_orphans(
    db: None, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a stored file with its row and an orphan object (content without a row, as a
    rolled-back transaction leaves it)
    WHEN the sweep runs now, then two hours later
    THEN now it keeps both (the orphan may belong to a transaction still running); later
    it removes the orphan only, and the stored file still reads back."""
    pdf = sample_pdf()
    kept = files.file_store(data=pdf, name="a.pdf", expected="pdf")
    orphan = b"%PDF-1.4\nrolled back\n%%EOF\n"
    orphan_name = content_store().save(hashlib.sha256(orphan).hexdigest(), orphan)

    assert files.stored_files_sweep() == 0
    assert sorted(backend.names()) == sorted([kept.storage_name, orphan_name])

    _later(monkeypatch, 2 * 3600)
    assert files.stored_files_sweep() == 1
    assert backend.names() == [kept.storage_name]
    assert files.file_read(kept) == pdf
    assert files.stored_files_sweep() == 0


def test_sweep_on_an_empty_store(db: None, backend: Backend) -> None:
    """GIVEN nothing stored yet (no folder, an empty bucket)
    WHEN the sweep runs
    THEN it removes nothing and fails on nothing."""
    assert files.stored_files_sweep(older_than_seconds=0) == 0


# --- Serving, through the permission check --------------------------------------------


def test_download_goes_through_the_permission_check(
    office: Office, world: Any, backend: Backend
) -> None:
    """GIVEN an incoming document with its scan in the store
    WHEN its clerk and another province's clerk download the scan from the API and from
    the page
    THEN the clerk gets the PDF, served by the node itself; the other gets 404 from both."""
    pdf = sample_pdf()
    document = register(office, scan_data=pdf, scan_name="scan.pdf")
    row = document.files.get(kind=FileKind.SCAN)
    assert backend.names() == [row.stored.storage_name]
    api_url = f"/api/v1/documents/{document.pk}/files/{row.pk}/"
    page_url = f"/van-ban/tep/{row.pk}/"

    ok = _api(office.clerk).get(api_url)
    assert ok.status_code == 200 and ok.getvalue() == pdf
    assert ok["Content-Type"] == "application/pdf"
    page = _page(office.clerk).get(page_url)
    assert page.status_code == 200 and page.getvalue() == pdf
    assert "Location" not in page  # no redirect to the bucket

    assert _api(world.clerk_b1).get(api_url).status_code == 404
    assert _page(world.clerk_b1).get(page_url).status_code == 404


def test_corrupted_file_is_not_served(office: Office, backend: Backend) -> None:
    """GIVEN a scan whose stored object was damaged
    WHEN its clerk downloads it from the API and from the page
    THEN neither answers 200 nor sends the damaged bytes; the API says it is corrupted."""
    pdf = sample_pdf()
    document = register(office, scan_data=pdf, scan_name="scan.pdf")
    row = document.files.get(kind=FileKind.SCAN)
    damaged = pdf.replace(b"%PDF-", b"%PDX-", 1)
    backend.put(row.stored.storage_name, damaged)

    api = _api(office.clerk).get(f"/api/v1/documents/{document.pk}/files/{row.pk}/")
    assert api.status_code == 503
    assert "corrupted" in api.json()["detail"]
    assert damaged not in api.content
    page = _page(office.clerk).get(f"/van-ban/tep/{row.pk}/")
    assert page.status_code == 503
    assert damaged not in page.content


def test_file_stream_verifies_before_the_first_byte(office: Office, backend: Backend) -> None:
    """GIVEN a stored scan
    WHEN its clerk streams it, and after its object was damaged
    THEN the stream gives the PDF; the damaged one is refused before anything is read."""
    pdf = sample_pdf()
    document = register(office, scan_data=pdf, scan_name="scan.pdf")
    row = document.files.get(kind=FileKind.SCAN)

    found, handle = files.file_stream(user=office.clerk, document_file=row.pk)
    with handle:
        assert found.pk == row.pk and handle.read() == pdf
    backend.put(row.stored.storage_name, pdf[:-10] + b"0123456789")
    with pytest.raises(ContentCorrupted):
        files.file_stream(user=office.clerk, document_file=row.pk)


# --- S3 only ---------------------------------------------------------------------------


def test_s3_without_a_bucket_is_a_configuration_error(settings: Any) -> None:
    """GIVEN LIENTHONG_FILE_STORAGE=s3 and no bucket
    WHEN the store is asked for
    THEN ImproperlyConfigured names the missing variable."""
    settings.FILE_STORAGE = "s3"
    settings.FILE_STORAGE_S3_BUCKET = ""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_FILE_STORAGE_S3_BUCKET"):
        content_store()


def test_s3_refusal_is_a_clear_error_and_stores_nothing(
    db: None, settings: Any, s3_endpoint: str
) -> None:
    """GIVEN an S3 endpoint where the configured bucket does not exist
    WHEN a PDF is stored
    THEN StorageError says the storage refused (NoSuchBucket); no row is written."""
    _use_s3(settings, s3_endpoint, f"absent-{uuid.uuid4().hex[:12]}")
    with pytest.raises(StorageError, match="refused the request: NoSuchBucket"):
        files.file_store(data=sample_pdf(), name="a.pdf", expected="pdf")
    assert StoredFile.objects.count() == 0


def test_s3_media_storage_keeps_uploads_apart_and_gives_no_bucket_url(
    settings: Any, s3_endpoint: str
) -> None:
    """GIVEN LIENTHONG_FILE_STORAGE=s3, so Django's default storage (signature requests,
    stamp images) is the bucket's <prefix>/media/
    WHEN two uploads of the same name are saved
    THEN both are kept under <prefix>/media/ and read back; url() is the node's own
    /media/ path, never a presigned or public bucket address."""
    bucket = f"lienthong-{uuid.uuid4().hex[:12]}"
    client = _raw_client(s3_endpoint)
    client.create_bucket(Bucket=bucket)
    _use_s3(settings, s3_endpoint, bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "lienthong.documents.storage.media_storage"},
    }

    first = default_storage.save("trust/stamps/dau.png", ContentFile(b"first"))
    second = default_storage.save("trust/stamps/dau.png", ContentFile(b"second"))

    assert first != second
    with default_storage.open(first) as handle:
        assert handle.read() == b"first"
    with default_storage.open(second) as handle:
        assert handle.read() == b"second"
    keys = sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted(f"{PREFIX}/media/{name}" for name in (first, second))
    url = default_storage.url(first)
    assert url == f"/media/{first}"
    assert "127.0.0.1" not in url and "Signature" not in url
