"""Rendering a document written in lienthong to PDF with the right thể thức.

The layouts follow HD 36-HD/VPTW for the Party and NĐ 30/2020 Phụ lục I for the State
(vn-rules.md §1.3, §2.5): A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm
right, a Times-metric face (Liberation Serif, Debian's ``fonts-liberation2``). Party:
"ĐẢNG CỘNG SẢN VIỆT NAM" top right, underlined; the issuing body top left with "*"
below; "Số 12-NQ/TU". State: Quốc hiệu and Tiêu ngữ; "Số: 15/QĐ-UBND". Then place and
date, type and subject, body, the signer block and "Nơi nhận:".

For signing (``for_signing=True``) the signer block is an empty box of the size of the
person's PAdES stamp (trust.pades: title, handwriting image, name, signing time); its
position on the page is returned so the signature is drawn exactly there. The number
(box 3) and the place and date (box 4) are then read-only PDF text fields showing the
blanks: the clerk numbers and dates the document at issue, after the person has signed
(vn-rules.md §1.4), and the unit's seal signature fills the fields (``issue_fields``).
Form filling is a change PAdES allows after a signature, so the person's signature
stays valid and the seal covers the number and date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Convention, DocumentState, Priority
from lienthong.documents.models import Document, UnitProfile
from lienthong.trust import pades

__all__ = [
    "DATE_FIELD",
    "NUMBER_FIELD",
    "SIGNATURE_BOX_PT",
    "RenderedPdf",
    "date_line",
    "issue_fields",
    "render_html",
    "render_pdf",
    "with_number_fields",
]

#: The person stamp's size in PDF points (trust.pades default box: 200 by 150 pt).
SIGNATURE_BOX_PT = (200.0, 150.0)
_PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in.

#: The PDF text fields of a rendered document, filled at issue by the seal signature.
NUMBER_FIELD = "lienthong_number"
DATE_FIELD = "lienthong_date"
#: Where they stand in the templates and their size in points (style.css: the header
#: is 13 pt for the Party, 12 pt for the State; the date line is italic).
_FIELD_ANCHORS = {NUMBER_FIELD: "field-number", DATE_FIELD: "field-date"}
_HEADER_PT = {Convention.PARTY: 13.0, Convention.STATE: 12.0}

_PRIORITY_MARKS = {
    Priority.URGENT: "KHẨN",
    Priority.VERY_URGENT: "THƯỢNG KHẨN",
    Priority.FLASH: "HỎA TỐC",
    Priority.FLASH_TIMED: "HỎA TỐC HẸN GIỜ",
}
_SECRET_MARKS = {1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered document and where its signature goes.

    Attributes:
        pdf: the PDF.
        signature_page: the page index of the signer block.
        signature_box: (x1, y1, x2, y2) in PDF points from the bottom left, or None
            when the document was rendered for reading (no empty box).
        title_line: the signer's title lines for the stamp ("T/M BAN THƯỜNG VỤ\\nBÍ THƯ").
        signer_name: the signer's name for the stamp.
    """

    pdf: bytes
    signature_page: int
    signature_box: tuple[float, float, float, float] | None
    title_line: str
    signer_name: str


def date_line(place: str, day: dt.date | None, *, year: int | None = None) -> str:
    """ "Hà Nội, ngày 05 tháng 3 năm 2026" (NĐ 30 Phụ lục I II.4: day below 10 and
    months 1-2 with a leading zero); blanks to fill by hand when ``day`` is None."""
    place = place.strip()
    prefix = f"{place}, " if place else ""
    if day is None:
        blank = "\u00a0" * 6
        return f"{prefix}ngày{blank}tháng{blank}năm {year or timezone.localdate().year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


def issue_fields(document: Document) -> dict[str, str]:
    """The values of the number and date fields once ``document`` is numbered:
    ``{"lienthong_number": "Số 01-CV/TU", "lienthong_date": "Hà Nội, ngày 05 tháng 3
    năm 2026"}`` (vn-rules.md §1.4, NĐ 30 Phụ lục I II.3-4)."""
    profile = UnitProfile.objects.filter(unit_id=document.unit_id).first()
    return {
        NUMBER_FIELD: document.number_line,
        DATE_FIELD: date_line(
            profile.place_name if profile else "",
            document.issued_date or timezone.localdate(),
        ),
    }


def with_number_fields(pdf: bytes) -> bytes:
    """An uploaded PDF (not laid out by lienthong) with empty number and date fields,
    one a line, right-aligned in the top right of page 1, added before the person signs.

    At issue the seal signature fills them with ``issue_fields`` ("Số: 15/QĐ-UBND",
    "Hà Nội, ngày 05 tháng 3 năm 2026"), so the issued PDF shows its number and date
    (vn-rules.md §1.3 box 3 "Số, ký hiệu" and box 4 "Địa danh và thời gian ban hành";
    §1.4: given at issue, after the signature). The place of boxes 3-4 in a PDF written
    elsewhere is unknown, so the text goes where §1.9 puts the unit's text-only
    signature: the top right corner of page 1, Times 10. A PDF that already carries a
    signature, or whose page 1 is rotated, is returned as it is (see
    ``pades.add_top_right_fields``).
    """
    return pades.add_top_right_fields(pdf=pdf, names=[NUMBER_FIELD, DATE_FIELD])


def _number_line(document: Document, profile: UnitProfile | None) -> str:
    if document.code_number is not None:
        return document.number_line
    notation = ""
    if profile is not None:
        from lienthong.documents.numbering import notation_for

        try:
            notation = notation_for(document=document, unit_profile=profile)
        except InvalidInput:
            notation = ""
    blank = "\u00a0" * 8
    if document.convention == Convention.PARTY:
        return f"Số{blank}-{notation}" if notation else "Số"
    return f"Số:{blank}/{notation}" if notation else "Số:"


