"""The rules of file plans, record files and handovers (NĐ 30 Điều 28-31, vn-rules.md §4)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents.models import Document
from lienthong.records.archives.choices import FileState, PlanState, RetentionKind
from lienthong.records.archives.models import FileItem, RecordFile
from lienthong.records.archives.selectors import files_due
from lienthong.records.archives.services import (
    file_close,
    file_document_add,
    file_document_remove,
    file_keep_back,
    file_open,
    handover_create,
    plan_approve,
    plan_create,
    plan_entry_add,
    plan_heading_add,
)
from lienthong.records.archives.tests.conftest import (
    Office,
    approved_plan,
    entry,
    make_document,
)

pytestmark = pytest.mark.django_db

_NUMBERS = itertools.count(1)


def _file(office: Office, code: str, **values: object) -> RecordFile:
    return file_open(actor=office.clerk, entry=entry(approved_plan(office), code), **values)  # type: ignore[arg-type]


def _standalone(office: Office, **values: object) -> RecordFile:
    base: dict[str, object] = {
        "unit": office.unit,
        "title": "Hồ sơ xây dựng trụ sở",
        "code": "99.XD",
        "retention_kind": RetentionKind.YEARS,
        "retention_years": 20,
        "retention_basis": "TT 10/2022/TT-BNV",
        "keeper_name": "Nguyễn Thị Hoa",
        "start_date": dt.date(2026, 1, 10),
    }
    base.update(values)
    return file_open(actor=office.clerk, **base)  # type: ignore[arg-type]


def _closed(office: Office, record_file: RecordFile, *days: dt.date) -> RecordFile:
    for day in days:
        number = next(_NUMBERS)
        doc = make_document(office.unit, subject=f"Văn bản {number}", day=day, number=number)
        file_document_add(actor=office.clerk, record_file=record_file, document=doc)
    return file_close(actor=office.clerk, record_file=record_file)


# --- Plans ---------------------------------------------------------------------------


def test_codes_are_numbered_within_each_big_heading_and_unique(office: Office) -> None:
    """GIVEN a draft plan with two big headings WHEN files are added without codes THEN
    they are numbered from 01 within each heading with its abbreviation; a taken code
    is refused."""
    plan = plan_create(actor=office.clerk, unit=office.unit, year=2026)
    staff = plan_heading_add(actor=office.clerk, plan=plan, title="Tổ chức", abbreviation="tccb")
    sub = plan_heading_add(actor=office.clerk, plan=plan, title="Nhân sự", parent=staff)
    general = plan_heading_add(actor=office.clerk, plan=plan, title="Tổng hợp", abbreviation="TH")
    assert (staff.number, sub.number, general.number) == ("I", "1", "II")
    years = {"retention_kind": RetentionKind.YEARS, "retention_years": 10}
    a = plan_entry_add(actor=office.clerk, plan=plan, heading=staff, title="A", **years)  # type: ignore[arg-type]
    b = plan_entry_add(actor=office.clerk, plan=plan, heading=sub, title="B", **years)  # type: ignore[arg-type]
    c = plan_entry_add(actor=office.clerk, plan=plan, heading=general, title="C", **years)  # type: ignore[arg-type]
    assert [a.code, b.code, c.code] == ["01.TCCB", "02.TCCB", "01.TH"]
    with pytest.raises(InvalidInput, match="already used"):
        plan_entry_add(
            actor=office.clerk,
            plan=plan,
            heading=general,
            title="D",
            code="01.th",
            **years,  # type: ignore[arg-type]
        )
    with pytest.raises(InvalidInput, match="already has a file plan"):
        plan_create(actor=office.clerk, unit=office.unit, year=2026)


def test_an_approved_plan_is_frozen_and_only_the_leader_approves(office: Office) -> None:
    """GIVEN a draft plan WHEN the clerk tries to approve it THEN not found; WHEN the
    leader approves it THEN headings and entries can no longer be added."""
    plan = plan_create(actor=office.clerk, unit=office.unit, year=2026)
    staff = plan_heading_add(actor=office.clerk, plan=plan, title="Tổ chức", abbreviation="TCCB")
    with pytest.raises(InvalidInput, match="without any file"):
        plan_approve(actor=office.leader, plan=plan)
    plan_entry_add(
        actor=office.clerk,
        plan=plan,
        heading=staff,
        title="A",
        retention_kind=RetentionKind.PERMANENT,
    )
    with pytest.raises(NotFound):
        plan_approve(actor=office.clerk, plan=plan)
    plan = plan_approve(actor=office.leader, plan=plan, reference="QĐ 12-QĐ/TU")
    assert plan.state == PlanState.APPROVED and plan.approved_by == office.leader
    with pytest.raises(InvalidInput, match="approved"):
        plan_heading_add(actor=office.clerk, plan=plan, title="X", abbreviation="X")
    with pytest.raises(InvalidInput, match="approved"):
        plan_entry_add(
            actor=office.clerk,
            plan=plan,
            heading=staff,
            title="B",
            retention_kind=RetentionKind.PERMANENT,
        )
    assert plan.entries.count() == 1
    assert AuditEvent.objects.filter(verb="fileplan.approve").count() == 1


def test_a_clerk_of_another_province_cannot_touch_the_plan(office: Office) -> None:
    """GIVEN province A's draft plan WHEN province B's clerk adds to it THEN not found."""
    plan = plan_create(actor=office.clerk, unit=office.unit, year=2026)
    with pytest.raises(NotFound):
        plan_heading_add(actor=office.other_clerk, plan=plan, title="X", abbreviation="X")
    with pytest.raises(NotFound):
        plan_create(actor=office.other_clerk, unit=office.unit, year=2027)


# --- Files ---------------------------------------------------------------------------


def test_a_file_opens_from_an_approved_entry_with_its_data(office: Office) -> None:
    """GIVEN an approved plan WHEN a file is opened from 01.TCCB THEN it carries the
    entry's code, title, retention and keeper; a draft plan's entry is refused."""
    record_file = _file(office, "01.TCCB", start_date=dt.date(2026, 1, 6))
    assert (record_file.code, record_file.year, record_file.retention_kind) == (
        "01.TCCB",
        2026,
        RetentionKind.PERMANENT,
    )
    assert record_file.keeper_name == "Nguyễn Thị Hoa"
    draft = plan_create(actor=office.clerk, unit=office.unit, year=2027)
    big = plan_heading_add(actor=office.clerk, plan=draft, title="T", abbreviation="T")
    item = plan_entry_add(
        actor=office.clerk, plan=draft, heading=big, title="T", retention_kind="permanent"
    )
    with pytest.raises(InvalidInput, match="approved file plan"):
        file_open(actor=office.clerk, entry=item, start_date=dt.date(2027, 1, 2))


def test_a_file_outside_the_plan_must_carry_its_data(office: Office) -> None:
    """GIVEN no entry WHEN a file is opened without title, code, keeper or start THEN it
    is refused with every missing item named (Điều 28)."""
    with pytest.raises(InvalidInput) as caught:
        file_open(
            actor=office.clerk,
            unit=office.unit,
            retention_kind=RetentionKind.YEARS,
            retention_years=5,
        )
    message = str(caught.value.message)
    for words in ("title", "code", "keeps the file", "starts"):
        assert words in message
    with pytest.raises(InvalidInput, match="retention"):
        _standalone(office, retention_years=None)
    assert _standalone(office).entry is None


def test_one_document_in_two_files_without_a_copy_and_no_duplicate(office: Office) -> None:
    """GIVEN two open files WHEN the same document is filed in both THEN both point to
    the same document row (no copy); filing it twice in one file is refused."""
    first = _file(office, "01.TCCB", start_date=dt.date(2026, 1, 6))
    second = _standalone(office)
    doc = make_document(office.unit)
    documents = Document.objects.count()
    file_document_add(actor=office.clerk, record_file=first, document=doc)
    file_document_add(actor=office.clerk, record_file=second, document=doc)
    assert Document.objects.count() == documents
    assert set(FileItem.objects.values_list("document_id", flat=True)) == {doc.pk}
    assert set(doc.record_files.values_list("pk", flat=True)) == {first.pk, second.pk}
    with pytest.raises(InvalidInput, match="already in the file"):
        file_document_add(actor=office.clerk, record_file=first, document=doc)


def test_documents_of_other_units_or_out_of_reach_are_refused(office: Office) -> None:
    """GIVEN a document of province B WHEN province A's clerk files it THEN not found."""
    record_file = _standalone(office)
    foreign = make_document(office.world.province_b)
    with pytest.raises(NotFound):
        file_document_add(actor=office.clerk, record_file=record_file, document=foreign)
    with pytest.raises(NotFound):
        file_document_add(
            actor=office.other_clerk, record_file=record_file, document=make_document(office.unit)
        )


