"""The demo infrastructure (issue #8 scope 7): links, equipment and probe history that
make the dashboards alive, idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from lienthong.infra.demo import DEMO_PROVIDER, demo_infra_load
from lienthong.infra.models import Asset, Link, Probe, ProbeHour
from lienthong.infra.probing import uptime
from lienthong.org.choices import UnitKind, UnitLevel


def test_the_demo_gives_links_equipment_and_a_history(db: None) -> Any:
    from lienthong.org.tests.factories import UnitFactory

    centre = UnitFactory(name="Trung ương", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL)
    for name in ("Thành ủy Hà Nội", "Tỉnh ủy Nghệ An"):
        province = UnitFactory(
            name=name, parent=centre, kind=UnitKind.COMMITTEE, level=UnitLevel.PROVINCE
        )
        for number in range(20):
            UnitFactory(
                name=f"Đảng ủy xã {number}",
                parent=province,
                kind=UnitKind.COMMUNE_COMMITTEE,
                level=UnitLevel.COMMUNE,
            )
    report = demo_infra_load(history_days=3, today=dt.date(2026, 6, 1))
    assert report.links == Link.objects.filter(provider=DEMO_PROVIDER).count() > 20
    assert report.assets == Asset.objects.count() > 16
    assert report.probes == Probe.objects.count() == 3  # two provinces and this node
    assert report.probe_hours == ProbeHour.objects.count() == 2 * 3 * 24
    assert Probe.objects.filter(enabled=True).count() == 1  # only the node's own health
    now = timezone.now()
    share = uptime(probes=Probe.objects.all(), start=now - dt.timedelta(days=3), end=now).share
    assert share is not None and 0.5 < share <= 1
    again = demo_infra_load(history_days=3)
    assert again.skipped and Link.objects.count() == report.links
