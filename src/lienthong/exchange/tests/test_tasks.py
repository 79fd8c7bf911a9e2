"""The periodic outbox sweep survives a killed worker (issue #5 scope 3)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from lienthong.exchange.tasks import sweep_outbox, sweep_schedule


def _row(status: str, started: dt.datetime | None) -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        started_at=started,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=sweep_outbox.module_path,
        queue_name="default",
        backend_name="default",
        priority=0,
    )


@pytest.mark.django_db
def test_a_sweep_left_running_by_a_killed_worker_does_not_block_a_new_one(settings) -> None:
    """GIVEN the database task queue and a sweep that has been "running" for an hour (its
    worker was killed) WHEN the worker starts the sweep again THEN a new one is enqueued;
    a sweep already waiting is not doubled."""
    _row("RUNNING", timezone.now() - dt.timedelta(hours=1))

    assert sweep_schedule() is True
    assert sweep_schedule() is False