def test_closing_numbers_sheets_in_time_order_for_five_years_or_more(office: Office) -> None:
    """GIVEN a 20-year file whose documents were filed out of time order WHEN it is
    closed THEN the documents are in time order with sheets numbered through, the end
    date is the latest document's date, the handover is due a year later, and the file
    gets its closing note but no document index (not permanent)."""
    record_file = _file(office, "01.TH", start_date=dt.date(2026, 1, 6))
    late = make_document(office.unit, subject="Sau", day=dt.date(2026, 5, 20), pages=3)
    early = make_document(office.unit, subject="Trước", day=dt.date(2026, 2, 1), pages=2)
    for doc in (late, early):
        file_document_add(actor=office.clerk, record_file=record_file, document=doc)
    record_file = file_close(actor=office.clerk, record_file=record_file, note="Đủ hồ sơ")
    items = list(record_file.items.order_by("order"))
    assert [i.document_id for i in items] == [early.pk, late.pk]
    assert [(i.sheet_from, i.sheet_to) for i in items] == [(1, 2), (3, 5)]
    assert record_file.page_count == 5
    assert record_file.end_date == dt.date(2026, 5, 20)
    assert record_file.handover_due == dt.date(2027, 5, 20)
    assert record_file.state == FileState.CLOSED
    assert "CHỨNG TỪ KẾT THÚC" in record_file.closing_note
    assert "Đủ hồ sơ" in record_file.closing_note
    assert record_file.document_index == []
    with pytest.raises(InvalidInput, match="closed"):
        file_document_add(
            actor=office.clerk, record_file=record_file, document=make_document(office.unit)
        )
    with pytest.raises(InvalidInput, match="closed"):
        file_document_remove(actor=office.clerk, record_file=record_file, document=early)


