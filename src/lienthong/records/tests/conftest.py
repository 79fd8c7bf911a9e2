"""Fixtures of the records tests: a party cell and the people who keep (or may not keep)
its members' records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.records.choices import Gender

GOOD: dict[str, Any] = {
    "full_name": "Nguyễn Thị Bình",
    "gender": Gender.FEMALE,
    "born_on": dt.date(1985, 4, 12),
    "admitted_on": dt.date(2010, 5, 19),
    "official_on": dt.date(2011, 5, 19),
    "card_number": "01234567",
    "file_number": "123456hn",
    "ethnicity": "Kinh",
}


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def party(world: Any) -> dict[str, Any]:
    """GIVEN a cell under commune committee A1, the organisation departments of A1, of
    province A, of commune A2 and of province B, an office specialist of province A."""
    from lienthong.org.tests.factories import UnitFactory, UserFactory, member

    cell = UnitFactory(
        name="Chi bộ khu phố 1",
        parent=world.commune_a1,
        kind=UnitKind.CELL,
        level=UnitLevel.GRASSROOTS,
    )
    department = {"kind": UnitKind.DEPARTMENT, "level": UnitLevel.PROVINCE}
    org_a = UnitFactory(name="Ban Tổ chức Tỉnh ủy A", parent=world.province_a, **department)
    office_a = UnitFactory(name="Văn phòng Tỉnh ủy A", parent=world.province_a, **department)
    org_b = UnitFactory(name="Ban Tổ chức Tỉnh ủy B", parent=world.province_b, **department)
    people = {
        "commune_org": member(
            UserFactory(username="tc.xa"), world.commune_a1, RoleCode.ORGANISATION
        ),
        "province_org": member(UserFactory(username="tc.tinh"), org_a, RoleCode.ORGANISATION),
        "other_commune_org": member(
            UserFactory(username="tc.xa2"), world.commune_a2, RoleCode.ORGANISATION
        ),
        "other_province_org": member(UserFactory(username="tc.b"), org_b, RoleCode.ORGANISATION),
        "office_specialist": member(UserFactory(username="cv.vp"), office_a, RoleCode.SPECIALIST),
    }
    return {"cell": cell, **people}
