"""Where stored content lives: a local folder or an S3-compatible bucket (issue #4, scope 8).

DESIGN.md: "files on disk or S3-compatible storage. Same code, other settings."
``LIENTHONG_FILE_STORAGE`` chooses the backend:

- ``local`` (default): ``DATA_DIR/files/ab/cd/<sha256>``, written to a temporary file in
  the same folder and renamed, so a reader never sees half a file.
- ``s3``: the object ``<prefix>files/ab/cd/<sha256>`` in a bucket of any S3 API (MinIO,
  Ceph RGW, AWS …). A PUT is atomic: the object appears whole or not at all. Its
  ``Content-MD5`` lets the server refuse a body damaged on the way.

Content is addressed by its SHA-256 in both, and every read hashes what it got: a
corrupted object raises ``ContentCorrupted`` and is never handed to anyone. The stores
know nothing about permissions: people reach content only through
``services.files.file_open``, which the pages and the API serve themselves (no public or
presigned URL of the bucket ever reaches a browser).

With ``s3`` the uploaded media of other apps (signature requests, stamp images: Django's
``default`` storage) go to ``<prefix>media/`` of the same bucket through
``media_storage``. The database, the secret key and the key-encryption key never go
there.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound, Unavailable

__all__ = [
    "ContentCorrupted",
    "ContentMissing",
    "ContentStore",
    "LocalContentStore",
    "S3Config",
    "S3ContentStore",
    "StorageError",
    "StoredObject",
    "content_store",
    "media_storage",
    "relative_name",
]

logger = logging.getLogger(__name__)

#: Bytes read at a time when content is hashed or copied.
CHUNK_SIZE = 1024 * 1024
#: Content read from S3 is kept in memory up to this size, then in a temporary file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024

_SHA256 = re.compile(r"[0-9a-f]{64}")
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class StorageError(Unavailable):
    """The file storage failed: unreachable, refused the request, or a bad address."""


class ContentMissing(NotFound):
    """The content a row names is not in the file storage."""


class ContentCorrupted(StorageError):
    """The stored content does not hash to its SHA-256 any more: it is never served."""


@dataclass(frozen=True)
class StoredObject:
    """One object of a store, as its listing gives it (for the orphan sweep)."""

    name: str
    """The name relative to the store's root: ``ab/cd/<sha256>`` (or a left-over
    temporary file of the local store)."""
    modified: float
    """When it was last written (POSIX time)."""


def relative_name(sha256: str) -> str:
    """The name of the content ``sha256`` in a store: ``ab/cd/<sha256>``.

    Raises:
        StorageError: ``sha256`` is not 64 lower-case hexadecimal digits.
    """
    if not _SHA256.fullmatch(sha256):
        raise StorageError(_("Not a SHA-256 content address: %(name)s") % {"name": sha256[:80]})
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _corrupted(sha256: str, where: str) -> ContentCorrupted:
    logger.error("Stored content %s at %s does not match its SHA-256: not served.", sha256, where)
    return ContentCorrupted(
        _(
            "The stored content of file %(sha256)s is corrupted (its SHA-256 does not match); "
            "it is not served. Restore it from a backup."
        )
        % {"sha256": sha256}
    )


def _missing(sha256: str) -> ContentMissing:
    return ContentMissing(
        _("The file's content is missing from the file storage (%(sha256)s).") % {"sha256": sha256}
    )


class ContentStore(ABC):
    """Content addressed by SHA-256: saved once, read back only when it still hashes right."""

    #: ``local`` or ``s3``, as ``LIENTHONG_FILE_STORAGE`` names it.
    kind: ClassVar[str]

    def save(self, sha256: str, data: bytes) -> str:
        """Store ``data`` under ``sha256``; idempotent (the same content is written once)
        and atomic (a reader sees the whole content or none).

        An object already there with the right size is kept; one of another size (a
        write cut short outside lienthong) is replaced.

        Returns:
            The relative name, ``ab/cd/<sha256>`` (``StoredFile.storage_name``).

        Raises:
            StorageError: ``sha256`` is not the hash of ``data``, or the storage failed.
        """
        name = relative_name(sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError(
                _("The content does not match the SHA-256 it is stored under (%(sha256)s).")
                % {"sha256": sha256}
            )
        if self._size_of(name) != len(data):
            self._write(name, data)
        return name

    def open(self, sha256: str) -> IO[bytes]:
        """The content of ``sha256``, verified, as a binary file positioned at its start.

        The whole content is hashed before the first byte is returned, so a corrupted
        object is refused, never half-served. The caller closes the file.

        Raises:
            ContentMissing: no such content (a ``NotFound``).
            ContentCorrupted: the content does not hash to ``sha256``.
            StorageError: the storage failed.
        """
        name = relative_name(sha256)
        handle = self._open_raw(sha256, name)
        try:
            digest = hashlib.sha256()
            while chunk := handle.read(CHUNK_SIZE):
                digest.update(chunk)
            if digest.hexdigest() != sha256:
                raise _corrupted(sha256, self.describe(name))
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return handle

    def read(self, sha256: str) -> bytes:
        """The content of ``sha256``, verified (see ``open``)."""
        with self.open(sha256) as handle:
            return handle.read()

    def exists(self, sha256: str) -> bool:
        """Tell whether the content of ``sha256`` is stored (without reading it)."""
        return self._size_of(relative_name(sha256)) is not None

    def size(self, sha256: str) -> int:
        """The stored size of ``sha256`` in bytes.

        Raises:
            ContentMissing: no such content.
        """
        size = self._size_of(relative_name(sha256))
        if size is None:
            raise _missing(sha256)
        return size

    def delete(self, sha256: str) -> None:
        """Remove the content of ``sha256``; nothing happens when it is not there."""
        self.remove(relative_name(sha256))

    @abstractmethod
    def listing(self) -> Iterator[StoredObject]:
        """Every object the store holds (for the orphan sweep)."""

    @abstractmethod
    def remove(self, name: str) -> None:
        """Remove the object ``name`` as ``listing`` gave it; no error when it is gone."""

    @abstractmethod
    def describe(self, name: str = "") -> str:
        """Where ``name`` is (a path or an ``s3://`` address), for logs and messages."""

    @abstractmethod
    def _size_of(self, name: str) -> int | None:
        """The size of ``name``, or ``None`` when it is not stored."""

    @abstractmethod
    def _write(self, name: str, data: bytes) -> None:
        """Write ``data`` to ``name`` atomically, replacing what is there."""

    @abstractmethod
    def _open_raw(self, sha256: str, name: str) -> IO[bytes]:
        """The stored bytes of ``name``, unverified, as a seekable binary file."""


class LocalContentStore(ContentStore):
    """Content under a local folder (``DATA_DIR/files``): today's layout, unchanged."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise StorageError(_("Not a name inside the file storage: %(name)s") % {"name": name})
        return self.root / name

    def describe(self, name: str = "") -> str:
        return str(self._path(name) if name else self.root)

    def _size_of(self, name: str) -> int | None:
        try:
            return self._path(name).stat().st_size
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._failed(exc) from exc

    def _write(self, name: str, data: bytes) -> None:
        path = self._path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except OSError as exc:
            raise self._failed(exc) from exc
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temp_name).replace(path)
        except BaseException as exc:
            Path(temp_name).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise self._failed(exc) from exc
            raise

    def _open_raw(self, sha256: str, name: str) -> IO[bytes]:
        try:
            return self._path(name).open("rb")
        except FileNotFoundError as exc:
            raise _missing(sha256) from exc
        except OSError as exc:
            raise self._failed(exc) from exc

    def listing(self) -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            try:
                if path.is_file():
                    name = path.relative_to(self.root).as_posix()
                    yield StoredObject(name=name, modified=path.stat().st_mtime)
            except FileNotFoundError:
                continue  # removed meanwhile

    def remove(self, name: str) -> None:
        try:
            self._path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: OSError) -> StorageError:
        logger.error("File storage %s failed: %s", self.root, exc)
        return StorageError(
            _("The file storage (%(where)s) failed: %(error)s")
            % {"where": self.root, "error": exc.strerror or exc}
        )


@dataclass(frozen=True)
class S3Config:
    """How to reach the bucket (the ``LIENTHONG_FILE_STORAGE_S3_*`` settings)."""

    bucket: str
    """The bucket's name; it must exist (lienthong does not create it)."""
    prefix: str = ""
    """Prepended to every key, e.g. ``hanoi/`` when several nodes share a bucket."""
    endpoint_url: str = ""
    """``https://minio.example.vn:9000``; empty means AWS."""
    region: str = ""
    """The region name the store expects (MinIO: ``us-east-1``); empty: the default."""
    access_key_id: str = ""
    """The access key id; with the secret, the credentials."""
    secret_access_key: str = field(default="", repr=False)
    """The secret access key (from the environment or a file, never in the repository)."""
    addressing_style: str = "auto"
    """``path`` (MinIO, Ceph), ``virtual`` or ``auto`` (botocore chooses)."""
    verify_tls: bool = True
    """Check the endpoint's TLS certificate (never off in production)."""
    ca_bundle: str = ""
    """A PEM file of the CA that issued the endpoint's certificate (a private CA)."""

    @classmethod
    def from_settings(cls) -> S3Config:
        """The configuration the node's settings give."""

        def text(name: str) -> str:
            return str(getattr(settings, name, "") or "").strip()

        prefix = text("FILE_STORAGE_S3_PREFIX").strip("/")
        return cls(
            bucket=text("FILE_STORAGE_S3_BUCKET"),
            prefix=f"{prefix}/" if prefix else "",
            endpoint_url=text("FILE_STORAGE_S3_ENDPOINT_URL"),
            region=text("FILE_STORAGE_S3_REGION"),
            access_key_id=text("FILE_STORAGE_S3_ACCESS_KEY_ID"),
            secret_access_key=text("FILE_STORAGE_S3_SECRET_ACCESS_KEY"),
            addressing_style=text("FILE_STORAGE_S3_ADDRESSING_STYLE") or "auto",
            verify_tls=bool(getattr(settings, "FILE_STORAGE_S3_VERIFY_TLS", True)),
            ca_bundle=text("FILE_STORAGE_S3_CA_BUNDLE"),
        )

    def tls_verify(self) -> bool | str:
        """botocore's ``verify``: the CA bundle's path, or whether to verify at all."""
        if not self.verify_tls:
            return False
        return self.ca_bundle or True

    def client_config(self) -> Any:
        """The botocore ``Config``: signature v4, the addressing style, bounded waits.

        Checksums are sent only where the S3 API requires them: the newer defaults of
        boto3 (CRC32 trailers on every upload) are refused by older MinIO and Ceph, and
        lienthong checks every read against the SHA-256 itself.
        """
        from botocore.config import Config  # type: ignore[import-untyped]

        return Config(
            signature_version="s3v4",
            s3={"addressing_style": self.addressing_style},
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 5, "mode": "standard"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )


@functools.lru_cache(maxsize=8)
def _s3_client(config: S3Config) -> Any:
    """One botocore client per configuration (clients are thread-safe)."""
    import boto3  # type: ignore[import-untyped]  # imported only when S3 is used

    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=config.endpoint_url or None,
        region_name=config.region or None,
        aws_access_key_id=config.access_key_id or None,
        aws_secret_access_key=config.secret_access_key or None,
        config=config.client_config(),
        verify=config.tls_verify(),
    )


