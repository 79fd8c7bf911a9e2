"""Live monitoring of the units (issue #8 scope 2): probes run by a periodic task, their
results kept as a time series, outages and alerts, uptime per unit and period.

- ``probe_check`` does one check with its timeout: a TCP connection, an HTTP(S) request
  expecting a status (TLS verified), or one ICMP echo where the system's ``ping`` is
  permitted;
- ``probes_run`` checks every probe that is due, ``INFRA_PROBE_THREADS`` at a time
  (network waits, not CPU), and records each result: a probe is down from its first
  failed check (so a unit that stops answering is reported down within one interval,
  and up again at its first answer); when it has been down for ``INFRA_ALERT_MINUTES``
  an alert is recorded once (audit ``probe.alert``, a warning in the log);
- ``uptime`` is the share of the observed time a probe was up, each result holding
  until the next; hours older than ``INFRA_PROBE_RAW_DAYS`` count by their hourly
  summary (``probe_results_downsample``).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from lienthong.audit.actors import SystemActor
from lienthong.audit.services import record
from lienthong.infra.choices import ProbeKind
from lienthong.infra.models import Probe, ProbeHour, ProbeResult

__all__ = [
    "PROBE_ACTOR",
    "Check",
    "Uptime",
    "probe_check",
    "probe_record",
    "probe_results_downsample",
    "probes_due",
    "probes_run",
    "uptime",
]

logger = logging.getLogger(__name__)

PROBE_ACTOR = SystemActor("probes")


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    ok: bool
    latency_ms: float | None
    detail: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer: its status is compared as it is


def _http(probe: Probe) -> Check:
    started = time.perf_counter()
    opener = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context())
    )
    request = urllib.request.Request(
        probe.url, method="GET", headers={"User-Agent": "lienthong-probe"}
    )
    try:
        with opener.open(request, timeout=probe.timeout_seconds) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check(ok=False, latency_ms=None, detail=str(reason)[:300])
    latency = (time.perf_counter() - started) * 1000
    if status != probe.expected_status:
        return Check(ok=False, latency_ms=latency, detail=f"HTTP {status}")
    return Check(ok=True, latency_ms=latency, detail=f"HTTP {status}")


def _tcp(probe: Probe) -> Check:
    started = time.perf_counter()
    try:
        with socket.create_connection((probe.host, int(probe.port or 0)), probe.timeout_seconds):
            pass
    except OSError as exc:
        return Check(ok=False, latency_ms=None, detail=(exc.strerror or str(exc))[:300])
    return Check(ok=True, latency_ms=(time.perf_counter() - started) * 1000)


def _icmp(probe: Probe) -> Check:
    ping = shutil.which("ping")
    if ping is None:
        return Check(ok=False, latency_ms=None, detail="ICMP: no ping program on this node")
    wait = max(1, round(probe.timeout_seconds))
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [ping, "-n", "-c", "1", "-W", str(wait), "--", probe.host],
            capture_output=True,
            text=True,
            timeout=wait + 2,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check(ok=False, latency_ms=None, detail=f"ICMP: {exc}"[:300])
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        return Check(ok=False, latency_ms=None, detail=(detail[-1] if detail else "no echo")[:300])
    return Check(ok=True, latency_ms=(time.perf_counter() - started) * 1000)


def probe_check(probe: Probe) -> Check:
    """Check once, within the probe's timeout (never raises for a network failure)."""
    if probe.kind == ProbeKind.HTTP:
        return _http(probe)
    if probe.kind == ProbeKind.TCP:
        return _tcp(probe)
    return _icmp(probe)


def _alert_after() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "INFRA_ALERT_MINUTES", 10)))


def probe_record(*, probe: Probe, check: Check, at: dt.datetime) -> ProbeResult:
    """Keep one result and move the probe's state: down from its first failed check,
    up at its first success; an alert once it has been down ``INFRA_ALERT_MINUTES``."""
    with transaction.atomic():
        locked = Probe.objects.select_for_update().select_related("unit").get(pk=probe.pk)
        result = ProbeResult.objects.create(
            probe=locked,
            at=at,
            ok=check.ok,
            latency_ms=check.latency_ms,
            detail=check.detail[:300],
        )
        locked.last_checked_at = at
        locked.next_check_at = at + dt.timedelta(seconds=locked.interval_seconds)
        locked.last_ok = check.ok
        if check.ok:
            if locked.down_since is not None:
                record(
                    actor=PROBE_ACTOR,
                    verb="probe.recovered",
                    target=locked,
                    data={"down_since": locked.down_since.isoformat(), "at": at.isoformat()},
                )
            locked.down_since = None
            locked.alerted_at = None
        else:
            if locked.down_since is None:
                locked.down_since = at
            if locked.alerted_at is None and at - locked.down_since >= _alert_after():
                locked.alerted_at = at
                logger.warning(
                    "probe %s (%s) down since %s: %s",
                    locked.name,
                    locked.unit.name,
                    locked.down_since.isoformat(),
                    check.detail,
                )
                record(
                    actor=PROBE_ACTOR,
                    verb="probe.alert",
                    target=locked,
                    data={"down_since": locked.down_since.isoformat(), "detail": check.detail},
                )
        locked.save(
            update_fields=[
                "last_checked_at",
                "next_check_at",
                "last_ok",
                "down_since",
                "alerted_at",
                "updated_at",
            ]
        )
    probe.last_checked_at, probe.last_ok = locked.last_checked_at, locked.last_ok
    probe.down_since, probe.alerted_at = locked.down_since, locked.alerted_at
    return result


