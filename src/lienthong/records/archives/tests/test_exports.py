"""The printed forms of NĐ 30 Phụ lục V and the ZIP export of a file (vn-rules.md §4.1).

Acceptance of issue #9 scope 4: "The catalogue and handover forms print with the legal
columns in order (a page checked as an image in a test)": page 1 of the Danh mục hồ sơ
and of the Mục lục hồ sơ nộp lưu is rasterised (pdftoppm) and read back (tesseract), and
the columns' first words must stand left to right in the legal order on one line.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from openpyxl import load_workbook

from lienthong.documents.choices import FileKind
from lienthong.documents.models import DocumentFile
from lienthong.documents.services import file_store
from lienthong.records.archives import exports
from lienthong.records.archives.models import Handover, RecordFile
from lienthong.records.archives.services import (
    file_close,
    file_document_add,
    file_open,
    handover_create,
)
from lienthong.records.archives.tests.conftest import (
    Office,
    approved_plan,
    entry,
    make_document,
)
from lienthong.records.archives.words import in_words
from lienthong.trust.pades.samples import sample_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR)


def _fold(text: str) -> str:
    """Lower case without diacritics (OCR may miss a tone mark, never the letters)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _need_tools() -> None:
    missing = [tool for tool in ("pdftoppm", "tesseract") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"missing under CI: {', '.join(missing)}")
        pytest.skip(f"not installed: {', '.join(missing)}")


