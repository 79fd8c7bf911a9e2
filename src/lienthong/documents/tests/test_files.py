# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""File storage: format sniffing, size limit, content addressing, permission-checked reads,
DOCX conversion."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents.choices import FileKind
from lienthong.documents.models import StoredFile
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    count_state,
    office,
    pki,
    storage,
    write_draft,
)
from lienthong.trust.pades.samples import sample_pdf


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _docx(body: bytes = b"<w:document/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
    return out.getvalue()


def test_sniff_tells_formats_by_content() -> None:
    """GIVEN a PDF, a DOCX, a ZIP that is not a DOCX and text named .pdf
    WHEN sniffed
    THEN only the real PDF and DOCX are recognised."""
    assert files.sniff(sample_pdf()) == files.PDF_TYPE
    assert files.sniff(_docx()) == files.DOCX_TYPE
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("a.txt", "x")
    assert files.sniff(other.getvalue()) == "application/octet-stream"
    assert files.sniff(b"%PDF-1.7 but truncated") == "application/octet-stream"


def test_store_is_content_addressed_atomic_and_deduplicated(db: None, storage: Path) -> None:
    """GIVEN the same PDF stored twice
    WHEN stored
    THEN one row and one file at files/ab/cd/<sha256>, no temporary file left."""
    pdf = sample_pdf()
    first = files.file_store(data=pdf, name="a.pdf", expected="pdf")
    second = files.file_store(data=pdf, name="b.pdf", expected="pdf")

    assert first.pk == second.pk
    path = storage / "files" / first.sha256[:2] / first.sha256[2:4] / first.sha256
    assert path.read_bytes() == pdf
    assert [p.name for p in path.parent.iterdir()] == [first.sha256]
    assert StoredFile.objects.count() == 1


def test_not_a_pdf_is_refused_and_nothing_is_written(db: None, storage: Path) -> None:
    """GIVEN a text file named .pdf, an empty file and a file over the size limit
    WHEN stored as PDF
    THEN each is refused with a clear message and nothing is written."""
    before = count_state(storage)
    with pytest.raises(InvalidInput, match="is not a PDF"):
        files.file_store(data=b"hello, I am not a PDF", name="x.pdf", expected="pdf")
    with pytest.raises(InvalidInput, match="empty"):
        files.file_store(data=b"", name="x.pdf", expected="pdf")
    assert count_state(storage) == before


def test_size_limit(db: None, storage: Path, settings: Any) -> None:
    """GIVEN a 1 MB limit
    WHEN a 2 MB PDF is stored
    THEN refused, naming the limit."""
    settings.DOCUMENT_MAX_UPLOAD_MB = 1
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(InvalidInput, match="1 MB"):
        files.file_store(data=big, name="big.pdf", expected="pdf")
    assert StoredFile.objects.count() == 0


def test_bad_pdf_upload_on_a_draft_leaves_nothing(office: Office, storage: Path) -> None:
    """GIVEN a draft upload whose "PDF" is an image
    WHEN the draft is created
    THEN refused; no document, file row, stored row or file on disk."""
    before = count_state(storage)
    with pytest.raises(InvalidInput):
        write_draft(office, body="", file_data=b"\x89PNG\r\n\x1a\nnot a pdf", file_name="a.pdf")
    assert count_state(storage) == before


def test_docx_that_fails_to_convert_is_refused(office: Office, storage: Path) -> None:
    """GIVEN a DOCX that is a valid ZIP but whose document is garbage
    WHEN a draft is created from it
    THEN refused with a clear message (cannot convert, or asked for a PDF when LibreOffice
    is not installed), and nothing is stored."""
    before = count_state(storage)
    with pytest.raises(
        InvalidInput, match=r"(could not be converted|upload the document as a PDF)"
    ):
        write_draft(office, body="", file_data=_docx(b"\x00garbage"), file_name="cv.docx")
    assert count_state(storage) == before


def test_docx_without_libreoffice_asks_for_a_pdf(
    office: Office, storage: Path, monkeypatch: Any
) -> None:
    """GIVEN a server without LibreOffice
    WHEN a DOCX is uploaded
    THEN the message asks for a PDF."""
    monkeypatch.setattr(files, "_soffice", lambda: None)
    with pytest.raises(InvalidInput, match="upload the document as a PDF"):
        files.upload_as_pdf(data=_docx(), name="cv.docx")


def test_real_docx_converts_to_pdf(db: None, tmp_path: Path) -> None:
    """GIVEN LibreOffice (required under CI=true) and a real DOCX
    WHEN converted
    THEN a PDF comes back."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        if os.environ.get("CI") == "true":
            pytest.fail("needs LibreOffice (Debian package libreoffice-writer-nogui)")
        pytest.skip("needs LibreOffice (Debian package libreoffice-writer-nogui)")
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Công văn</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", body)
    converted = files.upload_as_pdf(data=out.getvalue(), name="cv.docx")
    assert converted.converted and converted.pdf.startswith(b"%PDF-")
    assert converted.name == "cv.pdf"


def test_files_are_read_only_through_the_document_scope(office: Office, world: Any) -> None:
    """GIVEN a draft with an uploaded PDF in the province
    WHEN its drafter and a clerk of another province ask for the file
    THEN the drafter gets the bytes; the other clerk gets "not found"."""
    pdf = sample_pdf()
    document = write_draft(office, body="", file_data=pdf, file_name="cv.pdf")
    row = document.files.get(kind=FileKind.DRAFT)

    found, data = files.file_open(user=office.specialist, document_file=row)
    assert found.pk == row.pk and data == pdf
    with pytest.raises(NotFound):
        files.file_open(user=world.clerk_b1, document_file=row.pk)
