"""The catalogue to and from XLSX (issue #9 scope 5): all rows or none, every bad row
named by row and column; the export of a filtered list."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lienthong.audit.models import AuditEvent
from lienthong.records.library.models import Publication
from lienthong.records.library.tests.conftest import make
from lienthong.records.library.workbook import publications_import

pytestmark = pytest.mark.django_db

HEADER = [
    "Số, ký hiệu",
    "Ngày ban hành",
    "Cơ quan ban hành",
    "Loại văn bản",
    "Trích yếu",
    "Khóa",
    "Chủ đề",
]
GOOD_ROWS = [
    [
        "57-NQ/TW",
        dt.date(2024, 12, 22),
        "Bộ Chính trị",
        "Nghị quyết",
        "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
        "XIII",
        "chuyển đổi số, khoa học",
    ],
    [
        "05-CT/TW",
        "15/05/2016",
        "Bộ Chính trị",
        "CT",
        "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "XII",
        "",
    ],
]


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_good_catalogue_is_imported(world: Any, people: Any) -> None:
    """GIVEN a catalogue of two publications (a type by name and one by abbreviation,
    a date cell and a dd/mm/yyyy text) WHEN the clerk imports it THEN both are kept by
    commune A1, with their tags, and the import is audited."""
    report = publications_import(
        actor=people["clerk"], unit=world.commune_a1, data=_xlsx(GOOD_ROWS)
    )

    assert report.ok and report.created == 2
    numbers = set(Publication.objects.values_list("number_key", flat=True))
    assert numbers == {"57-nq/tw", "05-ct/tw"}
    assert Publication.objects.get(number=57).tags_text == "chuyển đổi số, khoa học"
    assert AuditEvent.objects.filter(verb="publication.import").count() == 1


def test_bad_rows_import_nothing_and_each_is_named(world: Any, people: Any) -> None:
    """GIVEN a catalogue with a good row, a row with a malformed number and an unknown
    type, a row whose date is not a date, a Chỉ thị numbered "NQ", the same document as
    the first row, and one already in the library
    WHEN the clerk imports it
    THEN nothing is written and every problem is reported with its row and column."""
    make(world.commune_a1, number=18, issued_on=dt.date(2017, 10, 25))
    rows = [
        GOOD_ROWS[0],
        ["57 NQ TW", dt.date(2024, 1, 1), "Bộ Chính trị", "Sắc lệnh", "Sai"],
        ["21-KL/TW", "25 tháng 10", "Ban Chấp hành Trung ương", "Kết luận", "Về xây dựng Đảng"],
        ["01-NQ/TW", dt.date(2021, 5, 18), "Bộ Chính trị", "Chỉ thị", "Sai loại"],
        GOOD_ROWS[0],
        ["18-NQ/TW", dt.date(2017, 10, 25), "Bộ Chính trị", "Nghị quyết", "Đã có"],
    ]
    before = Publication.objects.count()

    report = publications_import(actor=people["clerk"], unit=world.commune_a1, data=_xlsx(rows))

    assert not report.ok
    assert Publication.objects.count() == before
    problems = {(e.row, e.column) for e in report.errors}
    assert problems == {
        (3, "Số, ký hiệu"),
        (3, "Loại văn bản"),
        (4, "Ngày ban hành"),
        (5, "Số, ký hiệu"),
        (6, "Số, ký hiệu"),
        (7, "Số, ký hiệu"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "row 2" in messages[(6, "Số, ký hiệu")]
    assert "already holds" in messages[(7, "Số, ký hiệu")]


def test_import_page_lists_the_problems_and_a_specialist_may_not(world: Any, people: Any) -> None:
    """GIVEN a catalogue with one bad row WHEN the clerk uploads it on the page THEN the
    problem table names the row and nothing is imported; a specialist gets 403."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["clerk"])
    upload = SimpleUploadedFile("catalogue.xlsx", _xlsx([GOOD_ROWS[0], ["x", "", "", "", ""]]))

    response = client.post(reverse("library-import"), {"file": upload})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-errors"' in body and "Nothing was imported" in body
    assert not Publication.objects.exists()
    specialist = Client()
    specialist.force_login(people["specialist"])
    assert specialist.get(reverse("library-import")).status_code == 403


def test_export_of_a_filtered_list(world: Any, people: Any) -> None:
    """GIVEN a publication of 2024 and one of 2016 WHEN the list filtered on 2016 is
    exported THEN the workbook holds the header and that one only, and the export is
    audited; the workbook can be imported again elsewhere."""
    make(world.commune_a1)
    make(world.commune_a1, number=5, notation="NQ/TW", issued_on=dt.date(2016, 5, 15))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["specialist"])

    response = client.get(reverse("library-export"), {"nam": "2016"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Số, ký hiệu"
    assert [row[0] for row in rows[1:]] == ["05-NQ/TW"]
    assert AuditEvent.objects.filter(verb="publication.export").count() == 1
    report = publications_import(actor=world.clerk_b1, unit=world.commune_b1, data=response.content)
    assert report.errors[0].column == "Số, ký hiệu"  # the same document, already held
