"""The PAdES facade, signing side: levels, several signatures, NĐ 30 stamps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from lienthong.trust import pades
from lienthong.trust.errors import SigningError, ValidationFailure
from lienthong.trust.pades import stamps
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import missing_tool, seal_png, signature_png


def _person(pki, pdf: bytes, *, level: str = "B-LTA") -> bytes:
    return pades.sign_pdf(
        pdf=pdf,
        signer=pades.SignerSpec(certificate=pki.person),
        stamp=pades.StampSpec(
            kind="person",
            title="TM. BAN THƯỜNG VỤ\nBÍ THƯ",
            name="Nguyễn Văn Ánh",
            image_png=signature_png(),
        ),
        level=level,
    )


def _seal(pki, pdf: bytes, *, level: str = "B-LTA") -> bytes:
    return pades.sign_pdf(
        pdf=pdf,
        signer=pades.SignerSpec(certificate=pki.seal),
        stamp=pades.StampSpec(kind="seal", image_png=seal_png(), image_width_mm=32),
        level=level,
    )


def test_person_then_seal_b_lta_is_valid_with_timestamps(pki):
    """GIVEN a two-page PDF
    WHEN the leader signs it and the unit seals it, both at B-LTA
    THEN both signatures are valid, timestamped, and not reported as modified after;
    each signature is followed by a document timestamp."""
    signed = _seal(pki, _person(pki, sample_pdf(pages=2)))

    report = pades.validate_pdf(pdf=signed, trust_anchors=[pki.root_pem])

    assert report.verdict == "valid"
    assert [s.signer for s in report.signatures] == ["Lãnh đạo Hà Nội", "Tỉnh ủy Hà Nội"]
    assert all(s.intact and s.trusted and s.timestamped for s in report.signatures)
    assert not any(s.modified_after or s.revoked for s in report.signatures)
    assert len(report.document_timestamps) == 2
    assert all(t.trusted for t in report.document_timestamps)
    assert report.signatures[0].signed_at.endswith("+07:00")
    # B-LT: our CRLs were embedded, so revocation evidence is in the report.
    assert report.signatures[0].details["revocation"]


def test_b_b_signature_has_no_timestamp_and_a_warning(pki):
    """GIVEN a PDF signed at B-B (no TSA)
    WHEN validated
    THEN it is valid with a warning that the signing time is only claimed."""
    signed = pades.sign_pdf(
        pdf=sample_pdf(), signer=pades.SignerSpec(certificate=pki.person), level="B-B"
    )

    report = pades.validate_pdf(pdf=signed, trust_anchors=[pki.root_pem])

    assert report.verdict == "valid_with_warnings"
    assert report.signatures[0].timestamped is False
    assert any("timestamp" in r for r in report.signatures[0].reasons)


def test_seal_overlaps_the_left_third_of_the_signature_image(pki):
    """GIVEN a PDF signed by a person with a visible stamp
    WHEN the unit seals it without giving a position
    THEN the seal's field sits on the same page, its right edge on the first third of
    the handwriting image (vn-rules.md §1.9)."""
    signed = _seal(pki, _person(pki, sample_pdf(pages=2)))

    fields = [f for f in pades.signature_fields(signed) if not f.is_timestamp]

    person, seal = fields
    assert person.name.startswith("Person") and seal.name.startswith("Seal")
    assert person.page == seal.page == 1
    image_left, _, image_right, _ = stamps.person_image_rect(person.rect)
    expected_right = image_left + (image_right - image_left) / 3
    assert abs(seal.rect[2] - expected_right) <= 1
    assert seal.rect[0] < image_left  # it overlaps from the left
    assert abs((seal.rect[2] - seal.rect[0]) - 32 * stamps.MM) <= 1  # actual size


def test_top_right_variant_is_on_page_one_top_right(pki):
    """GIVEN an attachment
    WHEN the unit signs it with the "top right" text variant
    THEN the field is on the first page, in its top right corner."""
    signed = pades.sign_pdf(
        pdf=sample_pdf(pages=2),
        signer=pades.SignerSpec(certificate=pki.seal),
        stamp=pades.StampSpec(kind="top_right", text_lines=("Số: 12/CV-ĐU",)),
        level="B-T",
    )

    (field,) = [f for f in pades.signature_fields(signed) if not f.is_timestamp]

    assert field.page == 0
    assert field.rect[2] > 595 * 0.8 and field.rect[3] > 842 * 0.9


def _colours(png: Path, box: tuple[float, float, float, float], dpi: int) -> dict[str, int]:
    image = Image.open(png).convert("RGB")
    scale = dpi / 72
    x1, y1, x2, y2 = box
    height = image.height
    crop = image.crop(
        (int(x1 * scale), int(height - y2 * scale), int(x2 * scale), int(height - y1 * scale))
    )
    counts = {"blue": 0, "red": 0, "dark": 0}
    for r, g, b in crop.get_flattened_data():
        if b > 150 and r < 90 and g < 110:
            counts["blue"] += 1
        elif r > 180 and g < 80 and b < 80:
            counts["red"] += 1
        elif r < 60 and g < 60 and b < 60:
            counts["dark"] += 1
    return counts


def test_rendered_stamp_shows_blue_signature_red_seal_and_text(pki, tmp_path):
    """GIVEN a PDF signed by a person and sealed by the unit
    WHEN the last page is rendered by poppler
    THEN the person's box shows blue handwriting, black text and the red seal."""
    missing_tool("pdftoppm")
    signed = _seal(pki, _person(pki, sample_pdf(pages=1)))
    (tmp_path / "signed.pdf").write_bytes(signed)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", "signed.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    person = next(f for f in pades.signature_fields(signed) if f.name.startswith("Person"))

    counts = _colours(tmp_path / "page.png", person.rect, 72)

    assert counts["blue"] > 50
    assert counts["red"] > 50
    assert counts["dark"] > 50


