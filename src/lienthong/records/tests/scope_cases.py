"""How the shared permission matrix exercises the records app's scoped models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.records.choices import Gender, MemberEventKind, TransferDirection
from lienthong.records.models import Member, MemberEvent, Reconciliation, Transfer


def _member_in(unit: Any) -> Member:
    return Member.objects.create(
        unit=unit,
        full_name="Nguyễn Văn An",
        gender=Gender.MALE,
        born_on=dt.date(1980, 5, 1),
        admitted_on=dt.date(2005, 3, 2),
    )


def _event_in(unit: Any) -> MemberEvent:
    return MemberEvent.objects.create(
        member=_member_in(unit), kind=MemberEventKind.REWARD, title="Huy hiệu 20 năm"
    )


def _transfer_in(unit: Any) -> Transfer:
    return Transfer.objects.create(
        direction=TransferDirection.IN,
        unit=unit,
        other_name="Chi bộ khu phố 2",
        transfer_on=dt.date(2026, 1, 5),
        full_name="Nguyễn Văn An",
    )


def _reconciliation_in(unit: Any) -> Reconciliation:
    from django.utils import timezone

    from lienthong.org.tests.factories import UserFactory

    return Reconciliation.objects.create(
        unit=unit,
        year=2026,
        quarter=1,
        figures={"start": 1, "end": 1},
        confirmed_by=UserFactory(),
        confirmed_at=timezone.now(),
    )


SCOPE_CASES = [
    ScopeCase(model=Member, make=_member_in),
    ScopeCase(model=MemberEvent, make=_event_in),
    ScopeCase(model=Transfer, make=_transfer_in),
    ScopeCase(model=Reconciliation, make=_reconciliation_in),
]
