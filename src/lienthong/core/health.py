"""``/healthz``: is this web server fit to take traffic? (for load balancers)."""

from __future__ import annotations

import shutil
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _check_database() -> dict[str, Any]:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


def _check_tasks() -> dict[str, Any]:
    backend = settings.TASK_BACKEND
    if backend == "db":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
        return {"ok": True, "backend": backend}
    if backend == "rq":
        import django_rq

        django_rq.get_connection("default").ping()
        return {"ok": True, "backend": backend}
    return {"ok": True, "backend": backend}


def _check_disk() -> dict[str, Any]:
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    free_mb = shutil.disk_usage(settings.DATA_DIR).free // (1024 * 1024)
    return {"ok": free_mb >= settings.HEALTH_MIN_FREE_DISK_MB, "free_mb": free_mb}


CHECKS = {"database": _check_database, "tasks": _check_tasks, "disk": _check_disk}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database, the task queue and the disk are fine, else 503.

    The body names each check and never carries secrets or stack traces.
    """
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure, whatever its type
            results[name] = {"ok": False, "error": type(exc).__name__}
    healthy = all(item["ok"] for item in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503
    )