def test_time_is_iso_8601_in_vietnam():
    """GIVEN a UTC instant
    WHEN formatted for a stamp
    THEN it is ISO 8601 with +07:00 (vn-rules.md §1.9)."""
    import datetime as dt

    when = dt.datetime(2026, 3, 5, 7, 30, 15, 123, tzinfo=dt.UTC)

    assert stamps.format_signing_time(when) == "2026-03-05T14:30:15+07:00"


def test_not_a_pdf_and_unknown_level_are_refused(pki):
    """GIVEN a text file, or a PDF with an unknown level
    WHEN signing
    THEN a ValidationFailure / SigningError names the problem."""
    signer = pades.SignerSpec(certificate=pki.person)
    with pytest.raises(ValidationFailure, match="not a PDF"):
        pades.sign_pdf(pdf=b"hello, world", signer=signer, level="B-B")
    with pytest.raises(SigningError, match="level"):
        pades.sign_pdf(pdf=sample_pdf(), signer=signer, level="B-XYZ")


def test_seal_without_a_person_signature_has_nowhere_to_go(pki):
    """GIVEN an unsigned PDF
    WHEN a seal stamp is asked for without a position
    THEN signing is refused: a seal goes over a person's signature."""
    with pytest.raises(SigningError, match="person"):
        _seal(pki, sample_pdf(), level="B-B")


_BLANK = "\u00a0" * 8
_FIELDS = (
    pades.TextFieldSpec(
        name="lienthong_number", page=0, box=(85, 770, 300, 790), value=f"Số{_BLANK}-CV/TU"
    ),
    pades.TextFieldSpec(
        name="lienthong_date",
        page=0,
        box=(300, 750, 580, 770),
        value=f"Hà Nội, ngày{_BLANK}tháng{_BLANK}năm 2026",
        style="italic",
    ),
)
_FILLED = {"lienthong_number": "Số 01-CV/TU", "lienthong_date": "Hà Nội, ngày 05 tháng 3 năm 2026"}


def test_seal_fills_the_number_and_date_and_the_person_signature_stays_valid(pki, tmp_path):
    """GIVEN a PDF with read-only number and date fields showing blanks, signed by a person
    WHEN the unit seals it filling the fields (vn-rules.md §1.4: numbered at issue)
    THEN both signatures (B-LTA) are valid for lienthong and for pyHanko's CLI, also in
    AdES mode, the person's is reported as followed by form filling only, and the PDF's
    text shows the values."""
    missing_tool("pdftotext")
    with_fields = pades.add_text_fields(pdf=sample_pdf(), fields=_FIELDS)
    person = _person(pki, with_fields)
    assert pades.text_field_values(person)["lienthong_number"] == f"Số{_BLANK}-CV/TU"

    sealed = pades.sign_pdf(
        pdf=person,
        signer=pades.SignerSpec(certificate=pki.seal),
        stamp=pades.StampSpec(kind="seal", image_png=seal_png(), image_width_mm=32),
        fill_fields={**_FILLED, "absent_field": "ignored"},
    )

    assert pades.text_field_values(sealed) == _FILLED
    report = pades.validate_pdf(pdf=sealed, trust_anchors=[pki.root_pem])
    assert report.verdict == "valid"
    first, second = report.signatures
    assert first.intact and second.intact and not first.modified_after
    assert first.details["modification_level"] == "form_filling"
    (tmp_path / "sealed.pdf").write_bytes(sealed)
    (tmp_path / "root.pem").write_text(pki.root_pem)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "sealed.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Số 01-CV/TU" in text and "Hà Nội, ngày 05 tháng 3 năm 2026" in text
    for mode in (["validate", "--no-revocation-check"], ["adesverify"]):
        cli = subprocess.run(
            [
                str(Path(sys.executable).with_name("pyhanko")),
                "sign",
                *mode,
                "--trust",
                str(tmp_path / "root.pem"),
                "--trust-replace",
                "--pretty-print",
                str(tmp_path / "sealed.pdf"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert cli.returncode == 0, cli.stdout + cli.stderr
        assert cli.stdout.count("The signature is judged VALID.") == 2
        assert "signing and form filling operations" in cli.stdout


def test_fields_of_the_same_name_are_refused(pki):
    """GIVEN a PDF that already has a field "lienthong_number"
    WHEN the same field is added again
    THEN it is refused with the field's name."""
    with_fields = pades.add_text_fields(pdf=sample_pdf(), fields=_FIELDS[:1])

    with pytest.raises(SigningError, match="lienthong_number"):
        pades.add_text_fields(pdf=with_fields, fields=_FIELDS[:1])
