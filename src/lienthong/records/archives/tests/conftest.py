"""Fixtures of the archives tests: the office of province A with its clerk and leader,
an agency archive under it, and a few documents to file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from lienthong.documents.choices import Convention, Direction, DocumentState
from lienthong.documents.models import Document, DocumentType
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.models import Unit, User
from lienthong.records.archives.choices import RetentionKind
from lienthong.records.archives.models import FilePlan, FilePlanEntry, FilePlanHeading
from lienthong.records.archives.services import (
    plan_approve,
    plan_create,
    plan_entry_add,
    plan_heading_add,
)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@dataclass
class Office:
    """Province A's office: its clerk keeps the files, its leader approves the plan."""

    unit: Unit
    archive: Unit
    clerk: User
    leader: User
    other_clerk: User
    world: Any


@pytest.fixture
def office(world: Any) -> Office:
    """GIVEN province A (Tỉnh ủy Hà Nội) with a clerk and a leader, its agency archive (a
    unit under it), and a clerk of province B."""
    from lienthong.org.tests.factories import UnitFactory, UserFactory, member

    archive = UnitFactory(
        name="Lưu trữ Tỉnh ủy Hà Nội",
        parent=world.province_a,
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
    )
    return Office(
        unit=world.province_a,
        archive=archive,
        clerk=member(
            UserFactory(username="vt.tinh", full_name="Nguyễn Thị Hoa"),
            world.province_a,
            RoleCode.CLERK,
        ),
        leader=world.leader_a,
        other_clerk=member(
            UserFactory(username="vt.b", full_name="Trần Văn B"), world.province_b, RoleCode.CLERK
        ),
        world=world,
    )


def make_document(
    unit: Unit,
    *,
    subject: str = "Về việc thử",
    day: dt.date = dt.date(2026, 3, 2),
    number: int | None = None,
    pages: int | None = 2,
) -> Document:
    """A registered incoming document of ``unit`` dated ``day``."""
    from lienthong.org.tests.factories import UserFactory

    doc_type, _created = DocumentType.objects.get_or_create(
        convention=Convention.PARTY, name="Công văn", defaults={"code": "CV", "is_letter": True}
    )
    return Document.objects.create(
        unit=unit,
        direction=Direction.INCOMING,
        state=DocumentState.REGISTERED,
        convention=Convention.PARTY,
        document_type=doc_type,
        subject=subject,
        issued_date=day,
        code_number=number,
        code_notation="CV/VPTW" if number else "",
        number_year=day.year if number else None,
        issuer_name="Văn phòng Trung ương Đảng",
        page_count=pages,
        created_by=UserFactory(),
    )


def approved_plan(office: Office, year: int = 2026) -> FilePlan:
    """GIVEN an approved plan: I. TCCB with a permanent file and a 10-year file, II. TH
    with a 20-year file and a 2-year file."""
    plan = plan_create(actor=office.clerk, unit=office.unit, year=year)
    staff = plan_heading_add(
        actor=office.clerk, plan=plan, title="Tổ chức cán bộ", abbreviation="TCCB"
    )
    general = plan_heading_add(actor=office.clerk, plan=plan, title="Tổng hợp", abbreviation="TH")
    for heading, title, kind, years in (
        (staff, "Hồ sơ Hội nghị cán bộ năm", RetentionKind.PERMANENT, None),
        (staff, "Hồ sơ nâng lương", RetentionKind.YEARS, 10),
        (general, "Hồ sơ báo cáo tổng kết", RetentionKind.YEARS, 20),
        (general, "Sổ theo dõi công văn", RetentionKind.YEARS, 2),
    ):
        plan_entry_add(
            actor=office.clerk,
            plan=plan,
            heading=heading,
            title=title,
            retention_kind=kind,
            retention_years=years,
            retention_basis="TT 10/2022/TT-BNV, mục 3.1",
            keeper_name="Nguyễn Thị Hoa",
        )
    return plan_approve(actor=office.leader, plan=plan, on=dt.date(year, 1, 5))


def entry(plan: FilePlan, code: str) -> FilePlanEntry:
    return plan.entries.get(code=code)


def heading(plan: FilePlan, abbreviation: str) -> FilePlanHeading:
    return plan.headings.get(abbreviation=abbreviation)