def _words_of_page_one(pdf: bytes, tmp_path: Path) -> list[tuple[str, int, int]]:
    """(folded word, left, top) of every word tesseract reads on page 1 at 200 dpi."""
    source = tmp_path / "form.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=120,
    )
    result = subprocess.run(
        ["tesseract", str(tmp_path / "page.png"), "-", "-l", "vie", "--psm", "4", "tsv"],
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    words = []
    for line in result.stdout.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 12 and parts[11].strip():
            text = _fold(parts[11].strip()).strip(",.;:|\"'()")
            if text:
                words.append((text, int(parts[6]), int(parts[7])))
    return words


def _assert_header_order(words: list[tuple[str, int, int]], keys: list[str]) -> None:
    """The first words of the column headers (``keys``, folded, one per column) are read
    on one line, left to right in the given order: walking the line from the left, each
    header's first word is found after the previous one's."""
    anchor = [w for w in words if w[0] == keys[-1]]
    assert anchor, f"{keys[-1]!r} not read on the page: {[w[0] for w in words][:80]}"
    top = min(w[2] for w in anchor)  # the header comes before any footer
    line = sorted((w for w in words if abs(w[2] - top) <= 20), key=lambda w: w[1])
    texts = [w[0] for w in line]
    position, lefts = 0, []
    for key in keys:
        while position < len(line) and not line[position][0].startswith(key):
            position += 1
        assert position < len(line), f"{key!r} not in order on the header line: {texts}"
        lefts.append(line[position][1])
        position += 1
    assert len(set(lefts)) == len(keys), lefts


def _handover(office: Office, plan: Any = None) -> Handover:
    plan = plan or approved_plan(office)
    files = []
    for number, code in enumerate(("01.TCCB", "01.TH"), start=1):
        record_file = file_open(
            actor=office.clerk, entry=entry(plan, code), start_date=dt.date(2026, 1, 6)
        )
        doc = make_document(office.unit, number=number, day=dt.date(2026, 2, number))
        file_document_add(actor=office.clerk, record_file=record_file, document=doc)
        files.append(file_close(actor=office.clerk, record_file=record_file))
    return handover_create(
        actor=office.clerk,
        unit=office.unit,
        archive_unit=office.archive,
        files=files,
        handed_on=dt.date(2027, 2, 1),
        block_name="Phông lưu trữ Tỉnh ủy Hà Nội",
        giver_name="Nguyễn Thị Hoa",
        receiver_name="Lê Văn Lưu",
    )


def test_vietnamese_numbers_in_words() -> None:
    """GIVEN counts WHEN written in words THEN as official forms write them."""
    assert in_words(0) == "Không"
    assert in_words(12) == "Mười hai"
    assert in_words(21) == "Hai mươi mốt"
    assert in_words(25) == "Hai mươi lăm"
    assert in_words(105) == "Một trăm linh năm"
    assert in_words(1234) == "Một nghìn hai trăm ba mươi tư"


def test_the_catalogue_prints_the_legal_columns_in_order(office: Office, tmp_path: Path) -> None:
    """GIVEN an approved plan WHEN its Danh mục hồ sơ is printed and page 1 is read as an
    image THEN the five headers stand left to right in the legal order, the headings and
    the footer sentence are there."""
    _need_tools()
    pdf = exports.plan_pdf(user=office.clerk, plan=approved_plan(office))
    words = _words_of_page_one(pdf, tmp_path)
    # Số và ký hiệu · Tên đề mục · Thời hạn · Người lập · Ghi chú
    _assert_header_order(words, ["so", "ten", "thoi", "nguoi", "ghi"])
    text = " ".join(w[0] for w in words)
    assert "01.tccb" in text
    assert "danh muc ho so nay co" in text


def test_the_transfer_catalogue_prints_the_legal_columns_in_order(
    office: Office, tmp_path: Path
) -> None:
    """GIVEN a handover of two files WHEN its Mục lục hồ sơ, tài liệu nộp lưu is printed
    and page 1 is read as an image THEN the seven headers stand left to right in the
    legal order and the footer gives the count in words."""
    _need_tools()
    pdf = exports.transfer_pdf(user=office.clerk, handover=_handover(office))
    words = _words_of_page_one(pdf, tmp_path)
    # Số TT · Số, ký hiệu · Tiêu đề · Thời gian · Thời hạn · Số tờ · Ghi chú
    _assert_header_order(words, ["so", "so", "tieu", "thoi", "thoi", "so", "ghi"])
    text = " ".join(w[0] for w in words)
    assert "muc luc nay gom 2 ho so" in text
    assert "viet bang chu hai ho so" in text


def test_the_xlsx_headers_are_in_the_legal_order(office: Office) -> None:
    """GIVEN a plan and a handover WHEN exported to XLSX THEN the header row holds the
    legal columns in order, and the footers their sentences."""
    plan = approved_plan(office)
    plan_book = load_workbook(io.BytesIO(exports.plan_xlsx(user=office.clerk, plan=plan)))
    rows = [list(r) for r in plan_book.active.iter_rows(values_only=True)]
    assert rows[2][:5] == [
        "Số và ký hiệu hồ sơ",
        "Tên đề mục và tiêu đề hồ sơ",
        "Thời hạn bảo quản",
        "Người lập hồ sơ",
        "Ghi chú",
    ]
    assert rows[4][0] == "I" and rows[5][0] == "01.TCCB" and rows[5][2] == "Vĩnh viễn"
    assert any(str(r[0]).startswith("Danh mục hồ sơ này có 4 (bốn) hồ sơ") for r in rows if r[0])
    handover = _handover(office, plan)
    transfer = load_workbook(
        io.BytesIO(exports.transfer_xlsx(user=office.clerk, handover=handover))
    )
    rows = [list(r) for r in transfer.active.iter_rows(values_only=True)]
    assert rows[2][:7] == [
        "Số TT",
        "Số, ký hiệu hồ sơ",
        "Tiêu đề hồ sơ",
        "Thời gian tài liệu",
        "Thời hạn bảo quản",
        "Số tờ / Số trang",
        "Ghi chú",
    ]
    assert "Viết bằng chữ: hai hồ sơ" in " ".join(str(r[0]) for r in rows if r[0])


def _pdf_words(data: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_the_index_and_the_minutes_render(office: Office) -> None:
    """GIVEN a handover WHEN its minutes and a file's index are printed THEN the minutes
    carry the heading of a Party body (or the national motto for a State body), the
    title and the counts; the index is a PDF."""
    from lienthong.documents.choices import Convention
    from lienthong.documents.models import UnitProfile

    handover = _handover(office)
    minutes = _pdf_words(exports.handover_minutes_pdf(user=office.clerk, handover=handover))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in minutes
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in minutes
    assert exports.MINUTES_TITLE.split()[0] in minutes
    UnitProfile.objects.update_or_create(
        unit=handover.unit,
        defaults={"convention": Convention.STATE, "issuer_code": "UBND"},
    )
    minutes = _pdf_words(exports.handover_minutes_pdf(user=office.clerk, handover=handover))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in minutes
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in minutes
    record_file = handover.files.get(code="01.TCCB")
    assert exports.file_index_pdf(user=office.clerk, record_file=record_file)[:5] == b"%PDF-"


def test_the_zip_holds_the_pdfs_in_time_order_and_the_metadata(
    office: Office, storage: Path
) -> None:
    """GIVEN a file of three documents with PDFs, filed out of time order WHEN exported
    THEN the ZIP holds their PDFs named in time order and ho-so.xml with the fields of
    Phụ lục VI for the file and each document."""
    record_file: RecordFile = file_open(
        actor=office.clerk,
        entry=entry(approved_plan(office), "01.TCCB"),
        start_date=dt.date(2026, 1, 6),
    )
    days = (dt.date(2026, 3, 9), dt.date(2026, 1, 20), dt.date(2026, 2, 14))
    for number, day in enumerate(days, start=1):
        doc = make_document(office.unit, number=number, day=day, subject=f"Văn bản {number}")
        pdf = sample_pdf(title=f"Van ban {number}")
        stored = file_store(data=pdf, name=f"{number}.pdf", expected="pdf")
        DocumentFile.objects.create(
            document=doc,
            kind=FileKind.SIGNED,
            stored=stored,
            name=f"{number}.pdf",
            added_by=office.clerk,
        )
        file_document_add(actor=office.clerk, record_file=record_file, document=doc)
    record_file = file_close(actor=office.clerk, record_file=record_file)
    archive = zipfile.ZipFile(
        io.BytesIO(exports.file_zip(user=office.clerk, record_file=record_file))
    )
    names = archive.namelist()
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert pdfs == ["001-02-CV-VPTW.pdf", "002-03-CV-VPTW.pdf", "003-01-CV-VPTW.pdf"]
    assert b"Van ban 2" in archive.read(pdfs[0])
    root = etree.fromstring(archive.read("ho-so.xml"))
    ns = {"h": exports.XML_NAMESPACE}
    for field in (
        "FileCode/h:FileNotation",
        "Title",
        "Maintenance",
        "Rights",
        "Creator",
        "Language",
        "StartDate",
        "EndDate",
        "DocTotal",
        "PageTotal",
        "Description",
    ):
        assert root.find(f"h:{field}", ns) is not None, field
    assert root.findtext("h:FileCode/h:FileNotation", namespaces=ns) == "01.TCCB"
    assert root.findtext("h:Maintenance", namespaces=ns) == "Vĩnh viễn"
    assert root.findtext("h:DocTotal", namespaces=ns) == "3"
    assert root.findtext("h:EndDate", namespaces=ns) == "2026-03-09"
    documents = root.findall("h:Documents/h:Document", ns)
    assert [d.findtext("h:IssuedDate", namespaces=ns) for d in documents] == [
        "2026-01-20",
        "2026-02-14",
        "2026-03-09",
    ]
    assert documents[0].findtext("h:Subject", namespaces=ns) == "Văn bản 2"
    assert documents[0].findtext("h:FileName", namespaces=ns) == pdfs[0]
