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
import functools
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
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Avg, Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lienthong.audit.actors import SystemActor
from lienthong.audit.services import record
from lienthong.infra.choices import ProbeKind
from lienthong.infra.models import Probe, ProbeHour, ProbeResult

__all__ = [
    "PROBE_ACTOR",
    "Check",
    "Uptime",
    "alert_recipients",
    "probe_check",
    "probe_record",
    "probe_results_downsample",
    "probes_due",
    "probes_record",
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


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context for every check: loading the system's CA certificates
    costs tens of milliseconds, more than a loopback check itself (shared between the
    sweep's threads, which ``ssl`` allows once it is set up)."""
    return ssl.create_default_context()


def _http(probe: Probe) -> Check:
    started = time.perf_counter()
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=_tls()))
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
    """Keep one result and move the probe's state (``probes_record`` for one probe)."""
    return probes_record(checks=[(probe, check)], at=at)[0]


def probes_record(*, checks: list[tuple[Probe, Check]], at: dt.datetime) -> list[ProbeResult]:
    """Keep a sweep's results and move each probe's state, in one transaction.

    A probe is down from its first failed check and up at its first success; once it
    has been down ``INFRA_ALERT_MINUTES`` an alert is recorded once (audit
    ``probe.alert``, a warning in the log) and, after the commit, its unit's IT
    officers are told by e-mail. The probes are locked while their state moves, so
    two sweeps never interleave; one transaction for the sweep (not one per result)
    is what lets a node keep up with every unit of the country.
    """
    if not checks:
        return []
    alerted: list[Probe] = []
    with transaction.atomic():
        ids = [probe.pk for probe, _check in checks]
        locked = {
            p.pk: p
            for p in Probe.objects.select_for_update().select_related("unit").filter(pk__in=ids)
        }
        results = ProbeResult.objects.bulk_create(
            [
                ProbeResult(
                    probe_id=probe.pk,
                    at=at,
                    ok=check.ok,
                    latency_ms=check.latency_ms,
                    detail=check.detail[:300],
                )
                for probe, check in checks
            ],
            batch_size=BATCH,
        )
        moved: list[Probe] = []
        for probe, check in checks:
            row = locked.get(probe.pk)
            if row is None:  # deleted while it was being checked
                continue
            if _move(row, check, at):
                alerted.append(row)
            moved.append(row)
            probe.last_checked_at, probe.last_ok = row.last_checked_at, row.last_ok
            probe.down_since, probe.alerted_at = row.down_since, row.alerted_at
            probe.next_check_at = row.next_check_at
        now = timezone.now()
        for row in moved:
            row.updated_at = now
        Probe.objects.bulk_update(moved, STATE_FIELDS, batch_size=BATCH)
        if alerted:
            transaction.on_commit(lambda: _alert_mail(alerted))
    return results


#: Rows per statement when a sweep's results are written.
BATCH = 500
STATE_FIELDS = [
    "last_checked_at",
    "next_check_at",
    "last_ok",
    "down_since",
    "alerted_at",
    "updated_at",
]


def _move(probe: Probe, check: Check, at: dt.datetime) -> bool:
    """Move ``probe``'s state by one result (audited at each change of state).

    Returns:
        Whether an alert is due now.
    """
    probe.last_checked_at = at
    probe.next_check_at = at + dt.timedelta(seconds=probe.interval_seconds)
    probe.last_ok = check.ok
    if check.ok:
        if probe.down_since is not None:
            record(
                actor=PROBE_ACTOR,
                verb="probe.recovered",
                target=probe,
                data={"down_since": probe.down_since.isoformat(), "at": at.isoformat()},
            )
        probe.down_since = None
        probe.alerted_at = None
        return False
    if probe.down_since is None:
        probe.down_since = at
    if probe.alerted_at is None and at - probe.down_since >= _alert_after():
        probe.alerted_at = at
        logger.warning(
            "probe %s (%s) down since %s: %s",
            probe.name,
            probe.unit.name,
            probe.down_since.isoformat(),
            check.detail,
        )
        record(
            actor=PROBE_ACTOR,
            verb="probe.alert",
            target=probe,
            data={"down_since": probe.down_since.isoformat(), "detail": check.detail},
        )
        return True
    return False


#: The grants that make a member an addressee of their units' probe alerts.
ALERT_PERMISSIONS = ("infra.change_probe", "infra.*", "*")


