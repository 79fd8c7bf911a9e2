"""How the shared permission matrix exercises the infra app's scoped models."""

from __future__ import annotations

from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.infra.choices import AssetKind, LinkMedium, ProbeKind
from lienthong.infra.models import (
    Asset,
    AssetChange,
    Contest,
    ContestEntry,
    ItStaff,
    Link,
    Probe,
    ProbeHour,
    ProbeResult,
    TrainingClass,
    TrainingParticipant,
)


def _asset_in(unit: Any) -> Asset:
    return Asset.objects.create(unit=unit, kind=AssetKind.SERVER, year_acquired=2020)


def _change_in(unit: Any) -> AssetChange:
    return AssetChange.objects.create(asset=_asset_in(unit), action=AssetChange.Action.CREATED)


def _link_in(unit: Any) -> Link:
    return Link.objects.create(unit=unit, medium=LinkMedium.DEDICATED)


def _probe_in(unit: Any) -> Probe:
    return Probe.objects.create(unit=unit, name="web", kind=ProbeKind.TCP, host="127.0.0.1")


def _result_in(unit: Any) -> ProbeResult:
    from django.utils import timezone

    return ProbeResult.objects.create(probe=_probe_in(unit), at=timezone.now(), ok=True)


def _hour_in(unit: Any) -> ProbeHour:
    from django.utils import timezone

    return ProbeHour.objects.create(
        probe=_probe_in(unit), hour=timezone.now(), checks=1, ok_checks=1
    )


def _staff_in(unit: Any) -> ItStaff:
    return ItStaff.objects.create(unit=unit, full_name="Nguyễn Văn An")


def _class_in(unit: Any) -> TrainingClass:
    import datetime as dt

    day = dt.date(2026, 3, 2)
    return TrainingClass.objects.create(
        unit=unit, topic="An toàn thông tin", starts_on=day, ends_on=day
    )


def _participant_in(unit: Any) -> TrainingParticipant:
    return TrainingParticipant.objects.create(training=_class_in(unit), unit=unit, full_name="Lê B")


def _contest_in(unit: Any) -> Contest:
    return Contest.objects.create(unit=unit, name="Hội thi tin học", year=2026)


def _entry_in(unit: Any) -> ContestEntry:
    return ContestEntry.objects.create(
        contest=_contest_in(unit), round="Chung kết", unit=unit, entrant="Đội A"
    )


SCOPE_CASES = [
    ScopeCase(model=Asset, make=_asset_in),
    ScopeCase(model=AssetChange, make=_change_in),
    ScopeCase(model=Link, make=_link_in),
    ScopeCase(model=Probe, make=_probe_in),
    ScopeCase(model=ProbeResult, make=_result_in),
    ScopeCase(model=ProbeHour, make=_hour_in),
    ScopeCase(model=ItStaff, make=_staff_in),
    ScopeCase(model=TrainingClass, make=_class_in),
    ScopeCase(model=TrainingParticipant, make=_participant_in),
    ScopeCase(model=Contest, make=_contest_in),
    ScopeCase(model=ContestEntry, make=_entry_in),
]
