"""A task enqueued in a transaction runs after commit, never after rollback (issue #2, scope 8).

These tests use the real ``django-tasks-db`` backend and its worker: the task row is
written to the database and a worker picks it up, as in the embedded deployment.
``transactional_db`` is needed so that ``transaction.on_commit`` fires for real.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from lienthong.core.tasks import enqueue_on_commit
from lienthong.core.testing.tasks import record_probe

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Boom(Exception):
    """Raised to roll a transaction back."""


@pytest.fixture
def db_tasks(settings: Any, transactional_db: None) -> Iterator[None]:
    """GIVEN the database task backend (django-tasks resets its cached backends on
    ``setting_changed``, which the ``settings`` fixture sends).

    The worker installs its own SIGINT/SIGTERM handlers; they are restored afterwards so
    that Ctrl-C still stops the test run.
    """
    names = [n for n in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, n)]
    saved = {name: signal.getsignal(getattr(signal, name)) for name in names}
    settings.TASK_BACKEND = "db"
    settings.TASKS = DB_TASKS
    assert isinstance(task_backends["default"], DatabaseBackend)
    yield
    for name, handler in saved.items():
        signal.signal(getattr(signal, name), handler)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_task_is_stored_and_runs_only_after_commit(db_tasks: None, tmp_path: Path) -> None:
    """GIVEN the database backend
    WHEN a task is enqueued inside transaction.atomic()
    THEN no task row exists until the commit, then one row is queued, and the worker runs it."""
    trace = tmp_path / "trace.txt"
    with transaction.atomic():
        enqueue_on_commit(record_probe, str(trace), "committed")
        assert DBTaskResult.objects.count() == 0, "enqueued before the commit"
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert _lines(trace) == [], "ran before a worker picked it up"

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert _lines(trace) == ["committed"]
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL


def test_task_is_never_enqueued_after_rollback(db_tasks: None, tmp_path: Path) -> None:
    """GIVEN the database backend
    WHEN a task is enqueued in a transaction that rolls back
    THEN nothing is stored and a worker run does nothing."""
    trace = tmp_path / "trace.txt"
    with pytest.raises(Boom), transaction.atomic():
        enqueue_on_commit(record_probe, str(trace), "rolled back")
        raise Boom
    assert DBTaskResult.objects.count() == 0

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert _lines(trace) == []
    assert DBTaskResult.objects.count() == 0


def test_inner_savepoint_rollback_drops_only_its_task(db_tasks: None, tmp_path: Path) -> None:
    """GIVEN two tasks enqueued in one transaction, the second inside a savepoint
    WHEN the savepoint rolls back and the outer transaction commits
    THEN only the first task is queued and runs."""
    trace = tmp_path / "trace.txt"
    with transaction.atomic():
        enqueue_on_commit(record_probe, str(trace), "outer")
        with pytest.raises(Boom), transaction.atomic():
            enqueue_on_commit(record_probe, str(trace), "savepoint")
            raise Boom
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert _lines(trace) == ["outer"]


def test_enqueue_outside_a_transaction_is_immediate(db_tasks: None, tmp_path: Path) -> None:
    """GIVEN no open transaction WHEN a task is enqueued THEN it is queued at once."""
    trace = tmp_path / "trace.txt"
    enqueue_on_commit(record_probe, str(trace), "autocommit")
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_lienthong_worker_batch_runs_queued_tasks(db_tasks: None, tmp_path: Path) -> None:
    """GIVEN two committed tasks WHEN `lienthong worker --batch` runs
    THEN both run and the command returns (it does not wait for more work)."""
    trace = tmp_path / "trace.txt"
    with transaction.atomic():
        enqueue_on_commit(record_probe, str(trace), "first")
        enqueue_on_commit(record_probe, str(trace), "second")

    call_command("worker", "--batch", verbosity=0)

    assert sorted(_lines(trace)) == ["first", "second"]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_worker_refuses_the_immediate_backend(settings: Any) -> None:
    """GIVEN LIENTHONG_TASK_BACKEND=immediate WHEN `lienthong worker` runs
    THEN it stops with a one-line reason (there is no worker to run)."""
    from django.core.management.base import CommandError

    settings.TASK_BACKEND = "immediate"
    with pytest.raises(CommandError, match="immediate"):
        call_command("worker", "--batch")
