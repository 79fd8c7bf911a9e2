"""File storage of the documents app (issue #4, scope 8).

Content is stored once, by its SHA-256, in the store ``LIENTHONG_FILE_STORAGE`` chooses
(``lienthong.documents.storage``): ``settings.DATA_DIR / "files" / ab / cd / <sha256>``
on local disk (written to a temporary file in the same folder and renamed, so a reader
never sees half a file), or the object ``<prefix>files/ab/cd/<sha256>`` in an
S3-compatible bucket. Every read checks the content against its SHA-256; a corrupted
object is an error, never served. An upload is checked before anything is written: its
size (``settings.DOCUMENT_MAX_UPLOAD_MB``), and its real format (a PDF starts with
``%PDF-`` and ends with ``%%EOF``; a DOCX is a ZIP holding ``[Content_Types].xml`` and
``word/document.xml``). A file is never served without a permission check:
``file_open`` resolves the file's document through the documents selector for the person,
and the content goes to the browser through lienthong's own views (no bucket URL).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents.models import DocumentFile, StoredFile
from lienthong.documents.storage import content_store

__all__ = [
    "DOCX_TYPE",
    "PDF_TYPE",
    "ConvertedUpload",
    "file_open",
    "file_read",
    "file_store",
    "file_stream",
    "files_root",
    "sniff",
    "stored_files_sweep",
    "upload_as_pdf",
]

logger = logging.getLogger(__name__)

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OCTET_TYPE = "application/octet-stream"

Expected = Literal["pdf", "docx", "any"]

#: How long LibreOffice may take to convert one DOCX.
CONVERT_TIMEOUT_SECONDS = 120


def files_root() -> Path:
    """The folder that holds stored content with the local store (``DATA_DIR/files``)."""
    return Path(settings.DATA_DIR) / "files"


def _max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_UPLOAD_MB", 50)) * 1024 * 1024


def _is_pdf(data: bytes) -> bool:
    # ISO 32000: the header "%PDF-" within the first 1024 bytes, "%%EOF" near the end.
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def sniff(data: bytes) -> str:
    """The real type of ``data`` from its content: PDF, DOCX, PNG, JPEG or octet-stream."""
    if _is_pdf(data):
        return PDF_TYPE
    if _is_docx(data):
        return DOCX_TYPE
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return OCTET_TYPE


def _check(data: bytes, name: str, expected: Expected, max_bytes: int | None = None) -> str:
    if not data:
        raise InvalidInput(_("The file %(name)s is empty.") % {"name": name})
    limit = _max_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise InvalidInput(
            _("The file %(name)s is larger than %(limit)s MB.")
            % {"name": name, "limit": limit // (1024 * 1024)}
        )
    kind = sniff(data)
    if expected == "pdf" and kind != PDF_TYPE:
        raise InvalidInput(_("The file %(name)s is not a PDF.") % {"name": name})
    if expected == "docx" and kind != DOCX_TYPE:
        raise InvalidInput(_("The file %(name)s is not a Word (DOCX) document.") % {"name": name})
    return kind


def file_store(
    *, data: bytes, name: str, expected: Expected = "any", max_bytes: int | None = None
) -> StoredFile:
    """Check and store ``data`` by its SHA-256, once (the same content is stored once).

    Args:
        data: the content.
        name: the file's name as the person gave it (for messages only).
        expected: ``pdf`` or ``docx`` when only that format is accepted, else ``any``.
        max_bytes: the size limit when it is not the upload limit
            (``DOCUMENT_MAX_UPLOAD_MB``), e.g. for envelopes received by exchange.

    Returns:
        The ``StoredFile`` row (an existing one when the content was already stored).

    Raises:
        InvalidInput: empty, too large, or not of the expected format; nothing is
            written then.
        StorageError: the file storage failed (``lienthong.documents.storage``); no row
            is written then.
    """
    content_type = _check(data, name, expected, max_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    storage_name = content_store().save(sha256, data)
    existing = StoredFile.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    stored = StoredFile(
        sha256=sha256,
        size=len(data),
        content_type=content_type,
        storage_name=storage_name,
    )
    stored.full_clean()
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        # Stored by a concurrent request in the meantime: the same content.
        return StoredFile.objects.get(sha256=sha256)
    return stored


def file_read(stored: StoredFile) -> bytes:
    """The content of a stored file, for the system's own use (no permission check).

    Services use it on files they already resolved for their actor; anything that
    reaches a person goes through ``file_open``. The content is addressed by the row's
    SHA-256 and checked against it.

    Raises:
        NotFound: the content is missing from the file storage (``ContentMissing``).
        StorageError: the content is corrupted (``ContentCorrupted``) or the storage
            failed.
    """
    return content_store().read(stored.sha256)


def _readable_file(*, user: Any, document_file: DocumentFile | int) -> DocumentFile:
    from lienthong.documents import selectors

    file_id = document_file.pk if isinstance(document_file, DocumentFile) else document_file
    row = (
        DocumentFile.objects.filter(
            pk=file_id, document__in=selectors.document_list(user=user).values("pk")
        )
        .select_related("stored", "document")
        .first()
    )
    if row is None:
        raise NotFound(_("This file does not exist or is not yours to see."))
    return row


def file_open(*, user: Any, document_file: DocumentFile | int) -> tuple[DocumentFile, bytes]:
    """Read a document's file for ``user``, only if they may see its document.

    The document is resolved through ``selectors.document_list(user=…)`` (the unit scope
    and the person's clearance, vn-rules.md §5.2); anything else answers "not found".
    The content comes from the file storage (disk or bucket) through the node, checked
    against its SHA-256: no bucket address is ever handed out.

    Args:
        user: the person asking.
        document_file: the file row, or its id as a request gave it.

    Returns:
        The file row and its content.

    Raises:
        NotFound: the file does not exist, its document is outside the person's reach,
            or its content is missing from the storage.
        StorageError: the content is corrupted (``ContentCorrupted``) or the storage
            failed; nothing is served.
    """
    row = _readable_file(user=user, document_file=document_file)
    return row, file_read(row.stored)


def file_stream(*, user: Any, document_file: DocumentFile | int) -> tuple[DocumentFile, IO[bytes]]:
    """Like ``file_open``, but the content as a binary file for a streamed response.

    The content is checked against its SHA-256 before the file is returned (a file from
    S3 is spooled: in memory up to 8 MB, then in a temporary file), so a corrupted object
    is refused before its first byte is sent. The caller closes the file (Django's
    ``FileResponse`` does).

    Raises:
        NotFound: as ``file_open``.
        StorageError: as ``file_open``.
    """
    row = _readable_file(user=user, document_file=document_file)
    return row, content_store().open(row.stored.sha256)


@dataclass(frozen=True)
class ConvertedUpload:
    """An upload made ready to sign: always a PDF."""

    pdf: bytes
    name: str
    converted: bool


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def upload_as_pdf(*, data: bytes, name: str) -> ConvertedUpload:
    """Accept a PDF as it is, or convert a DOCX to PDF with LibreOffice (headless).

    Args:
        data: the uploaded content.
        name: the uploaded file's name.

    Returns:
        The PDF and its name.

    Raises:
        InvalidInput: not a PDF or a DOCX; a DOCX while LibreOffice is not installed
            (the person is asked for a PDF); or a DOCX LibreOffice cannot convert.
    """
    kind = _check(data, name, "any")
    if kind == PDF_TYPE:
        return ConvertedUpload(pdf=data, name=name, converted=False)
    if kind != DOCX_TYPE:
        raise InvalidInput(
            _("The file %(name)s is neither a PDF nor a Word (DOCX) document.") % {"name": name}
        )
    binary = _soffice()
    if binary is None:
        raise InvalidInput(
            _("Word documents cannot be converted on this server: upload the document as a PDF.")
        )
    stem = Path(name).stem or "van-ban"
    with tempfile.TemporaryDirectory(prefix="lienthong-convert-") as folder:
        work = Path(folder)
        source = work / "input.docx"
        source.write_bytes(data)
        command = [
            binary,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                check=False,
                capture_output=True,
                timeout=CONVERT_TIMEOUT_SECONDS,
                env={**os.environ, "HOME": str(work)},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("DOCX conversion failed: %s", exc)
            raise InvalidInput(
                _("The Word document %(name)s could not be converted to PDF.") % {"name": name}
            ) from exc
        result = work / "out" / "input.pdf"
        pdf = result.read_bytes() if result.is_file() else b""
    if not _is_pdf(pdf):
        raise InvalidInput(
            _("The Word document %(name)s could not be converted to PDF.") % {"name": name}
        )
    return ConvertedUpload(pdf=pdf, name=f"{stem}.pdf", converted=True)


def stored_files_sweep(*, older_than_seconds: int = 3600) -> int:
    """Remove stored content that no ``StoredFile`` row names (left by a rolled-back
    transaction), on disk or in the bucket; for the system's maintenance, no user.

    Only objects older than ``older_than_seconds`` go: a younger one may belong to a
    transaction that has not committed yet. Left-over temporary files of the local store
    go too.

    Returns:
        How many objects were removed.

    Raises:
        StorageError: the file storage failed.
    """
    store = content_store()
    known = set(StoredFile.objects.values_list("sha256", flat=True))
    limit = time.time() - older_than_seconds
    removed = 0
    for item in store.listing():
        if PurePosixPath(item.name).name not in known and item.modified < limit:
            store.remove(item.name)
            removed += 1
    return removed
