"""The archive pages (issue #9 scope 4): the warning list, scope (404), the plan, file and
handover pages through the test client, and the all-or-nothing catalogue import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from lienthong.records.archives.choices import FileState, PlanState
from lienthong.records.archives.models import FilePlan, FilePlanEntry, FilePlanHeading, RecordFile
from lienthong.records.archives.services import (
    file_close,
    file_document_add,
    file_open,
    plan_create,
)
from lienthong.records.archives.tests.conftest import (
    Office,
    approved_plan,
    entry,
    make_document,
)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _closed_on(office: Office, plan: FilePlan, code: str, end: dt.date, number: int) -> RecordFile:
    record_file = file_open(actor=office.clerk, entry=entry(plan, code), start_date=end)
    doc = make_document(office.unit, day=end, number=number)
    file_document_add(actor=office.clerk, record_file=record_file, document=doc)
    return file_close(actor=office.clerk, record_file=record_file)


def test_a_file_due_within_30_days_is_on_the_clerks_warning_list(office: Office) -> None:
    """GIVEN two closed files, one due in 20 days, one in 40 WHEN the clerk opens the
    warning list THEN only the first is listed; province B's clerk sees neither."""
    today = dt.date.today()
    plan = approved_plan(office, year=today.year)
    # Due a year after the end date: ends 365 - n days ago, so due in about n days.
    soon = _closed_on(office, plan, "01.TH", today - dt.timedelta(days=345), 1)
    later = _closed_on(office, plan, "01.TCCB", today - dt.timedelta(days=325), 2)
    assert soon.handover_due is not None and later.handover_due is not None
    assert 0 <= (soon.handover_due - today).days <= 30 < (later.handover_due - today).days
    response = _client(office.clerk).get(reverse("archives-due"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="due-{soon.pk}"' in body
    assert f'id="due-{later.pk}"' not in body
    other = _client(office.other_clerk).get(reverse("archives-due")).content.decode()
    assert f'id="due-{soon.pk}"' not in other and 'id="due-empty"' in other
    listing = _client(office.clerk).get(reverse("archives-files")).content.decode()
    assert 'id="archives-due-banner"' in listing


def test_a_clerk_of_another_unit_gets_404_on_a_file(office: Office) -> None:
    """GIVEN a file of province A WHEN province B's clerk opens it or its exports THEN 404;
    province A's clerk sees it."""
    record_file = file_open(
        actor=office.clerk,
        entry=entry(approved_plan(office), "01.TH"),
        start_date=dt.date(2026, 1, 5),
    )
    other = _client(office.other_clerk)
    for name in ("archives-file", "archives-file-index", "archives-file-zip"):
        assert other.get(reverse(name, args=[record_file.pk])).status_code == 404, name
    assert other.post(reverse("archives-file-close", args=[record_file.pk])).status_code == 404
    assert (
        _client(office.clerk).get(reverse("archives-file", args=[record_file.pk])).status_code
        == 200
    )


def test_people_without_the_permission_get_403(office: Office) -> None:
    """GIVEN the outsider WHEN opening the archive pages THEN 403."""
    client = _client(office.world.outsider)
    for name in ("archives-files", "archives-due", "archives-plans", "archives-handover-new"):
        assert client.get(reverse(name)).status_code == 403, name


def test_the_plan_is_made_approved_and_files_opened_through_the_pages(office: Office) -> None:
    """GIVEN the clerk WHEN she creates a plan, a heading and a file through the pages and
    the leader approves it THEN the plan is approved and a file opens from its entry; the
    file takes a document found by number and closes."""
    clerk = _client(office.clerk)
    response = clerk.post(reverse("archives-plan-new"), {"unit": office.unit.pk, "year": 2026})
    plan = FilePlan.objects.get(unit=office.unit, year=2026)
    assert response.status_code == 302
    clerk.post(
        reverse("archives-plan-heading", args=[plan.pk]),
        {"title": "Tổng hợp", "abbreviation": "TH"},
    )
    heading = FilePlanHeading.objects.get(plan=plan)
    clerk.post(
        reverse("archives-plan-entry", args=[plan.pk]),
        {
            "heading": heading.pk,
            "title": "Hồ sơ báo cáo năm",
            "retention_kind": "years",
            "retention_years": "20",
            "keeper_name": "Nguyễn Thị Hoa",
        },
    )
    item = FilePlanEntry.objects.get(plan=plan)
    assert item.code == "01.TH"
    assert clerk.post(reverse("archives-plan-approve", args=[plan.pk])).status_code == 404
    _client(office.leader).post(reverse("archives-plan-approve", args=[plan.pk]), {"reference": ""})
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    page = clerk.get(reverse("archives-plan", args=[plan.pk])).content.decode()
    assert f"?muc={item.pk}" in page
    response = clerk.post(
        f"{reverse('archives-file-new')}?muc={item.pk}", {"start_date": "2026-01-05"}
    )
    record_file = RecordFile.objects.get(entry=item)
    assert response.status_code == 302
    doc = make_document(office.unit, number=47, day=dt.date(2026, 2, 3))
    found = clerk.get(reverse("archives-file", args=[record_file.pk]), {"q": "47"}).content.decode()
    assert f'id="add-{doc.pk}"' in found
    clerk.post(reverse("archives-file-add", args=[record_file.pk]), {"document": doc.pk})
    clerk.post(reverse("archives-file-close", args=[record_file.pk]), {"note": ""})
    record_file.refresh_from_db()
    assert record_file.state == FileState.CLOSED and record_file.items.count() == 1
    assert clerk.get(reverse("archives-plan-pdf", args=[plan.pk])).content[:5] == b"%PDF-"


def test_handover_through_the_pages(office: Office) -> None:
    """GIVEN a closed 20-year file WHEN the clerk hands it over through the page THEN the
    handover page shows it and its printed forms download."""
    plan = approved_plan(office)
    record_file = _closed_on(office, plan, "01.TH", dt.date(2026, 3, 1), 5)
    clerk = _client(office.clerk)
    response = clerk.post(
        reverse("archives-handover-new"),
        {
            "archive_unit": office.archive.pk,
            "record_files": [record_file.pk],
            "handed_on": "2027-02-01",
            "block_name": "Phông lưu trữ Tỉnh ủy",
            "giver_name": "Nguyễn Thị Hoa",
            "receiver_name": "Lê Văn Lưu",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record_file.refresh_from_db()
    assert record_file.state == FileState.HANDED_OVER
    pk = record_file.handover_id
    assert clerk.get(reverse("archives-handover", args=[pk])).status_code == 200
    assert clerk.get(reverse("archives-handover-minutes", args=[pk])).content[:5] == b"%PDF-"
    assert (
        _client(office.other_clerk).get(reverse("archives-handover", args=[pk])).status_code == 404
    )


def _workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Số và ký hiệu hồ sơ",
            "Tên đề mục và tiêu đề hồ sơ",
            "Thời hạn bảo quản",
            "Người lập hồ sơ",
            "Ghi chú",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Client, plan: FilePlan, data: bytes) -> Any:
    return client.post(
        reverse("archives-plan-import", args=[plan.pk]),
        {"file": SimpleUploadedFile("danh-muc.xlsx", data)},
    )


def test_an_import_with_bad_rows_imports_nothing_and_names_every_bad_row(office: Office) -> None:
    """GIVEN a catalogue with a bad retention on row 4, a bad code on row 5 and a missing
    title on row 6 WHEN imported THEN nothing is written and each is named by row and
    column; the corrected catalogue imports every row."""
    plan = plan_create(actor=office.clerk, unit=office.unit, year=2026)
    clerk = _client(office.clerk)
    bad = _workbook(
        [
            ["I", "Tổ chức cán bộ", None, None, None],
            ["01.TCCB", "Hồ sơ hội nghị cán bộ", "Vĩnh viễn", "Nguyễn Thị Hoa", None],
            ["02.TCCB", "Hồ sơ nâng lương", "mãi mãi", "Nguyễn Thị Hoa", None],
            ["03-TCCB", "Hồ sơ thi đua", "10 năm", None, None],
            ["04.TCCB", None, "5 năm", None, None],
        ]
    )
    response = _upload(clerk, plan, bad)
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["errors"]]
    assert (4, "Thời hạn bảo quản") in errors
    assert (5, "Số và ký hiệu hồ sơ") in errors
    assert (6, "Tên đề mục và tiêu đề hồ sơ") in errors
    assert not plan.headings.exists() and not plan.entries.exists()
    good = _workbook(
        [
            ["I", "Tổ chức cán bộ", None, None, None],
            ["1", "Nhân sự", None, None, None],
            ["01.TCCB", "Hồ sơ hội nghị cán bộ", "Vĩnh viễn", "Nguyễn Thị Hoa", None],
            [None, "Hồ sơ nâng lương", "10 năm", "Nguyễn Thị Hoa", None],
            ["II", "Tổng hợp", None, None, None],
            ["01.TH", "Báo cáo tổng kết", "20", "Trần Văn Minh", "Bản chính"],
        ]
    )
    response = _upload(clerk, plan, good)
    assert response.status_code == 302
    assert sorted(plan.entries.values_list("code", flat=True)) == ["01.TCCB", "01.TH", "02.TCCB"]
    assert plan.headings.count() == 3
    assert plan.entries.get(code="01.TH").retention_years == 20


def test_every_page_renders_for_the_clerk(office: Office) -> None:
    """GIVEN a draft plan, an approved plan with an open file and a closed one WHEN the
    clerk opens each page THEN each answers 200 (no broken template)."""
    plan = approved_plan(office)
    draft = plan_create(actor=office.clerk, unit=office.unit, year=2027)
    closed = _closed_on(office, plan, "01.TH", dt.date(2026, 3, 1), 9)
    open_file = file_open(
        actor=office.clerk, entry=entry(plan, "01.TCCB"), start_date=dt.date(2026, 1, 5)
    )
    clerk = _client(office.clerk)
    urls = [
        reverse("archives-files"),
        f"{reverse('archives-files')}?nam=2026&tinh-trang=closed&q=TH",
        reverse("archives-due"),
        reverse("archives-plans"),
        reverse("archives-plan-new"),
        reverse("archives-plan", args=[plan.pk]),
        reverse("archives-plan", args=[draft.pk]),
        reverse("archives-plan-import", args=[draft.pk]),
        reverse("archives-plan-xlsx", args=[plan.pk]),
        reverse("archives-file-new"),
        f"{reverse('archives-file-new')}?muc={entry(plan, '02.TH').pk}",
        reverse("archives-file", args=[closed.pk]),
        f"{reverse('archives-file', args=[open_file.pk])}?q=thử",
        reverse("archives-handover-new"),
    ]
    for url in urls:
        assert clerk.get(url).status_code == 200, url
    leader = _client(office.leader)
    assert (
        'id="plan-approve"'
        in leader.get(reverse("archives-plan", args=[draft.pk])).content.decode()
    )
