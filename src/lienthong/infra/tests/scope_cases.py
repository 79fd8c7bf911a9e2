"""How the shared permission matrix exercises the infra app's scoped models."""

from __future__ import annotations

from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.infra.choices import AssetKind
from lienthong.infra.models import Asset, AssetChange


def _asset_in(unit: Any) -> Asset:
    return Asset.objects.create(unit=unit, kind=AssetKind.SERVER, year_acquired=2020)


def _change_in(unit: Any) -> AssetChange:
    return AssetChange.objects.create(asset=_asset_in(unit), action=AssetChange.Action.CREATED)


SCOPE_CASES = [
    ScopeCase(model=Asset, make=_asset_in),
    ScopeCase(model=AssetChange, make=_change_in),
]
