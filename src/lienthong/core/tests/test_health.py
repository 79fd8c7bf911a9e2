"""``/healthz`` for load balancers: database, task queue, disk (issue #2, scope 10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from lienthong.core import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_with_every_check(client: Any) -> None:
    """GIVEN a working node and no log-in WHEN /healthz is fetched
    THEN 200 with JSON naming the database, tasks and disk checks, all ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks", "disk", "exchange"}
    assert body["checks"]["exchange"]["lag_seconds"] == 0
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_never_cached(client: Any) -> None:
    """GIVEN a load balancer or proxy in front WHEN /healthz answers
    THEN the answer forbids caching, so each probe sees the current state."""
    response = client.get(reverse("healthz"))
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control
    assert "max-age=0" in cache_control


def test_healthz_answers_503_when_the_disk_is_short(client: Any, settings: Any) -> None:
    """GIVEN a free-disk threshold no disk can meet WHEN /healthz is fetched
    THEN 503, the disk check fails and the others stay ok."""
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["disk"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_reports_a_failing_check_without_details(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a task queue that cannot be reached WHEN /healthz is fetched
    THEN 503 naming only the error type: no message, no stack trace."""

    def broken() -> dict[str, Any]:
        raise ConnectionError("redis://secret-password@10.0.0.1 refused")

    monkeypatch.setitem(health.CHECKS, "tasks", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {"ok": False, "error": "ConnectionError"}
    assert b"secret-password" not in response.content
    assert b"Traceback" not in response.content


def test_healthz_accepts_only_get(client: Any) -> None:
    """GIVEN /healthz WHEN it is POSTed to THEN 405 (it changes nothing)."""
    assert client.post("/healthz").status_code == 405
