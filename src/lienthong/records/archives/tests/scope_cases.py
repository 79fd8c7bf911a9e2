"""How the shared permission matrix exercises the archives app's scoped models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from lienthong.core.testing.matrix import ScopeCase
from lienthong.records.archives.choices import RetentionKind
from lienthong.records.archives.models import FileItem, FilePlan, Handover, RecordFile


def _plan_in(unit: Any) -> FilePlan:
    year = 2026 + FilePlan.objects.filter(unit=unit).count()
    return FilePlan.objects.create(unit=unit, year=year)


def _file_in(unit: Any) -> RecordFile:
    return RecordFile.objects.create(
        unit=unit,
        year=2026,
        code=f"{RecordFile.objects.filter(unit=unit).count() + 1:02d}.TH",
        title="Hồ sơ thử quyền truy cập",
        retention_kind=RetentionKind.YEARS,
        retention_years=10,
        keeper_name="Văn thư",
        start_date=dt.date(2026, 1, 5),
    )


def _item_in(unit: Any) -> FileItem:
    from lienthong.documents.tests.scope_cases import _document_in

    return FileItem.objects.create(record_file=_file_in(unit), document=_document_in(unit))


def _handover_in(unit: Any) -> Handover:
    return Handover.objects.create(
        unit=unit,
        archive_unit=unit,
        handed_on=dt.date(2027, 2, 1),
        block_name="Phông lưu trữ",
        giver_name="Văn thư",
        receiver_name="Lưu trữ",
    )


SCOPE_CASES = [
    ScopeCase(
        model=FilePlan,
        make=_plan_in,
        page_url=lambda obj: reverse("archives-plan", args=[obj.pk]),
    ),
    ScopeCase(
        model=RecordFile,
        make=_file_in,
        page_url=lambda obj: reverse("archives-file", args=[obj.pk]),
    ),
    ScopeCase(model=FileItem, make=_item_in),
    ScopeCase(
        model=Handover,
        make=_handover_in,
        page_url=lambda obj: reverse("archives-handover", args=[obj.pk]),
    ),
]
