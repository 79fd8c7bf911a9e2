"""Rendering documents written in lienthong with the thể thức of HD 36 and NĐ 30."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Convention, Direction, DocumentState
from lienthong.documents.models import Document, DocumentType, UnitProfile
from lienthong.documents.services import rendering
from lienthong.trust import pades
from lienthong.trust.tests.conftest import missing_tool


def _document(unit: Any, creator: Any, convention: str, code: str, **extra: Any) -> Document:
    values: dict[str, Any] = {
        "unit": unit,
        "direction": Direction.OUTGOING,
        "convention": convention,
        "state": DocumentState.ISSUED,
        "document_type": DocumentType.objects.get(convention=convention, code=code),
        "subject": "Về tăng cường ứng dụng công nghệ thông tin",
        "body": "Để thực hiện tốt nhiệm vụ chuyển đổi số, yêu cầu các đơn vị:\n"
        "1. Triển khai phần mềm quản lý văn bản.\n2. Báo cáo kết quả trước ngày 30.",
        "code_number": 1,
        "number_year": 2026,
        "issued_date": dt.date(2026, 3, 5),
        "signer_name": "Nguyễn Văn An",
        "signer_position": "Ban Thường vụ\nBí thư",
        "competence": "T/M",
        "recipients_text": "Các đảng ủy trực thuộc\nCác ban đảng",
        "created_by": creator,
    }
    values.update(extra)
    return Document(**values)


def _text(pdf: bytes, tmp_path: Path) -> str:
    missing_tool("pdftotext")
    (tmp_path / "r.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_party_document_follows_hd36(world: Any, tmp_path: Path) -> None:
    """GIVEN a Party công văn of Tỉnh ủy Hà Nội numbered 01
    WHEN rendered
    THEN the text shows the Party header, "*", "Số 01-CV/TU", the place and date with
    a leading zero on the day, the signer block and "Nơi nhận:"; and page 1, drawn as an
    image, has ink in the top-right region where "ĐẢNG CỘNG SẢN VIỆT NAM" stands."""
    UnitProfile.objects.create(
        unit=world.province_a, convention=Convention.PARTY, issuer_code="TU", place_name="Hà Nội"
    )
    document = _document(
        world.province_a,
        world.clerk_a1,
        Convention.PARTY,
        "CV",
        code_notation="CV/TU",
        subject="V/v tăng cường ứng dụng CNTT",
    )
    rendered = rendering.render_pdf(document=document)
    text = _text(rendered.pdf, tmp_path)

    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "TỈNH ỦY HÀ NỘI" in text
    assert "Số 01-CV/TU" in text
    assert "Hà Nội, ngày 05 tháng 3 năm 2026" in text
    assert "T/M BAN THƯỜNG VỤ" in text and "Nguyễn Văn An" in text
    assert "Nơi nhận:" in text and "Lưu: VT" in text

    missing_tool("pdftoppm")
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp_path / "r.pdf")],
        capture_output=True,
        check=True,
    ).stdout
    page = Image.open(io.BytesIO(png)).convert("L")
    width, height = page.size
    assert abs(width - 413) <= 1 and abs(height - 585) <= 1  # A4 at 50 dpi

    def ink(box: tuple[int, int, int, int]) -> int:
        histogram = page.crop(box).histogram()  # 256 grey levels
        return sum(histogram[:128])

    top_right = ink((width // 2, 0, width, height // 10))
    top_left_margin = ink((0, 0, int(width * 0.12), height))  # the 30 mm left margin
    assert top_right > 50
    assert top_left_margin == 0


def test_state_document_follows_nd30(world: Any, tmp_path: Path) -> None:
    """GIVEN a State quyết định of a unit with the State convention
    WHEN rendered
    THEN Quốc hiệu and Tiêu ngữ, "Số: 01/QĐ-UBND", the type line and the subject."""
    UnitProfile.objects.create(
        unit=world.province_b,
        convention=Convention.STATE,
        issuer_code="UBND",
        place_name="Nghệ An",
    )
    document = _document(
        world.province_b,
        world.clerk_b1,
        Convention.STATE,
        "QĐ",
        code_notation="QĐ-UBND",
        competence="KT.",
        signer_position="Chủ tịch\nPhó Chủ tịch",
    )
    text = _text(rendering.render_pdf(document=document).pdf, tmp_path)

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 01/QĐ-UBND" in text
    assert "QUYẾT ĐỊNH" in text
    assert "KT. CHỦ TỊCH" in text
    assert "Nghệ An, ngày 05 tháng 3 năm 2026" in text


def test_rendering_for_signing_leaves_the_stamp_box(world: Any) -> None:
    """GIVEN an unnumbered Party draft
    WHEN rendered for signing
    THEN the signer block is an empty box of the stamp's size on the right half of the
    last page, and the number and date lines are read-only text fields showing blanks
    for the clerk (filled by the seal signature at issue, vn-rules.md §1.4)."""
    UnitProfile.objects.create(unit=world.province_a, issuer_code="TU", place_name="Hà Nội")
    document = _document(
        world.province_a,
        world.clerk_a1,
        Convention.PARTY,
        "NQ",
        code_number=None,
        number_year=None,
        issued_date=None,
        state=DocumentState.APPROVED,
    )
    rendered = rendering.render_pdf(document=document, for_signing=True)

    assert rendered.signature_box is not None
    x1, y1, x2, y2 = rendered.signature_box
    assert (round(x2 - x1), round(y2 - y1)) == (200, 150)
    assert x1 > 595 / 2 - 20 and x2 <= 595 - 15 * 72 / 25.4 + 1
    assert rendered.title_line == "T/M BAN THƯỜNG VỤ\nBÍ THƯ"
    assert rendering.date_line("Hà Nội", None, year=2026).startswith("Hà Nội, ngày")
    html = rendering.render_html(document=document, for_signing=True)
    assert 'id="field-number"' in html and "Số 01" not in html
    blank = "\u00a0" * 6
    assert pades.text_field_values(rendered.pdf) == {
        rendering.NUMBER_FIELD: f"Số{blank}\u00a0\u00a0-NQ/TU",
        rendering.DATE_FIELD: f"Hà Nội, ngày{blank}tháng{blank}năm {timezone.localdate().year}",
    }


def test_rendering_for_signing_places_the_fields_in_boxes_3_and_4(
    world: Any, tmp_path: Path
) -> None:
    """GIVEN an unnumbered State draft
    WHEN rendered for signing
    THEN the page shows "Số:" and the place with blanks where NĐ 30 puts boxes 3 (top
    left) and 4 (top right), drawn by the fields; a render for reading has no field."""
    UnitProfile.objects.create(
        unit=world.province_b, convention=Convention.STATE, issuer_code="UBND", place_name="Huế"
    )
    document = _document(
        world.province_b,
        world.clerk_b1,
        Convention.STATE,
        "QĐ",
        code_number=None,
        number_year=None,
        issued_date=None,
        state=DocumentState.APPROVED,
        competence="TM.",
    )

    rendered = rendering.render_pdf(document=document, for_signing=True)

    text = _text(rendered.pdf, tmp_path)
    header = text.split("QUYẾT ĐỊNH")[0]
    assert "Số:" in header and "/QĐ-UBND" in header and "Huế, ngày" in header
    values = pades.text_field_values(rendered.pdf)
    assert values[rendering.NUMBER_FIELD].endswith("/QĐ-UBND")
    assert pades.text_field_values(rendering.render_pdf(document=document).pdf) == {}


def test_dates_follow_the_leading_zero_rule() -> None:
    """GIVEN dates in January and in November
    WHEN written
    THEN day and months 1-2 take a leading zero, later months do not (NĐ 30)."""
    assert rendering.date_line("Hà Nội", dt.date(2026, 1, 2)) == "Hà Nội, ngày 02 tháng 01 năm 2026"
    assert rendering.date_line("Huế", dt.date(2026, 11, 20)) == "Huế, ngày 20 tháng 11 năm 2026"


def test_a_document_without_text_cannot_be_rendered(world: Any) -> None:
    """GIVEN an uploaded-file document without body text
    WHEN rendered
    THEN refused with a clear message."""
    document = _document(world.province_a, world.clerk_a1, Convention.PARTY, "CV", body="")
    with pytest.raises(InvalidInput):
        rendering.render_pdf(document=document)
