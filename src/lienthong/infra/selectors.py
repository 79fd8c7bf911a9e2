"""Reads of the infra app that reach a person (STYLE habit 3): every one starts from
``restrict(user, "view")``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from lienthong.infra.choices import AssetStatus
from lienthong.infra.models import Asset, AssetChange, lifetime_years

__all__ = ["AssetFigures", "asset_figures", "asset_history", "asset_list", "assets_due"]


def asset_list(
    *,
    user: Any,
    unit: Any = None,
    kind: str = "",
    status: str = "",
    action: str = "view",
) -> QuerySet[Asset]:
    """The assets ``user`` may ``action``: of ``unit`` and the units under it (every
    unit in reach when None), optionally of one kind and status."""
    qs = Asset.objects.restrict(user, action)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("unit")


def _due_condition(on: dt.date) -> Q:
    """Assets in service whose age reached their kind's lifetime on ``on`` (one SQL
    condition per kind)."""
    from lienthong.infra.choices import AssetKind

    condition = Q()
    for kind in AssetKind.values:
        condition |= Q(kind=kind, year_acquired__lte=on.year - lifetime_years(kind))
    return condition & ~Q(status=AssetStatus.RETIRED)


def assets_due(*, user: Any, unit: Any = None, on: dt.date | None = None) -> QuerySet[Asset]:
    """The assets due for replacement on ``on`` (today): the rows behind the KPI."""
    day = on or timezone.localdate()
    return asset_list(user=user, unit=unit).filter(_due_condition(day))


def asset_history(*, user: Any, asset: Asset) -> QuerySet[AssetChange]:
    """The changes of an asset, oldest first (empty outside the person's scope)."""
    return (
        AssetChange.objects.restrict(user, "view").filter(asset=asset).select_related("changed_by")
    )


@dataclass(frozen=True)
class AssetFigures:
    """The equipment of a unit subtree: devices in service, and how many are worn out
    (due for replacement, degraded or broken)."""

    in_service: int
    due: int
    broken: int
    degraded: int

    @property
    def worn_out(self) -> int:
        """Due for replacement, or already degraded or broken."""
        return self.due + self.broken + self.degraded

    @property
    def worn_out_share(self) -> float | None:
        """The share of worn-out equipment (0-1); None when there is none."""
        return min(1.0, self.worn_out / self.in_service) if self.in_service else None


def asset_figures(*, user: Any, unit: Any = None, on: dt.date | None = None) -> AssetFigures:
    """Counted from the rows (quantities summed): for Reports' KPIs (issue #8 scope 5).

    An asset both due and broken counts once, as broken or degraded.
    """
    day = on or timezone.localdate()
    live = asset_list(user=user, unit=unit).exclude(status=AssetStatus.RETIRED)

    def total(qs: QuerySet[Asset]) -> int:
        return int(qs.aggregate(n=Sum("quantity"))["n"] or 0)

    return AssetFigures(
        in_service=total(live),
        due=total(live.filter(_due_condition(day), status=AssetStatus.IN_USE)),
        broken=total(live.filter(status=AssetStatus.BROKEN)),
        degraded=total(live.filter(status=AssetStatus.DEGRADED)),
    )