def probes_due(now: dt.datetime | None = None) -> list[Probe]:
    """The enabled probes whose interval has passed since their last check."""
    moment = now or timezone.now()
    due = Probe.objects.filter(enabled=True).filter(
        Q(next_check_at__isnull=True) | Q(next_check_at__lte=moment)
    )
    return list(due.select_related("unit"))


def probes_run(*, now: dt.datetime | None = None, threads: int | None = None) -> int:
    """Check every due probe, ``threads`` at a time, and record the results.

    Returns:
        How many probes were checked.
    """
    moment = now or timezone.now()
    due = probes_due(moment)
    if not due:
        return 0
    workers = threads or int(getattr(settings, "INFRA_PROBE_THREADS", 32))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(due)))) as pool:
        checks = list(pool.map(probe_check, due))
    for probe, check in zip(due, checks, strict=True):
        probe_record(probe=probe, check=check, at=moment)
    return len(due)


def probe_results_downsample(*, now: dt.datetime | None = None) -> int:
    """Fold the raw results older than ``INFRA_PROBE_RAW_DAYS`` into hourly rows and
    delete them (an hour already folded gains the late results).

    Returns:
        How many raw results were folded.
    """
    days = int(getattr(settings, "INFRA_PROBE_RAW_DAYS", 30))
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    cutoff = cutoff.replace(minute=0, second=0, microsecond=0)
    old = ProbeResult.objects.filter(at__lt=cutoff)
    folded = 0
    with transaction.atomic():
        groups = (
            old.annotate(hour=TruncHour("at"))
            .values("probe_id", "hour")
            .annotate(
                checks=Count("pk"),
                ok_checks=Count("pk", filter=Q(ok=True)),
                latency=Avg("latency_ms"),
            )
        )
        for group in groups:
            row, created = ProbeHour.objects.select_for_update().get_or_create(
                probe_id=group["probe_id"],
                hour=group["hour"],
                defaults={
                    "checks": group["checks"],
                    "ok_checks": group["ok_checks"],
                    "latency_ms": group["latency"],
                },
            )
            if not created:
                total = row.checks + group["checks"]
                if group["latency"] is not None and row.latency_ms is not None:
                    row.latency_ms = (
                        row.latency_ms * row.checks + group["latency"] * group["checks"]
                    ) / total
                row.checks = total
                row.ok_checks += group["ok_checks"]
                row.save(update_fields=["checks", "ok_checks", "latency_ms"])
            folded += group["checks"]
        old.delete()
    return folded


@dataclass(frozen=True)
class Uptime:
    """The time a probe (or a set of probes) was observed, and up, in a period."""

    observed_seconds: float
    up_seconds: float

    @property
    def share(self) -> float | None:
        """Up over observed (0-1); None when nothing was observed."""
        return self.up_seconds / self.observed_seconds if self.observed_seconds else None


def uptime(*, probes: Any, start: dt.datetime, end: dt.datetime) -> Uptime:
    """The uptime of ``probes`` (a queryset, already restricted to the reader) between
    ``start`` and ``end``: each raw result holds until the next one of its probe (the
    last until ``end``); a downsampled hour counts as its share of reachable checks."""
    observed = up = 0.0
    ids = list(probes.values_list("pk", flat=True))
    rows = (
        ProbeResult.objects.filter(probe_id__in=ids, at__lt=end)
        .filter(Q(at__gte=start) | Q(pk__in=_last_before(ids, start)))
        .order_by("probe_id", "at")
        .values_list("probe_id", "at", "ok")
    )
    series: dict[int, list[tuple[dt.datetime, bool]]] = {}
    for probe_id, at, ok in rows:
        series.setdefault(probe_id, []).append((at, ok))
    for points in series.values():
        for index, (at, ok) in enumerate(points):
            until = points[index + 1][0] if index + 1 < len(points) else end
            span = max(0.0, (until - max(at, start)).total_seconds())
            observed += span
            up += span if ok else 0.0
    hours = ProbeHour.objects.filter(probe_id__in=ids, hour__gte=start, hour__lt=end).aggregate(
        checks=Sum("checks"), ok=Sum("ok_checks"), n=Count("pk")
    )
    if hours["n"]:
        seconds = 3600.0 * hours["n"]
        observed += seconds
        up += seconds * (hours["ok"] or 0) / max(1, hours["checks"] or 0)
    return Uptime(observed_seconds=observed, up_seconds=up)


def _last_before(ids: list[int], start: dt.datetime) -> list[int]:
    """Each probe's last raw result before ``start`` (its state when the period opens)."""
    last: list[int] = []
    for probe_id in ids:
        found = (
            ProbeResult.objects.filter(probe_id=probe_id, at__lt=start)
            .order_by("-at")
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            last.append(found)
    return last
