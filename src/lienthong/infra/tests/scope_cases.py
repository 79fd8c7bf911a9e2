"""How the shared permission matrix exercises the infra app's scoped models."""

from __future__ import annotations

from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.infra.choices import AssetKind, LinkMedium, ProbeKind
from lienthong.infra.models import Asset, AssetChange, Link, Probe, ProbeHour, ProbeResult


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


SCOPE_CASES = [
    ScopeCase(model=Asset, make=_asset_in),
    ScopeCase(model=AssetChange, make=_change_in),
    ScopeCase(model=Link, make=_link_in),
    ScopeCase(model=Probe, make=_probe_in),
    ScopeCase(model=ProbeResult, make=_result_in),
    ScopeCase(model=ProbeHour, make=_hour_in),
]