def _recipients(document: Document) -> list[str]:
    lines: list[str] = []
    if document.pk is not None:
        for recipient in document.recipients.select_related("unit").order_by("pk"):
            lines.append(str(recipient.unit.name if recipient.unit else recipient.text))
    for line in document.recipients_text.splitlines():
        line = line.strip().lstrip("-").strip().rstrip(";.").strip()
        if line and line not in lines:
            lines.append(line)
    if not any(line.lower().startswith("lưu") for line in lines):
        lines.append("Lưu: VT")
    return lines


def _title_lines(document: Document) -> list[str]:
    lines = [line.strip().upper() for line in document.signer_position.splitlines() if line.strip()]
    if document.competence and lines:
        lines[0] = f"{document.competence} {lines[0]}"
    return lines


def _context(
    document: Document, profile: UnitProfile | None, *, for_signing: bool
) -> dict[str, Any]:
    unit = document.unit
    parent = unit.parent if unit.parent_id else None
    is_party = document.convention == Convention.PARTY
    year = document.number_year or timezone.localdate().year
    paragraphs = [p.strip() for p in document.body.replace("\r\n", "\n").split("\n") if p.strip()]
    return {
        "document": document,
        "is_party": is_party,
        "parent_name": (parent.name.upper() if parent is not None and not is_party else ""),
        "issuer_name": (document.issuer_name or unit.name).upper(),
        "number_line": _number_line(document, profile),
        "date_line": date_line(
            profile.place_name if profile else "", document.issued_date, year=year
        ),
        "is_letter": document.document_type.is_letter,
        "type_name": document.document_type.name.upper(),
        "subject": document.subject.strip(),
        "paragraphs": paragraphs,
        "title_lines": _title_lines(document),
        "signer_name": document.signer_name,
        "recipients": _recipients(document),
        "priority_mark": _PRIORITY_MARKS.get(Priority(document.priority), ""),
        "secret_mark": _SECRET_MARKS.get(int(document.classification), ""),
        "draft_mark": is_party
        and not for_signing
        and document.state in {DocumentState.DRAFT, DocumentState.SUBMITTED},
        "for_signing": for_signing,
        "box_width_mm": SIGNATURE_BOX_PT[0] * 25.4 / 72,
        "box_height_mm": SIGNATURE_BOX_PT[1] * 25.4 / 72,
    }


def _template(document: Document) -> str:
    if document.convention == Convention.PARTY:
        return "documents/render/party.html"
    return "documents/render/state.html"


def render_html(*, document: Document, for_signing: bool = False) -> str:
    """The document as HTML in its convention's layout (for WeasyPrint or a preview)."""
    profile = UnitProfile.objects.filter(unit_id=document.unit_id).first()
    return render_to_string(
        _template(document), _context(document, profile, for_signing=for_signing)
    )


def _with_fields(pdf: bytes, pages: Any, context: dict[str, Any], document: Document) -> bytes:
    """Add the number and date text fields where the template left their lines empty."""
    values = {NUMBER_FIELD: context["number_line"], DATE_FIELD: context["date_line"]}
    size = _HEADER_PT.get(Convention(document.convention), 13.0)
    specs: list[pades.TextFieldSpec] = []
    for name, anchor_name in _FIELD_ANCHORS.items():
        for index, page in enumerate(pages):
            anchor = page.anchors.get(anchor_name)
            if anchor is None:
                continue
            left, top, right, bottom = (float(v) * _PX_TO_PT for v in anchor)
            height = float(page.height) * _PX_TO_PT
            specs.append(
                pades.TextFieldSpec(
                    name=name,
                    page=index,
                    box=(left, height - bottom, right, height - top),
                    value=values[name],
                    font_size=size,
                    style="italic" if name == DATE_FIELD else "regular",
                    align="center",
                )
            )
            break
    return pades.add_text_fields(pdf=pdf, fields=specs) if specs else pdf


def render_pdf(*, document: Document, for_signing: bool = False) -> RenderedPdf:
    """Render ``document`` (its body text) to PDF with WeasyPrint.

    Args:
        document: an outgoing document written in lienthong.
        for_signing: leave the signer block empty at the size of the person's stamp and
            report its position (the stamp draws title, signature and name).

    Returns:
        The PDF and the signature box.

    Raises:
        InvalidInput: the document has no text to render.
    """
    from weasyprint import HTML  # type: ignore[import-untyped]

    if not document.body.strip():
        raise InvalidInput(_("The document has no text to render: write it or upload a PDF."))
    profile = UnitProfile.objects.filter(unit_id=document.unit_id).first()
    context = _context(document, profile, for_signing=for_signing)
    rendered = HTML(string=render_to_string(_template(document), context)).render()
    page_index = len(rendered.pages) - 1
    box: tuple[float, float, float, float] | None = None
    for index, page in enumerate(rendered.pages):
        anchor = page.anchors.get("signature-box")
        if anchor is None:
            continue
        page_index = index
        left, top, right, bottom = (float(v) * _PX_TO_PT for v in anchor)
        height = float(page.height) * _PX_TO_PT
        width_pt, height_pt = SIGNATURE_BOX_PT
        # The stamp's own size, from the box's top left, in PDF coordinates (bottom left).
        box = (left, height - top - height_pt, left + width_pt, height - top)
        del right, bottom
        break
    pdf = bytes(rendered.write_pdf() or b"")
    if for_signing:
        pdf = _with_fields(pdf, rendered.pages, context, document)
    return RenderedPdf(
        pdf=pdf,
        signature_page=page_index,
        signature_box=box if for_signing else None,
        title_line="\n".join(_title_lines(document)),
        signer_name=document.signer_name,
    )
