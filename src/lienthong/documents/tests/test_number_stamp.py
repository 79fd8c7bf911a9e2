# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""The number and date of an uploaded PDF, shown in the top right of page 1 at issue.

A PDF uploaded as a draft was not laid out by lienthong, so it has no place for the number
(vn-rules.md §1.3 box 3) and date (box 4). Before the leader signs it gets two empty
fields in the top right of page 1 (where §1.9 puts the unit's text-only signature); at
issue the seal signature fills them, which keeps the leader's signature valid.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image

from lienthong.documents import services
from lienthong.documents.choices import Convention, FileKind
from lienthong.documents.models import Document, DocumentType, UnitProfile
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    office,
    pki,
    storage,
    write_draft,
)
from lienthong.trust import pades
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import missing_tool


def _signed_upload(office: Office, **overrides: Any) -> Document:
    document = write_draft(
        office, body="", file_data=sample_pdf(pages=2), file_name="quyet-dinh.pdf", **overrides
    )
    services.document_submit(actor=office.specialist, document=document)
    services.document_approve(actor=office.leader, document=document)
    return services.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )


def _latest_pdf(document: Document) -> bytes:
    row = document.files.filter(kind=FileKind.SIGNED).order_by("-version").first()
    assert row is not None
    return files.file_read(row.stored)


def _words(path: Path) -> list[tuple[str, float, float]]:
    """Words of page 1 and their centres as fractions of the page's width and height."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert size is not None
    width, height = float(size.group(1)), float(size.group(2))
    return [
        (word, (float(x1) + float(x2)) / 2 / width, (float(y1) + float(y2)) / 2 / height)
        for x1, y1, x2, y2, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]


def _ink_top_right(path: Path, tmp_path: Path) -> int:
    """Dark pixels of page 1 rendered at 72 dpi, in its top right (right half, top 6 %)."""
    out = tmp_path / f"{path.stem}-page"
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", str(path), str(out)],
        check=True,
        capture_output=True,
    )
    with Image.open(out.with_suffix(".png")) as image:
        grey = image.convert("L")
        width, height = grey.size
        corner = grey.crop((width // 2, 0, width, int(height * 0.06)))
        histogram = corner.histogram()  # 256 counts of grey levels
        return sum(histogram[:128])


def _assert_stamped(
    office: Office, document: Document, tmp_path: Path, number: str, date: str
) -> None:
    missing_tool("pdftotext", "pdftoppm")
    signed_path = tmp_path / "signed.pdf"
    signed_path.write_bytes(
        files.file_read(document.files.filter(kind=FileKind.SIGNED).order_by("version")[0].stored)
    )
    issued = _latest_pdf(document)
    issued_path = tmp_path / "issued.pdf"
    issued_path.write_bytes(issued)

    # Page 1 as an image: the top right was blank when the leader signed; now it is not.
    assert _ink_top_right(signed_path, tmp_path) == 0
    assert _ink_top_right(issued_path, tmp_path) > 50
    # Its text: the number line above the date line, both in the top right corner.
    words = _words(issued_path)
    code = number.split()[-1]
    ((_, code_x, code_y),) = [w for w in words if w[0] == code]
    ((_, year_x, year_y),) = [w for w in words if w[0] == date.split()[-1]]
    assert code_x > 0.5 and code_y < 0.06
    assert year_x > 0.5 and code_y < year_y < 0.06
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(issued_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert number in text and date in text
    assert pades.text_field_values(issued) == {
        "lienthong_number": number,
        "lienthong_date": date,
    }
    # Both signatures valid; what followed the leader's is form filling only.
    report = pades.validate_pdf(pdf=issued, trust_anchors=[office.pki.root_pem])
    assert report.verdict in {"valid", "valid_with_warnings"}
    leader, seal = report.signatures
    assert leader.intact and leader.trusted and seal.intact and seal.trusted
    assert leader.verdict in {"valid", "valid_with_warnings"}
    assert not leader.modified_after and not seal.modified_after
    assert leader.details["modification_level"] == "form_filling"
    assert not any("modified" in reason for reason in leader.reasons)


def test_an_uploaded_party_document_shows_its_number_top_right(
    office: Office, tmp_path: Path
) -> None:
    """GIVEN a Party công văn uploaded as a PDF and signed by the leader
    WHEN the clerk issues it on 5 March 2026
    THEN page 1 shows "Số 01-CV/TU" above "Hà Nội, ngày 05 tháng 3 năm 2026" in its top
    right corner (blank when the leader signed), and the leader's and the seal's
    signatures are both valid, the leader's followed by form filling only."""
    document = _signed_upload(office)
    assert pades.text_field_values(_latest_pdf(document)) == {
        "lienthong_number": "",
        "lienthong_date": "",
    }

    document = services.document_issue(
        actor=office.clerk, document=document, second_factor_verified=True, on=dt.date(2026, 3, 5)
    )

    _assert_stamped(office, document, tmp_path, "Số 01-CV/TU", "Hà Nội, ngày 05 tháng 3 năm 2026")


def test_an_uploaded_state_document_shows_its_number_top_right(
    office: Office, tmp_path: Path
) -> None:
    """GIVEN a unit following NĐ 30 ("UBND") and a quyết định uploaded as a PDF, signed
    WHEN the clerk issues it on 12 November 2026
    THEN page 1 shows "Số: 01/QĐ-UBND" and "Hà Nội, ngày 12 tháng 11 năm 2026" top
    right, under two valid signatures."""
    UnitProfile.objects.filter(unit=office.unit).update(
        convention=Convention.STATE, issuer_code="UBND"
    )
    document = _signed_upload(
        office,
        document_type=DocumentType.objects.get(convention=Convention.STATE, code="QĐ"),
        subject="Về việc ban hành quy chế quản lý văn bản điện tử",
        competence="TM.",
        signer_position="Ủy ban nhân dân\nChủ tịch",
    )

    document = services.document_issue(
        actor=office.clerk,
        document=document,
        second_factor_verified=True,
        on=dt.date(2026, 11, 12),
    )

    _assert_stamped(
        office, document, tmp_path, "Số: 01/QĐ-UBND", "Hà Nội, ngày 12 tháng 11 năm 2026"
    )