def test_a_permanent_file_gets_its_document_index(office: Office) -> None:
    """GIVEN a permanent file WHEN it is closed THEN the index has the 7 columns' data,
    one row per document in time order."""
    record_file = _closed(
        office,
        _file(office, "01.TCCB", start_date=dt.date(2026, 1, 6)),
        dt.date(2026, 3, 1),
        dt.date(2026, 2, 1),
    )
    index = record_file.document_index
    assert [row["number"] for row in index] == [1, 2]
    assert [row["date"] for row in index] == ["01/02/2026", "01/03/2026"]
    assert set(index[0]) == {"number", "code", "date", "subject", "author", "sheets", "note"}
    assert index[0]["sheets"] == "1-2"
    assert "mục lục văn bản" in record_file.closing_note


def test_a_short_file_gets_no_sheet_numbers_and_no_handover_date(office: Office) -> None:
    """GIVEN a 2-year file WHEN closed THEN it has its closing note but no sheet numbers
    and is never due to the archive."""
    record_file = _closed(
        office, _file(office, "02.TH", start_date=dt.date(2026, 1, 6)), dt.date(2026, 3, 1)
    )
    assert record_file.closing_note
    assert record_file.items.get().sheet_from is None
    assert record_file.handover_due is None


def test_a_file_without_documents_cannot_be_closed(office: Office) -> None:
    """GIVEN an empty file WHEN it is closed THEN refused."""
    with pytest.raises(InvalidInput, match="without documents"):
        file_close(actor=office.clerk, record_file=_standalone(office))


def test_construction_files_are_due_three_months_after_the_end(office: Office) -> None:
    """GIVEN a construction (XDCB) file WHEN closed THEN due three months after its end."""
    record_file = _closed(office, _standalone(office, is_construction=True), dt.date(2026, 11, 30))
    assert record_file.handover_due == dt.date(2027, 2, 28)


