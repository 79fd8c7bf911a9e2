"""The intake chain on one file (issue #7 scope 1, first part): a scanned Vietnamese
letter becomes a PDF/A-2b whose text layer reads the letter; what is not a readable scan
is refused with its reason and nothing is made.

OCR needs Debian's Tesseract with the Vietnamese model: skipped on a developer machine
without it, a failure under CI=true.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.utils import translation

from lienthong.documents.intake.pipeline import IntakeRefused, intake_run
from lienthong.documents.intake.steps import preflight

LETTER = [
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "THÀNH ỦY HÀ NỘI",
    "Số 125-CV/TU          Hà Nội, ngày 15 tháng 3 năm 2025",
    "V/v triển khai phần mềm quản lý văn bản điện tử",
    "Kính gửi: Các đảng ủy trực thuộc Thành ủy",
    "Ban Thường vụ Thành ủy đề nghị các đồng chí chỉ đạo triển khai",
    "phần mềm quản lý văn bản và hồ sơ công việc trong toàn Đảng bộ,",
    "bảo đảm đúng tiến độ và báo cáo kết quả trước ngày 30 tháng 6.",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _tesseract_vie() -> None:
    found = shutil.which("tesseract")
    langs = (
        subprocess.run([found, "--list-langs"], capture_output=True, text=True).stdout
        if found
        else ""
    )
    if "vie" not in langs.split():
        if os.environ.get("CI") == "true":
            pytest.fail("tesseract with the vie model is missing: CI must install it")
        pytest.skip("tesseract-ocr-vie is not installed")


def _scans() -> ModuleType:
    """``scripts/letter_scans.py``, the repository's generator of scanned letters."""
    if "letter_scans" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "letter_scans", Path(__file__).resolve().parents[4] / "scripts" / "letter_scans.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["letter_scans"] = module
        spec.loader.exec_module(module)
    return sys.modules["letter_scans"]


def _scan(dpi: int = 200, angle: float = 0.7) -> bytes:
    """The letter as a scanner gives it: A4 at ``dpi``, turned a little, with noise
    (rendered in Liberation Serif, metric-compatible with Times New Roman)."""
    data: bytes = _scans().scan(LETTER, dpi=dpi, angle=angle, seed=7)
    return data


def _cer(reference: str, read: str) -> float:
    """Character error rate: edit distance over the reference's length."""
    rate: float = _scans().cer(reference, read)
    return rate


def test_a_scanned_letter_becomes_pdfa_with_its_vietnamese_text() -> None:
    """GIVEN a 200 dpi scan of a Vietnamese official letter, turned 0.7° and noised
    THEN the intake makes a PDF/A-2b whose text layer reads the letter with a character
    error rate of 3 % or less, and keeps the scan's hash."""
    import pikepdf

    _tesseract_vie()
    scan = _scan()
    item = intake_run(data=scan, name="cong-van.png")

    assert item.kind == "png" and item.dpi == 200
    assert item.warnings == ["Scanned in black and white or grey: NĐ 30 asks for colour."]
    with pikepdf.open(io.BytesIO(item.pdf)) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
    assert _cer("\n".join(LETTER), item.text) <= 0.03, item.text
    assert "triển khai phần mềm quản lý văn bản" in " ".join(item.text.split())
    assert len(item.sha256) == 64


def test_a_low_resolution_scan_is_taken_with_a_warning() -> None:
    _tesseract_vie()
    item = intake_run(data=_scan(dpi=150, angle=0), name="thap.png")
    assert item.pdf.startswith(b"%PDF") and item.dpi == 150
    assert any("150 dpi" in w for w in item.warnings)


def test_resolution_and_colour_are_judged_on_images_and_pdf_scans() -> None:
    """NĐ 30 Phụ lục I: colour, at least 200 dpi. A colour 200 dpi image passes; a grey
    150 dpi page inside a PDF is warned about twice; a PDF made on a computer (no page
    image) is not judged."""
    import img2pdf
    from PIL import Image

    from lienthong.documents.intake.contract import IntakeItem
    from lienthong.documents.intake.steps import quality

    def png(mode: str, dpi: int) -> bytes:
        out = io.BytesIO()
        Image.new(mode, (int(8.27 * dpi), int(11.69 * dpi)), "white").save(
            out, format="PNG", dpi=(dpi, dpi)
        )
        return out.getvalue()

    colour = IntakeItem(data=png("RGB", 200), name="a.png", kind="png")
    quality(colour)
    assert colour.dpi == 200 and colour.warnings == []
    grey_pdf = IntakeItem(data=img2pdf.convert(png("L", 150)), name="b.pdf", kind="pdf")
    quality(grey_pdf)
    assert grey_pdf.dpi == 150
    assert len(grey_pdf.warnings) == 2
    import pikepdf

    blank = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(blank)
    typed = IntakeItem(data=blank.getvalue(), name="c.pdf", kind="pdf")
    quality(typed)
    assert typed.dpi is None and typed.warnings == []


def _encrypted_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="mat-khau"))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00 renamed program", "not a PDF, PNG, JPEG or TIFF"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "damaged"),
        (b"\x89PNG\r\n\x1a\n truncated", "damaged"),
        ("encrypted", "password"),
    ],
)
def test_what_is_not_a_readable_scan_is_refused_with_its_reason(
    data: bytes | str, reason: str
) -> None:
    content = _encrypted_pdf() if data == "encrypted" else data
    assert isinstance(content, bytes)
    with pytest.raises(IntakeRefused, match=reason):
        intake_run(data=content, name="van-ban.pdf", chain=(preflight,))
