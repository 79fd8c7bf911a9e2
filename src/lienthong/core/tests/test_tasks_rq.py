"""The production task backend: django-tasks-rq on a real Redis, run by `lienthong worker`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_env(tmp_path: Path) -> dict[str, str]:
    """A node configured for the rq backend on this machine's Redis (a private queue db)."""
    if not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI must provide it)")
        pytest.skip("Redis is not running on this machine")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env.update(
        LIENTHONG_DATA_DIR=str(tmp_path / "data"),
        LIENTHONG_TASK_BACKEND="rq",
        LIENTHONG_REDIS_URL=f"redis://127.0.0.1:6379/{9 + uuid.uuid4().int % 6}",
        DJANGO_SETTINGS_MODULE="lienthong.config.settings",
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_task_enqueued_on_redis_runs_in_the_rq_worker(tmp_path, redis_env):
    """GIVEN LIENTHONG_TASK_BACKEND=rq WHEN a task is enqueued after a commit and
    `lienthong worker --batch` runs THEN the worker process executes it; a task enqueued
    in a rolled-back transaction never reaches Redis."""
    trace = tmp_path / "trace.txt"
    migrate = _run(redis_env, "-m", "lienthong", "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    enqueue = _run(
        redis_env,
        "-c",
        "import django; django.setup()\n"
        "from django.db import transaction\n"
        "from lienthong.core.tasks import enqueue_on_commit\n"
        "from lienthong.core.testing.tasks import record_probe\n"
        "with transaction.atomic():\n"
        f"    enqueue_on_commit(record_probe, {str(trace)!r}, 'committed')\n"
        "try:\n"
        "    with transaction.atomic():\n"
        f"        enqueue_on_commit(record_probe, {str(trace)!r}, 'rolled back')\n"
        "        raise RuntimeError\n"
        "except RuntimeError:\n"
        "    pass\n",
    )
    assert enqueue.returncode == 0, enqueue.stderr
    assert not trace.exists()  # nothing runs in the enqueuing process
    worker = _run(redis_env, "-m", "lienthong", "worker", "--batch")
    assert worker.returncode == 0, worker.stderr
    assert trace.read_text(encoding="utf-8").splitlines() == ["committed"]
