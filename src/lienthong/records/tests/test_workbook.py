"""Member lists from and to XLSX (issue #9 scopes 3 and 6, acceptance "an XLSX with bad
rows imports nothing and lists every bad row"): the Mẫu 7-HSĐV export is watermarked and
audited."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.records.choices import TheoryLevel
from lienthong.records.models import Member
from lienthong.records.tests.conftest import GOOD
from lienthong.records.workbook import FORM_7_COLUMNS, members_import, members_xlsx

HEADER = [
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Số lý lịch",
    "Chi bộ",
    "Lý luận chính trị",
]


def _book(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROWS = [
    [
        "Nguyễn Văn An",
        "Nam",
        dt.date(1980, 1, 2),
        "19/05/2005",
        "19/05/2006",
        "10000001",
        "100001HN",
        "Chi bộ khu phố 1",
        "Trung cấp",
    ],
    [
        "Lê Thị Hoa",
        "Nữ",
        "03/04/1990",
        dt.date(2015, 2, 3),
        None,
        "10000002",
        "100002HN",
        "",
        "cao cấp",
    ],
]


def test_a_good_list_is_imported_into_the_cells(world: Any, party: Any) -> None:
    report = members_import(
        actor=party["commune_org"], unit=world.commune_a1, data=_book(GOOD_ROWS)
    )
    assert report.ok and report.created == 2, report.errors
    an = Member.objects.get(card_number="10000001")
    assert an.unit == party["cell"] and an.theory == TheoryLevel.INTERMEDIATE
    assert an.admitted_on == dt.date(2005, 5, 19) and an.official_on == dt.date(2006, 5, 19)
    hoa = Member.objects.get(card_number="10000002")
    assert hoa.unit == world.commune_a1 and hoa.born_on == dt.date(1990, 4, 3)
    assert AuditEvent.objects.filter(verb="member.import").get().data == {
        "rows": 2,
        "created": 2,
    }


def test_bad_rows_import_nothing_and_each_is_listed(world: Any, party: Any) -> None:
    from lienthong.records.services import member_create

    member_create(actor=party["commune_org"], unit=party["cell"], **GOOD)  # 01234567
    rows = [
        *GOOD_ROWS,
        ["Trần Văn Ba", "X", "02/01/1980", "01/01/2005", "", "1234567", "12345HN", "", ""],
        [
            "Phạm Thị Bốn",
            "Nữ",
            "not a date",
            "01/01/2005",
            "01/06/2005",
            "10000001",
            "100001HN",
            "Chi bộ không có",
            "tiến sĩ",
        ],
        ["Đỗ Văn Năm", "Nam", "01/01/1980", "01/01/2030", "", GOOD["card_number"], "", "", ""],
    ]
    report = members_import(actor=party["commune_org"], unit=world.commune_a1, data=_book(rows))
    assert not report.ok and report.created == 0
    assert not Member.objects.exclude(card_number=GOOD["card_number"]).exists()
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (4, "Giới tính"),
        (4, "Số thẻ đảng viên"),
        (4, "Số lý lịch"),
        (5, "Ngày sinh"),
        (5, "Số thẻ đảng viên"),  # also on row 2
        (5, "Số lý lịch"),
        (5, "Chi bộ"),
        (5, "Lý luận chính trị"),
        (6, "Ngày vào Đảng"),  # in the future
        (6, "Số thẻ đảng viên"),  # already on the node
    } <= found
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(5, "Số thẻ đảng viên")] == "Also on row 2."
    assert messages[(6, "Số thẻ đảng viên")] == "Another member holds this party card number."
    assert messages[(4, "Số thẻ đảng viên")] == "The party card number has 8 digits."
    assert not AuditEvent.objects.filter(verb="member.import").exists()


def test_an_unreadable_file_or_a_missing_column_or_a_foreign_unit_is_refused(
    world: Any, party: Any
) -> None:
    with pytest.raises(InvalidInput, match="not a readable XLSX"):
        members_import(actor=party["commune_org"], unit=world.commune_a1, data=b"MZ\x90\x00")
    with pytest.raises(InvalidInput, match="Ngày vào Đảng"):
        members_import(
            actor=party["commune_org"],
            unit=world.commune_a1,
            data=_book([["A", "Nam", "01/01/1980"]], header=HEADER[:3]),
        )
    with pytest.raises(NotFound):
        members_import(
            actor=party["other_commune_org"], unit=world.commune_a1, data=_book(GOOD_ROWS)
        )
    assert not Member.objects.exists()


def test_the_form_7_list_is_watermarked_and_audited(world: Any, party: Any) -> None:
    members_import(actor=party["commune_org"], unit=world.commune_a1, data=_book(GOOD_ROWS))
    data = members_xlsx(user=party["province_org"], unit=world.province_a)
    sheet = load_workbook(io.BytesIO(data))["mau-7"]
    assert tuple(c.value for c in sheet[3]) == FORM_7_COLUMNS
    assert len(FORM_7_COLUMNS) == 14
    assert "tc.tinh" in sheet["A2"].value and "Internal" in sheet["A2"].value
    assert "tc.tinh" in sheet.oddHeader.center.text
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert [r[1] for r in rows] == ["Lê Thị Hoa", "Nguyễn Văn An"]  # by unit, then name
    an = rows[1]
    assert an[6] == "19/05/2005; 19/05/2006" and an[7] == "10000001; 100001HN"
    event = AuditEvent.objects.filter(verb="member.export").get()
    assert event.actor_user_id == party["province_org"].pk and event.data["rows"] == 2
    # Someone outside gets an empty list, never another committee's members.
    other = load_workbook(
        io.BytesIO(members_xlsx(user=party["other_province_org"], unit=world.central))
    )["mau-7"]
    assert other.max_row == 3


def test_the_form_7_list_prints_with_its_columns_and_the_watermark(world: Any, party: Any) -> None:
    import pypdfium2 as pdfium
    from django.test import Client
    from django.urls import reverse

    members_import(actor=party["commune_org"], unit=world.commune_a1, data=_book(GOOD_ROWS))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(party["province_org"])
    response = client.get(reverse("records-members-pdf"), {"don-vi": world.province_a.pk})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"
    document = pdfium.PdfDocument(response.content)
    width, height = document[0].get_size()
    assert width > height  # A4 landscape
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    flat = " ".join(text.split())
    positions = [flat.find(" ".join(column.split())) for column in FORM_7_COLUMNS[1:4]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "Nguyễn Văn An" in flat and "10000001; 100001HN" in flat
    assert "tc.tinh" in flat and "Internal" in flat  # the watermark
    event = AuditEvent.objects.filter(verb="member.export").get()
    assert event.data == {"rows": 2, "format": "pdf"}
    clerk = Client(HTTP_ACCEPT_LANGUAGE="en")
    clerk.force_login(world.clerk_a1)
    assert clerk.get(reverse("records-members-pdf")).status_code == 403
