"""The PAdES facade: number and date fields in the top right of page 1 (uploaded PDFs).

vn-rules.md §1.4: the number and date are given at issue, after the person signed; the
fields are added before the person signs and filled by the seal signature (form filling,
which an approval signature allows).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from lienthong.trust import pades
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import missing_tool, seal_png, signature_png

NAMES = ["lienthong_number", "lienthong_date"]
MM = 72 / 25.4
A4_WIDTH, A4_HEIGHT = 595.0, 842.0
FILLED = {
    "lienthong_number": "Số: 15/QĐ-UBND",
    "lienthong_date": "Hà Nội, ngày 05 tháng 3 năm 2026",
}


def _person(pki, pdf: bytes) -> bytes:
    return pades.sign_pdf(
        pdf=pdf,
        signer=pades.SignerSpec(certificate=pki.person),
        stamp=pades.StampSpec(
            kind="person", title="CHỦ TỊCH", name="Nguyễn Văn Ánh", image_png=signature_png()
        ),
        level="B-T",
    )


def _seal(pki, pdf: bytes, fill: dict[str, str]) -> bytes:
    return pades.sign_pdf(
        pdf=pdf,
        signer=pades.SignerSpec(certificate=pki.seal),
        stamp=pades.StampSpec(kind="seal", image_png=seal_png(), image_width_mm=32),
        level="B-T",
        fill_fields=fill,
    )


def _words(path: Path) -> list[tuple[str, float, float, float, float]]:
    """Words of page 1 with their boxes (x1, y1, x2, y2) in points from the top left."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (word, float(x1), float(y1), float(x2), float(y2))
        for x1, y1, x2, y2, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]


def test_fields_are_empty_and_stacked_in_the_top_right_corner():
    """GIVEN an unsigned A4 PDF
    WHEN the number and date fields are added top right
    THEN both are text fields of the PDF with no value yet (nothing is shown before
    the number is given; where they show it is tested with the signatures below)."""
    with_fields = pades.add_top_right_fields(pdf=sample_pdf(), names=NAMES)

    assert pades.text_field_values(with_fields) == {"lienthong_number": "", "lienthong_date": ""}


def test_signature_survives_the_number_filled_at_issue(pki, tmp_path):
    """GIVEN an uploaded-style PDF with the top-right fields, signed by the leader
    WHEN the unit's seal signature fills them with the number and the date
    THEN the PDF shows "Số: 15/QĐ-UBND" above "Hà Nội, ngày 05 tháng 3 năm 2026" in the
    top right of page 1; both signatures are valid for lienthong and for pyHanko's CLI,
    and what followed the leader's signature is form filling only."""
    missing_tool("pdftotext")
    person = _person(pki, pades.add_top_right_fields(pdf=sample_pdf(), names=NAMES))
    assert pades.text_field_values(person) == {"lienthong_number": "", "lienthong_date": ""}

    sealed = _seal(pki, person, FILLED)

    assert pades.text_field_values(sealed) == FILLED
    report = pades.validate_pdf(pdf=sealed, trust_anchors=[pki.root_pem])
    assert report.verdict == "valid"
    leader, seal = report.signatures
    assert leader.intact and leader.trusted and seal.intact and seal.trusted
    assert not leader.modified_after and not seal.modified_after
    assert leader.details["modification_level"] == "form_filling"
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    words = _words(path)
    ((_, nx1, ny1, nx2, ny2),) = [w for w in words if w[0] == "15/QĐ-UBND"]
    year = [w for w in words if w[0] == "2026"]
    assert len(year) == 1
    _, _, yy1, yx2, yy2 = year[0]
    right_edge = A4_WIDTH - 15 * MM
    assert nx1 > A4_WIDTH / 2 and abs(nx2 - right_edge) < 4  # right-aligned, top right
    assert abs(yx2 - right_edge) < 4
    assert ny1 >= 10 * MM - 1 and ny2 < yy1  # number line first, below the 10 mm edge
    assert yy2 < 20 * MM  # both lines inside NĐ 30's 20 mm top margin
    root = tmp_path / "root.pem"
    root.write_text(pki.root_pem)
    cli = subprocess.run(
        [
            str(Path(sys.executable).with_name("pyhanko")),
            "sign",
            "validate",
            "--trust",
            str(root),
            "--trust-replace",
            "--no-revocation-check",
            "--pretty-print",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.count("The signature is judged VALID.") == 2
    assert "signing and form filling operations" in cli.stdout


def test_a_signed_pdf_is_left_as_it_is(pki):
    """GIVEN a PDF that already carries a signature
    WHEN the top-right fields are asked for
    THEN it comes back unchanged (a new field would break that signature)."""
    signed = _person(pki, sample_pdf())

    assert pades.add_top_right_fields(pdf=signed, names=NAMES) == signed


def test_fields_already_there_are_not_added_twice():
    """GIVEN a PDF that already has the top-right fields
    WHEN they are asked for again
    THEN it comes back unchanged; with one new name only that one is added."""
    once = pades.add_top_right_fields(pdf=sample_pdf(), names=NAMES[:1])

    assert pades.add_top_right_fields(pdf=once, names=NAMES[:1]) == once
    both = pades.add_top_right_fields(pdf=once, names=NAMES)
    assert set(pades.text_field_values(both)) == set(NAMES)


def test_a_rotated_first_page_is_left_as_it_is():
    """GIVEN a PDF whose first page is shown rotated (/Rotate 90)
    WHEN the top-right fields are asked for
    THEN it comes back unchanged: its top right is another corner of the page box."""
    original = sample_pdf()
    old = b"/MediaBox [ 0 0 595 842 ]\n/Resources <<\n/Font <<\n/F1 3 0 R\n>>\n>>"
    new = b"/MediaBox[0 0 595 842]/Rotate 90/Resources<</Font<</F1 3 0 R>>>>"
    # The same length, so the cross-reference offsets stay right.
    pdf = original.replace(old, new.ljust(len(old)), 1)
    assert b"/Rotate 90" in pdf and len(pdf) == len(original)

    assert pades.add_top_right_fields(pdf=pdf, names=NAMES) == pdf
