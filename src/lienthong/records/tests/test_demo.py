"""The demo member records (``lienthong load_demo_records``, in ``make demo``)."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.audit.actors import SystemActor
from lienthong.audit.models import AuditEvent
from lienthong.org.demo import demo_load
from lienthong.org.models import Unit, User
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture
from lienthong.records.demo import CELLS, MEMBERS_PER_CELL, demo_records_load
from lienthong.records.models import Member
from lienthong.records.selectors import member_list

pytestmark = pytest.mark.django_db


def test_the_demo_records_load_once_through_the_services(real_units: Any) -> None:  # noqa: F811
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    report = demo_records_load()
    assert report.cells == len(CELLS)
    assert report.members == len(CELLS) * MEMBERS_PER_CELL == Member.objects.count()
    keeper = User.objects.get(username="bantochuc.hanoi")
    hanoi = Unit.objects.get(name="Thành ủy Hà Nội")
    assert member_list(user=keeper, unit=hanoi).count() == report.members
    assert AuditEvent.objects.filter(verb="member.create").count() == report.members
    assert demo_records_load().skipped
    assert Member.objects.count() == report.members