class S3ContentStore(ContentStore):
    """Content in an S3-compatible bucket, under ``<prefix>files/ab/cd/<sha256>``."""

    kind = "s3"

    def __init__(self, config: S3Config) -> None:
        if not config.bucket:
            raise ImproperlyConfigured(
                "LIENTHONG_FILE_STORAGE=s3 needs LIENTHONG_FILE_STORAGE_S3_BUCKET."
            )
        self.config = config
        self.base = f"{config.prefix}files/"
        self.client = _s3_client(config)

    def _key(self, name: str) -> str:
        if ".." in name.split("/") or name.startswith("/"):
            raise StorageError(_("Not a name inside the file storage: %(name)s") % {"name": name})
        return self.base + name

    def describe(self, name: str = "") -> str:
        return f"s3://{self.config.bucket}/{self._key(name) if name else self.base}"

    def _failed(self, exc: Exception, name: str = "") -> StorageError:
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]

        logger.error("File storage %s failed: %s", self.describe(name), exc)
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", "")) or "?"
            return StorageError(
                _("The file storage (%(where)s) refused the request: %(code)s.")
                % {"where": self.describe(), "code": code}
            )
        return StorageError(
            _("The file storage (%(where)s) cannot be reached: %(error)s")
            % {"where": self.describe(), "error": exc}
        )

    @staticmethod
    def _is_not_found(exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return False
        return str(exc.response.get("Error", {}).get("Code", "")) in _NOT_FOUND_CODES

    def _size_of(self, name: str) -> int | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=self.config.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as exc:
            if self._is_not_found(exc):
                return None
            raise self._failed(exc, name) from exc
        return int(head["ContentLength"])

    def _write(self, name: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        md5 = hashlib.md5(data, usedforsecurity=False).digest()  # transport check only
        try:
            self.client.put_object(
                Bucket=self.config.bucket,
                Key=self._key(name),
                Body=data,
                ContentMD5=base64.b64encode(md5).decode("ascii"),
                ContentType="application/octet-stream",
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc, name) from exc

    def _open_raw(self, sha256: str, name: str) -> IO[bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
        try:
            reply = self.client.get_object(Bucket=self.config.bucket, Key=self._key(name))
            body = reply["Body"]
            try:
                for chunk in body.iter_chunks(CHUNK_SIZE):
                    spool.write(chunk)
            finally:
                body.close()
        except (BotoCoreError, ClientError) as exc:
            spool.close()
            if self._is_not_found(exc):
                raise _missing(sha256) from exc
            raise self._failed(exc, name) from exc
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def listing(self) -> Iterator[StoredObject]:
        from botocore.exceptions import BotoCoreError, ClientError

        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.config.bucket, Prefix=self.base):
                for item in page.get("Contents", ()):
                    name = str(item["Key"])[len(self.base) :]
                    if name and not name.endswith("/"):
                        yield StoredObject(name=name, modified=item["LastModified"].timestamp())
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc) from exc

    def remove(self, name: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.config.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as exc:
            if not self._is_not_found(exc):
                raise self._failed(exc, name) from exc


def content_store() -> ContentStore:
    """The store ``LIENTHONG_FILE_STORAGE`` chooses, for the current settings.

    Raises:
        ImproperlyConfigured: an unknown backend, or ``s3`` without a bucket.
    """
    kind = getattr(settings, "FILE_STORAGE", "local") or "local"
    if kind == "local":
        return LocalContentStore(Path(settings.DATA_DIR) / "files")
    if kind == "s3":
        return S3ContentStore(S3Config.from_settings())
    raise ImproperlyConfigured(f"LIENTHONG_FILE_STORAGE: expected local or s3, got {kind!r}")


@functools.lru_cache(maxsize=1)
def _media_storage_class() -> type:
    from django.utils.encoding import filepath_to_uri
    from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]

    class S3MediaStorage(S3Storage):
        """Django's ``default`` storage in the bucket; never gives out a bucket URL."""

        def url(self, name: str, *args: Any, **kwargs: Any) -> str:
            # No public or presigned URL of the bucket reaches a browser: files are
            # served by lienthong's own views after the permission check, as on disk.
            return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"

    return S3MediaStorage


def media_storage(**options: Any) -> Any:
    """The ``STORAGES["default"]`` backend when ``LIENTHONG_FILE_STORAGE=s3``.

    Uploaded media (signature requests, stamp images) go to ``<prefix>media/`` of the
    content bucket, with the same endpoint, credentials and TLS settings. Uploads never
    overwrite one another (Django's usual renaming), objects get no ACL (the bucket's
    policy applies) and ``url()`` never returns a bucket address.

    Args:
        options: ``STORAGES["default"]["OPTIONS"]``, overriding the derived settings.
    """
    config = S3Config.from_settings()
    values: dict[str, Any] = {
        "bucket_name": config.bucket,
        "location": f"{config.prefix}media",
        "endpoint_url": config.endpoint_url or None,
        "region_name": config.region or None,
        "access_key": config.access_key_id or None,
        "secret_key": config.secret_access_key or None,
        "client_config": config.client_config(),
        "verify": config.tls_verify(),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    values.update(options)
    return _media_storage_class()(**values)