def _alert_mail(probes: list[Probe]) -> None:
    """Tell each addressee once, for all the probes of a sweep that alert now."""
    by_address: dict[str, list[Probe]] = {}
    for probe in probes:
        for address in alert_recipients(probe.unit):
            by_address.setdefault(address, []).append(probe)
    for address, mine in by_address.items():
        lines = [
            _("%(unit)s: %(probe)s unreachable since %(since)s")
            % {
                "unit": p.unit.name,
                "probe": p.name,
                "since": timezone.localtime(p.down_since).strftime("%H:%M %d/%m/%Y")
                if p.down_since
                else "",
            }
            for p in mine
        ]
        subject = ngettext(
            "%(count)d unit unreachable", "%(count)d units unreachable", len(mine)
        ) % {"count": len(mine)}
        try:
            send_mail(
                str(subject),
                "\n".join(str(line) for line in lines),
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
        except OSError as exc:  # the alert is in the audit log; the mail is best effort
            logger.warning("probe alert to %s failed: %s", address, exc)


def alert_recipients(unit: Any) -> list[str]:
    """The e-mail addresses told when a probe of ``unit`` alerts: the active members of
    the unit and of the units above it whose role may change probes (the IT officers
    in charge of it), and ``INFRA_ALERT_EMAILS``."""
    from lienthong.org.models import Membership, RoleGrant

    roles = RoleGrant.objects.filter(permission__in=ALERT_PERMISSIONS).values("role")
    members = (
        Membership.objects.active()
        .filter(unit_id__in=[*unit.ancestor_ids(), unit.pk], role__in=roles)
        .select_related("user")
    )
    addresses = {m.user.email for m in members if m.user.email}
    addresses.update(getattr(settings, "INFRA_ALERT_EMAILS", []))
    return sorted(addresses)


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
    probes_record(checks=list(zip(due, checks, strict=True)), at=moment)
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
    ids = list(probes.values_list("pk", flat=True))
    observed, up = _raw_spans(ids, _last_before(ids, start), start, end) if ids else (0.0, 0.0)
    hours = ProbeHour.objects.filter(probe_id__in=ids, hour__gte=start, hour__lt=end).aggregate(
        checks=Sum("checks"), ok=Sum("ok_checks"), n=Count("pk")
    )
    if hours["n"]:
        seconds = 3600.0 * hours["n"]
        observed += seconds
        up += seconds * (hours["ok"] or 0) / max(1, hours["checks"] or 0)
    return Uptime(observed_seconds=observed, up_seconds=up)


#: Each raw result holds until the next result of its probe (LEAD), the last until the
#: period's end, a result from before the period from the period's start: the spans
#: summed by the database, not by Python (30 days of one-minute checks are 43,200 rows
#: a probe). One statement per database, the same arithmetic.
_SPANS_SQL = {
    "sqlite": """
        SELECT COALESCE(SUM(span), 0), COALESCE(SUM(CASE WHEN ok THEN span ELSE 0 END), 0)
        FROM (
            SELECT ok, MAX(0.0, {epoch_next} - {epoch_from}) AS span
            FROM {table}
            WHERE probe_id IN ({ids}) AND at < %(end)s AND (at >= %(start)s OR id IN ({last}))
        ) AS spans
    """,
    "postgresql": """
        SELECT COALESCE(SUM(span), 0), COALESCE(SUM(CASE WHEN ok THEN span ELSE 0 END), 0)
        FROM (
            SELECT ok, GREATEST(0.0, EXTRACT(EPOCH FROM (COALESCE(
                LEAD(at) OVER (PARTITION BY probe_id ORDER BY at, id), %(end)s
            ) - GREATEST(at, %(start)s)))) AS span
            FROM {table}
            WHERE probe_id IN ({ids}) AND at < %(end)s AND (at >= %(start)s OR id IN ({last}))
        ) AS spans
    """,
}


def _sqlite_seconds(value: str) -> str:
    """Seconds since the epoch of a SQLite time text, to the millisecond (``julianday``
    loses tens of microseconds to floating point; ``unixepoch(…, 'subsec')`` needs
    SQLite 3.42)."""
    return (
        f"(CAST(strftime('%%s', {value}) AS REAL) - CAST(strftime('%%S', {value}) AS REAL)"
        f" + CAST(strftime('%%f', {value}) AS REAL))"
    )


def _raw_spans(
    ids: list[int], last: list[int], start: dt.datetime, end: dt.datetime
) -> tuple[float, float]:
    """The seconds observed and up in the raw results of ``ids`` (``_SPANS_SQL``)."""
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    sql = _SPANS_SQL[connection.vendor].format(
        epoch_next=_sqlite_seconds(
            "COALESCE(LEAD(at) OVER (PARTITION BY probe_id ORDER BY at, id), %(end)s)"
        ),
        epoch_from=_sqlite_seconds("MAX(at, %(start)s)"),
        table=ProbeResult._meta.db_table,
        ids=", ".join(str(int(pk)) for pk in ids),
        last=", ".join(str(int(pk)) for pk in last) or "NULL",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": adapt(start), "end": adapt(end)})
        observed, up = cursor.fetchone()
    return float(observed), float(up)


def _last_before(ids: list[int], start: dt.datetime) -> list[int]:
    """Each probe's last raw result before ``start`` (its state when the period opens),
    in one query: a correlated subquery on the (probe, time) index."""
    last = ProbeResult.objects.filter(probe_id=OuterRef("pk"), at__lt=start).order_by("-at")
    found = (
        Probe.objects.filter(pk__in=ids)
        .annotate(last=Subquery(last.values("pk")[:1]))
        .values_list("last", flat=True)
    )
    return [pk for pk in found if pk is not None]
