"""Demo IT infrastructure (``lienthong load_demo_infra``), after ``load_units`` and
``load_demo``: the dashboards come alive (issue #8 scope 7).

DEMO ONLY, from a seeded generator (the same data on every node):

* links: every provincial committee on the dedicated data network; each commune
  committee on it with its province's own share (from about 15 % to 100 %, a few
  provinces complete), some of the rest on MegaWAN or the Internet;
* equipment: servers, switches, routers, UPS and surge protectors at each provincial
  committee, workstations and a printer at each connected commune, of various ages and
  states, paid by Đề án 47, Đề án 06 or the local budget;
* probes: one HTTP probe per provincial committee with a year of hourly history (a few
  outages), and a live probe of this node's own ``/healthz`` that the task worker checks
  every minute.

Idempotent: when the demo links are there, nothing is added.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lienthong.core.errors import InvalidInput
from lienthong.infra.choices import AssetKind, AssetStatus, Funding, LinkMedium, ProbeKind
from lienthong.infra.models import Asset, Link, Probe, ProbeHour, serial_key
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.models import Unit

__all__ = ["DEMO_PROVIDER", "DemoInfraReport", "demo_infra_load"]

#: The provider written on every demo link (how a re-run recognises the demo).
DEMO_PROVIDER = "Dữ liệu mẫu: Cục Bưu điện Trung ương"
SEED = 20260601
HISTORY_DAYS = 365


@dataclass
class DemoInfraReport:
    """What ``demo_infra_load`` did."""

    links: int = 0
    assets: int = 0
    probes: int = 0
    probe_hours: int = 0
    skipped: bool = False


def _asset(rng: random.Random, unit: Unit, kind: str, make: str, number: int, year: int) -> Asset:
    status = rng.choices(
        [AssetStatus.IN_USE, AssetStatus.DEGRADED, AssetStatus.BROKEN], weights=[85, 10, 5]
    )[0]
    serial = f"DEMO{unit.pk:05d}{number:03d}"
    return Asset(
        unit=unit,
        kind=kind,
        make=make,
        model=f"{make[:2].upper()}-{rng.randint(100, 999)}",
        serial=serial,
        serial_key=serial_key(make, serial),
        year_acquired=year,
        funding=rng.choice([Funding.DE_AN_47, Funding.DE_AN_06, Funding.LOCAL]),
        status=status,
    )


def demo_infra_load(
    *, seed: int = SEED, today: dt.date | None = None, history_days: int = HISTORY_DAYS
) -> DemoInfraReport:
    """Load the demo links, equipment and probes; idempotent.

    Raises:
        InvalidInput: the units are not loaded (run ``lienthong load_units`` first).
    """
    report = DemoInfraReport()
    if Link.objects.filter(provider=DEMO_PROVIDER).exists():
        report.skipped = True
        return report
    provinces = list(
        Unit.objects.filter(kind=UnitKind.COMMITTEE, level=UnitLevel.PROVINCE).order_by("path")
    )
    if not provinces:
        raise InvalidInput("The units are not loaded: run “lienthong load_units” first.")
    rng = random.Random(seed)
    day = today or timezone.localdate()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    links: list[Link] = []
    assets: list[Asset] = []
    with transaction.atomic():
        for index, province in enumerate(provinces):
            share = 1.0 if index % 9 == 0 else rng.uniform(0.15, 0.95)
            links.append(
                Link(
                    unit=province,
                    medium=LinkMedium.DEDICATED,
                    provider=DEMO_PROVIDER,
                    since=dt.date(2012 + index % 6, 1, 1),
                    bandwidth_mbps=100,
                )
            )
            for number, kind in enumerate(
                [AssetKind.SERVER] * 3
                + [AssetKind.SWITCH] * 2
                + [AssetKind.ROUTER, AssetKind.UPS, AssetKind.SURGE_PROTECTOR]
            ):
                year = rng.randint(2012, day.year)
                assets.append(_asset(rng, province, kind, "Dell", number, year))
            communes = Unit.objects.filter(
                kind=UnitKind.COMMUNE_COMMITTEE, path__startswith=province.path
            ).order_by("path")
            for commune in communes:
                if rng.random() < share:
                    links.append(
                        Link(
                            unit=commune,
                            medium=LinkMedium.DEDICATED,
                            provider=DEMO_PROVIDER,
                            since=dt.date(rng.randint(2016, day.year - 1), rng.randint(1, 12), 1),
                            bandwidth_mbps=rng.choice([10, 20, 50]),
                        )
                    )
                    for number in range(rng.randint(2, 4)):
                        assets.append(
                            _asset(
                                rng,
                                commune,
                                AssetKind.WORKSTATION,
                                "HP",
                                number,
                                rng.randint(2016, day.year),
                            )
                        )
                    assets.append(
                        _asset(
                            rng, commune, AssetKind.PRINTER, "Canon", 9, rng.randint(2016, day.year)
                        )
                    )
                elif rng.random() < 0.4:
                    links.append(
                        Link(
                            unit=commune,
                            medium=rng.choice([LinkMedium.MEGAWAN, LinkMedium.INTERNET]),
                            provider=DEMO_PROVIDER,
                        )
                    )
        Link.objects.bulk_create(links, batch_size=2000)
        Asset.objects.bulk_create(assets, batch_size=2000)
        report.links, report.assets = len(links), len(assets)
        report.probes, report.probe_hours = _probes(rng, provinces, now, history_days)
    return report


def _probes(
    rng: random.Random, provinces: list[Unit], now: dt.datetime, history_days: int
) -> tuple[int, int]:
    """One probe per province with a year of hourly history, and a live probe of this
    node's own health page."""
    hours: list[ProbeHour] = []
    probes = 0
    for province in provinces:
        probe = Probe.objects.create(
            unit=province,
            name=f"Cổng thông tin {province.name}",
            kind=ProbeKind.HTTP,
            url=f"https://cong.{province.pk}.example.invalid/healthz",
            interval_seconds=300,
            enabled=False,  # history only: the demo's addresses do not exist
        )
        probes += 1
        outage_left = 0
        for hour in range(history_days * 24, 0, -1):
            if outage_left == 0 and rng.random() < 0.002:
                outage_left = rng.randint(1, 12)
            checks = 12
            ok = 0 if outage_left else checks
            outage_left = max(0, outage_left - 1)
            hours.append(
                ProbeHour(
                    probe=probe,
                    hour=now - dt.timedelta(hours=hour),
                    checks=checks,
                    ok_checks=ok,
                    latency_ms=round(rng.uniform(8, 60), 1) if ok else None,
                )
            )
        if len(hours) >= 20_000:
            ProbeHour.objects.bulk_create(hours, batch_size=5000)
            hours.clear()
    ProbeHour.objects.bulk_create(hours, batch_size=5000)
    host = next(iter(getattr(settings, "ALLOWED_HOSTS", ["127.0.0.1"])), "127.0.0.1")
    Probe.objects.create(
        unit=provinces[0],
        name="Nút này (/healthz)",
        kind=ProbeKind.HTTP,
        url=f"http://{host if host not in ('*', '') else '127.0.0.1'}:8000/healthz",
        interval_seconds=60,
        timeout_seconds=5,
    )
    total = ProbeHour.objects.filter(probe__unit__in=provinces).count()
    return probes + 1, total
