"""Live probes (issue #8 scope 2): a loopback HTTP server that the test stops is reported
down within two probe intervals and up again after it restarts, and the period's uptime
is right; TCP probes, the alert after the threshold, and the hourly downsampling that
keeps the uptime. Only servers the test itself starts on loopback are probed.
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from lienthong.audit.models import AuditEvent
from lienthong.infra.choices import ProbeKind
from lienthong.infra.models import Probe, ProbeHour, ProbeResult
from lienthong.infra.probing import probe_results_downsample, probes_run, uptime

T0 = timezone.make_aware(dt.datetime(2026, 5, 4, 8, 0, 0))


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


class Server:
    """A loopback HTTP server on a fixed port that the test stops and starts again."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._httpd: http.server.HTTPServer | None = None

    def start(self) -> None:
        http.server.HTTPServer.allow_reuse_address = True
        self._httpd = http.server.HTTPServer(("127.0.0.1", self.port), _Health)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


@pytest.fixture
def server() -> Iterator[Server]:
    one = Server()
    one.start()
    yield one
    one.stop()


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_a_stopped_server_is_down_within_two_intervals_and_up_after_restart(
    world: Any, server: Server, settings: Any
) -> None:
    settings.INFRA_ALERT_MINUTES = 0.5  # 30 s
    probe = Probe.objects.create(
        unit=world.commune_a1,
        name="Cổng thông tin phường",
        kind=ProbeKind.HTTP,
        url=f"http://127.0.0.1:{server.port}/healthz",
        interval_seconds=10,
        timeout_seconds=2,
    )
    assert probes_run(now=_at(0)) == 1
    probe.refresh_from_db()
    assert probe.last_ok is True and probe.down_since is None
    assert probes_run(now=_at(5)) == 0  # not due before its interval

    server.stop()
    stopped = _at(5)  # between the check at 0 s and the next one
    for second in (10, 20):  # the first two checks after the stop
        probes_run(now=_at(second))
    probe.refresh_from_db()
    assert probe.last_ok is False
    assert probe.down_since is not None
    assert probe.down_since - stopped <= 2 * dt.timedelta(seconds=probe.interval_seconds)
    assert probe.alerted_at is None
    probes_run(now=_at(40))  # down for 30 s: one alert
    probes_run(now=_at(50))
    probe.refresh_from_db()
    assert probe.alerted_at == _at(40)
    assert AuditEvent.objects.filter(verb="probe.alert").count() == 1

    server.start()
    probes_run(now=_at(60))
    probe.refresh_from_db()
    assert probe.last_ok is True and probe.down_since is None and probe.alerted_at is None
    assert AuditEvent.objects.filter(verb="probe.recovered").count() == 1

    # Up 0-10, down 10-60, up 60-100: 50 of 100 seconds.
    period = uptime(probes=Probe.objects.filter(pk=probe.pk), start=_at(0), end=_at(100))
    assert period.observed_seconds == pytest.approx(100)
    assert period.share == pytest.approx(0.5)
    # A period that opens while it was down starts from its state then.
    later = uptime(probes=Probe.objects.filter(pk=probe.pk), start=_at(30), end=_at(70))
    assert later.share == pytest.approx(10 / 40)
    assert ProbeResult.objects.filter(probe=probe).count() == 6


def test_tcp_and_http_status_checks(world: Any, server: Server) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = int(closed.getsockname()[1])
    make = Probe.objects.create
    up = make(unit=world.commune_a1, name="tcp up", kind="tcp", host="127.0.0.1", port=server.port)
    down = make(
        unit=world.commune_a1, name="tcp down", kind="tcp", host="127.0.0.1", port=free_port
    )
    wrong = make(
        unit=world.commune_a1,
        name="wrong page",
        kind="http",
        url=f"http://127.0.0.1:{server.port}/missing",
    )
    assert probes_run(now=_at(0), threads=3) == 3
    results = {r.probe.name: r for r in ProbeResult.objects.select_related("probe")}
    assert results["tcp up"].ok and results["tcp up"].latency_ms is not None
    assert not results["tcp down"].ok and results["tcp down"].detail
    assert not results["wrong page"].ok and results["wrong page"].detail == "HTTP 404"
    assert {up.pk, down.pk, wrong.pk} == set(Probe.objects.values_list("pk", flat=True))


def test_old_results_fold_into_hours_and_keep_the_uptime(world: Any, settings: Any) -> None:
    settings.INFRA_PROBE_RAW_DAYS = 30
    probe = Probe.objects.create(unit=world.commune_a1, name="p", kind="tcp", host="127.0.0.1")
    start = T0 - dt.timedelta(days=40)
    for minute in range(120):  # two hours, one check a minute; the second hour half down
        ProbeResult.objects.create(
            probe=probe,
            at=start + dt.timedelta(minutes=minute),
            ok=minute < 60 or minute % 2 == 0,
            latency_ms=5.0,
        )
    before = uptime(
        probes=Probe.objects.filter(pk=probe.pk), start=start, end=start + dt.timedelta(hours=2)
    )
    assert before.share == pytest.approx(0.75, abs=0.01)
    assert probe_results_downsample(now=T0) == 120
    assert not ProbeResult.objects.exists()
    hours = list(ProbeHour.objects.order_by("hour").values_list("checks", "ok_checks"))
    assert hours == [(60, 60), (60, 30)]
    after = uptime(
        probes=Probe.objects.filter(pk=probe.pk), start=start, end=start + dt.timedelta(hours=2)
    )
    assert after.share == pytest.approx(0.75)


def test_an_alert_mails_the_it_officers_above_the_unit_once(
    world: Any, settings: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The IT officers of the unit's province are told, once per sweep and address;
    those of another province are not; ``INFRA_ALERT_EMAILS`` are told too."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    settings.INFRA_ALERT_MINUTES = 0
    settings.INFRA_ALERT_EMAILS = ["truc-ban@example.vn"]
    member(
        UserFactory(username="cntt.a", email="cntt.a@example.vn"),
        world.province_a,
        RoleCode.IT_OFFICER,
    )
    member(
        UserFactory(username="cntt.b", email="cntt.b@example.vn"),
        world.province_b,
        RoleCode.IT_OFFICER,
    )
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = int(free.getsockname()[1])  # closed again: nothing listens there
    for unit in (world.commune_a1, world.commune_a2):
        Probe.objects.create(
            unit=unit,
            name="Máy chủ",
            kind=ProbeKind.TCP,
            host="127.0.0.1",
            port=port,
            interval_seconds=10,
            timeout_seconds=1,
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert probes_run(now=_at(0)) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["cntt.a@example.vn", "truc-ban@example.vn"]
    body = mailoutbox[0].body
    assert world.commune_a1.name in body and world.commune_a2.name in body
    assert "2" in mailoutbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        probes_run(now=_at(10))  # still down: already alerted, no second mail
    assert len(mailoutbox) == 2
    assert AuditEvent.objects.filter(verb="probe.alert").count() == 2
