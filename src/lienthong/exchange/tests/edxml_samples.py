"""Ready-made messages for the edXML tests: a document with two files, a status message."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from lienthong.exchange.edxml import (
    Attachment,
    Business,
    EdocMessage,
    Organization,
    ResponseFor,
    Signer,
    StatusMessage,
)
from lienthong.exchange.edxml.wire import VN_TZ

SENDER = Organization(
    organ_id="000.00.00.H26",
    organ_name="Thành ủy Hà Nội",
    organization_in_charge="Ban Chấp hành Trung ương",
    address="Số 1 Lê Lai, Hoàn Kiếm, Hà Nội",
    email="vanthu@hanoi.example.vn",
    telephone="024 3825 0000",
    fax="024 3825 0001",
    website="hanoi.example.vn",
)
RECIPIENTS = (
    Organization(organ_id="000.00.00.H41", organ_name="UBND Tỉnh Nghệ An"),
    Organization(organ_id="000.00.00.H14", organ_name="UBND Tỉnh Cao Bằng"),
)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def sample_edoc(**changes: Any) -> EdocMessage:
    """A new document from Hà Nội to two provinces, with a PDF and a spreadsheet."""
    message = EdocMessage(
        sender=SENDER,
        recipients=RECIPIENTS,
        document_id="000.00.00.H26,2025/03/14,125/TU-VP",
        code_number="125",
        code_notation="TU-VP",
        promulgation_date=dt.date(2025, 3, 14),
        subject="V/v tổ chức Hội nghị tổng kết công tác văn thư, lưu trữ năm 2024",
        place="Hà Nội",
        type=1,
        type_detail=0,
        type_name="Công văn",
        content="Đề nghị các đơn vị cử đại biểu dự hội nghị.",
        signer=Signer(
            competence="TL. BAN THƯỜNG VỤ", position="Chánh Văn phòng", full_name="Nguyễn Văn An"
        ),
        due_date=dt.date(2025, 3, 28),
        priority=1,
        steering_type=1,
        to_places=("Như trên", "Lưu VP"),
        response_for=(
            ResponseFor(
                organ_id="000.00.00.G22",
                code="7816/VPCP-TTĐT",
                promulgation_date=dt.date(2015, 9, 30),
                document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
            ),
        ),
        business=Business(
            doc_type=0,
            reason="Văn bản điện tử mới",
            staff_department="Văn phòng",
            staff_name="Trần Thị Bình",
            staff_email="binh@hanoi.example.vn",
            staff_mobile="0912000001",
        ),
        trace=(("000.00.00.H26", dt.datetime(2025, 3, 14, 9, 30, 5, tzinfo=VN_TZ)),),
        sphere="Lưu hành nội bộ",
        typer_notation="TVB",
        promulgation_amount=3,
        page_amount=2,
        direction=False,
        appendixes=("Danh sách đại biểu",),
        attachments=(
            Attachment(
                name="125-TU-VP.pdf",
                content_type="application/pdf",
                data=PDF,
                description="Văn bản ký số",
                content_id="cid:1",
            ),
            Attachment(
                name="Danh sách đại biểu.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                data=b"PK\x03\x04 not really a spreadsheet " * 50,
                content_id="cid:2",
            ),
        ),
    )
    return replace(message, **changes)


def sample_status(**changes: Any) -> StatusMessage:
    """Nghệ An answers 03 (registered) to the sample document."""
    message = StatusMessage(
        sender=RECIPIENTS[0],
        response_for=ResponseFor(
            organ_id="000.00.00.H26",
            code="125/TU-VP",
            promulgation_date=dt.date(2025, 3, 14),
            document_id="000.00.00.H26,2025/03/14,125/TU-VP",
        ),
        status_code="03",
        description="Đã tiếp nhận, vào sổ văn bản đến",
        timestamp=dt.datetime(2025, 3, 14, 10, 0, 0, tzinfo=VN_TZ),
        staff_department="Văn phòng",
        staff_name="Lê Văn Cường",
    )
    return replace(message, **changes)
