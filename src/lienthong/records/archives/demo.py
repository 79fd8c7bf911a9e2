"""Demo file plan and record files (``lienthong load_demo_archives``, in ``make demo``),
after ``load_demo`` and ``load_demo_documents``.

DEMO ONLY. The office of Thành ủy Hà Nội (its clerk ``vanthu.hanoi``) gets this year's
file plan, approved by ``lanhdao.hanoi``, with twelve files under four big headings;
four files are opened from it through the services and the demo documents are filed in
them; one is closed; one is closed with documents of about eleven months ago, so that
its handover to the agency archive is due within 30 days and it shows on the warning
list. Idempotent: when the plan is there, nothing is added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lienthong.core.errors import InvalidInput
from lienthong.documents.models import Document
from lienthong.documents.selectors import document_list
from lienthong.org.demo import HANOI
from lienthong.org.models import Unit, User
from lienthong.records.archives.choices import RetentionKind
from lienthong.records.archives.models import FilePlan, FilePlanEntry
from lienthong.records.archives.services import (
    document_date,
    file_close,
    file_document_add,
    file_open,
    plan_approve,
    plan_create,
    plan_entry_add,
    plan_heading_add,
)

__all__ = ["CLERK", "LEADER", "PLAN", "DemoArchivesReport", "demo_archives_load"]

CLERK = "vanthu.hanoi"
LEADER = "lanhdao.hanoi"
BASIS = "TT 10/2022/TT-BNV"
P, Y = RetentionKind.PERMANENT, RetentionKind.YEARS

#: The demo plan: big headings (title, abbreviation) and their files (title, retention
#: kind, years, item of the reference table).
PLAN: tuple[tuple[str, str, tuple[tuple[str, str, int | None, str], ...]], ...] = (
    (
        "Tổng hợp",
        "TH",
        (
            ("Hồ sơ Hội nghị tổng kết công tác năm của Thành ủy", P, None, "mục 1.1"),
            ("Hồ sơ chương trình công tác toàn khóa, năm của Ban Thường vụ", P, None, "mục 1.2"),
            ("Tập báo cáo định kỳ tháng, quý của các đảng bộ trực thuộc", Y, 10, "mục 1.7"),
        ),
    ),
    (
        "Tổ chức, cán bộ",
        "TCCB",
        (
            ("Hồ sơ xây dựng, ban hành Quy chế làm việc của Thành ủy", Y, 20, "mục 3.1"),
            ("Hồ sơ nâng bậc lương năm của cán bộ, công chức cơ quan", Y, 20, "mục 3.14"),
            ("Hồ sơ thi đua, khen thưởng năm của cơ quan", Y, 20, "mục 4.3"),
        ),
    ),
    (
        "Văn phòng, hành chính",
        "VP",
        (
            ("Tập công văn trao đổi về công tác văn thư, lưu trữ", Y, 10, "mục 6.5"),
            ("Sổ đăng ký văn bản đi, văn bản đến", Y, 20, "mục 6.2"),
            ("Tập lịch công tác tuần của Thường trực Thành ủy", Y, 5, "mục 6.9"),
        ),
    ),
    (
        "Kiểm tra, giám sát",
        "KT",
        (
            ("Hồ sơ kiểm tra, giám sát theo chương trình năm", Y, 20, "mục 7.1"),
            ("Tập đơn thư khiếu nại, tố cáo và hồ sơ giải quyết", Y, 20, "mục 7.4"),
            ("Tập tài liệu tập huấn nghiệp vụ kiểm tra", Y, 2, "mục 7.9"),
        ),
    ),
)


@dataclass
class DemoArchivesReport:
    entries: int = 0
    files: int = 0
    documents_filed: int = 0
    closed: int = 0
    due_soon: int = 0
    skipped: bool = False


def _documents(clerk: User, unit: Unit) -> list[Document]:
    return sorted(
        document_list(user=clerk).filter(unit=unit).select_related("document_type")[:400],
        key=lambda d: (document_date(d), d.pk),
    )


def demo_archives_load() -> DemoArchivesReport:
    """Load the demo plan and files; idempotent.

    Raises:
        InvalidInput: the demo units, accounts or documents are not loaded.
    """
    report = DemoArchivesReport()
    unit = Unit.objects.filter(source_key=HANOI).first()
    clerk = User.objects.filter(username=CLERK).first()
    leader = User.objects.filter(username=LEADER).first()
    if unit is None or clerk is None or leader is None:
        raise InvalidInput("Run “lienthong load_units” and “lienthong load_demo” first.")
    today = timezone.localdate()
    if FilePlan.objects.filter(unit=unit, year=today.year).exists():
        report.skipped = True
        return report
    documents = _documents(clerk, unit)
    if not documents:
        raise InvalidInput("Run “lienthong load_demo_documents” first.")
    with transaction.atomic():
        plan = plan_create(actor=clerk, unit=unit, year=today.year)
        for title, abbreviation, files in PLAN:
            heading = plan_heading_add(
                actor=clerk, plan=plan, title=title, abbreviation=abbreviation
            )
            for file_title, kind, years, item in files:
                plan_entry_add(
                    actor=clerk,
                    plan=plan,
                    heading=heading,
                    title=file_title,
                    retention_kind=kind,
                    retention_years=years,
                    retention_basis=f"{BASIS}, {item}",
                    keeper_name=clerk.full_name,
                )
                report.entries += 1
        plan_approve(
            actor=leader,
            plan=plan,
            on=dt.date(today.year, 1, 5),
            reference=f"Quyết định số 01-QĐ/TU ngày 05/01/{today.year}",
        )
        entries = {e.code: e for e in FilePlanEntry.objects.filter(plan=plan)}
        start = dt.date(today.year, 1, 5)

        def fill(code: str, chosen: list[Document]) -> object:
            record_file = file_open(actor=clerk, entry=entries[code], start_date=start)
            report.files += 1
            for document in chosen:
                file_document_add(actor=clerk, record_file=record_file, document=document)
                report.documents_filed += 1
            return record_file

        # Due within 30 days: documents of 336 to 360 days ago (due a year after the last).
        old = [d for d in documents if 336 <= (today - document_date(d)).days <= 360][:4]
        if old:
            due_file = fill("01.TCCB", old)
            file_close(actor=clerk, record_file=due_file, note="Dữ liệu mẫu")  # type: ignore[arg-type]
            report.closed += 1
            report.due_soon += 1
        else:
            # No document that old: a construction (XDCB) file, due three months after
            # its end, with documents of 66 to 88 days ago.
            old = [d for d in documents if 66 <= (today - document_date(d)).days <= 88][:4]
            if old:
                works = file_open(
                    actor=clerk,
                    unit=unit,
                    title="Hồ sơ cải tạo, sửa chữa trụ sở cơ quan",
                    code="01.XDCB",
                    year=today.year,
                    retention_kind=RetentionKind.YEARS,
                    retention_years=20,
                    retention_basis=f"{BASIS}, mục 5.2",
                    keeper_name=clerk.full_name,
                    start_date=start,
                    is_construction=True,
                )
                report.files += 1
                for document in old:
                    file_document_add(actor=clerk, record_file=works, document=document)
                    report.documents_filed += 1
                file_close(actor=clerk, record_file=works, note="Dữ liệu mẫu")
                report.closed += 1
                report.due_soon += 1
        # A closed file of recent reports (due next year).
        recent = [d for d in documents if d not in old]
        reports = fill("03.TH", recent[-6:-3])
        file_close(actor=clerk, record_file=reports, note="Dữ liệu mẫu")  # type: ignore[arg-type]
        report.closed += 1
        # Open files: the same document may sit in two files without being copied.
        fill("01.TH", recent[-3:])
        fill("01.VP", recent[-4:-1])
    return report