def test_keep_back_at_most_two_years_with_a_reason(office: Office) -> None:
    """GIVEN a closed 20-year file due on 20/05/2027 WHEN kept back THEN a reason is
    needed, at most two years past the due date; then it is due at the new date."""
    record_file = _closed(
        office, _file(office, "01.TH", start_date=dt.date(2026, 1, 6)), dt.date(2026, 5, 20)
    )
    with pytest.raises(InvalidInput, match="reason"):
        file_keep_back(
            actor=office.clerk, record_file=record_file, until=dt.date(2028, 1, 1), reason=" "
        )
    with pytest.raises(InvalidInput, match="at most two years"):
        file_keep_back(
            actor=office.clerk,
            record_file=record_file,
            until=dt.date(2029, 5, 21),
            reason="QĐ 5-QĐ/TU",
        )
    kept = file_keep_back(
        actor=office.clerk,
        record_file=record_file,
        until=dt.date(2029, 5, 20),
        reason="Còn dùng để giải quyết công việc, QĐ 5-QĐ/TU",
    )
    assert kept.state == FileState.KEPT_BACK and kept.handover_due == dt.date(2029, 5, 20)


def test_handover_takes_only_closed_files_kept_five_years_or_more(office: Office) -> None:
    """GIVEN an open file, a closed 2-year file and a closed 20-year file WHEN handed
    over THEN only the 20-year file goes, once; the others are refused by code."""
    plan = approved_plan(office)
    open_file = file_open(
        actor=office.clerk, entry=entry(plan, "01.TCCB"), start_date=dt.date(2026, 1, 6)
    )
    short = _closed(
        office,
        file_open(actor=office.clerk, entry=entry(plan, "02.TH"), start_date=dt.date(2026, 1, 6)),
        dt.date(2026, 3, 1),
    )
    long = _closed(
        office,
        file_open(actor=office.clerk, entry=entry(plan, "01.TH"), start_date=dt.date(2026, 1, 6)),
        dt.date(2026, 3, 2),
    )
    names = {
        "block_name": "Phông lưu trữ Tỉnh ủy",
        "giver_name": "Nguyễn Thị Hoa",
        "receiver_name": "Lê Văn Lưu",
    }
    with pytest.raises(InvalidInput) as caught:
        handover_create(
            actor=office.clerk,
            unit=office.unit,
            archive_unit=office.archive,
            files=[open_file, short, long],
            handed_on=dt.date(2027, 2, 1),
            **names,
        )
    assert "01.TCCB is not closed" in str(caught.value.message)
    assert "02.TH is kept less than five years" in str(caught.value.message)
    handover = handover_create(
        actor=office.clerk,
        unit=office.unit,
        archive_unit=office.archive,
        files=[long],
        handed_on=dt.date(2027, 2, 1),
        **names,
    )
    long.refresh_from_db()
    assert long.state == FileState.HANDED_OVER and long.handover == handover
    with pytest.raises(InvalidInput, match="already handed over"):
        handover_create(
            actor=office.clerk,
            unit=office.unit,
            archive_unit=office.archive,
            files=[long],
            handed_on=dt.date(2027, 2, 2),
            **names,
        )
    assert not files_due(user=office.clerk, today=dt.date(2027, 5, 1)).filter(pk=long.pk).exists()


def test_files_due_within_the_window_or_overdue(office: Office) -> None:
    """GIVEN closed files due on 20/05/2027 WHEN listed on 25/04/2027 (25 days before)
    THEN it is due; on 10/04/2027 (40 days before) it is not; after the date it is
    overdue and still listed; province B's clerk never sees it."""
    record_file = _closed(
        office, _file(office, "01.TH", start_date=dt.date(2026, 1, 6)), dt.date(2026, 5, 20)
    )
    assert list(files_due(user=office.clerk, today=dt.date(2027, 4, 25))) == [record_file]
    assert not files_due(user=office.clerk, today=dt.date(2027, 4, 10)).exists()
    assert files_due(user=office.clerk, today=dt.date(2027, 6, 1)).exists()
    assert not files_due(user=office.other_clerk, today=dt.date(2027, 4, 25)).exists()
