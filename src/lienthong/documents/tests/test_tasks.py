# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""The reminder task: overdue handling gets reminded, once a day, by e-mail too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from lienthong.documents import services, tasks
from lienthong.documents.choices import EventKind
from lienthong.documents.models import Assignment
from lienthong.documents.tests.test_incoming import register
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    office,
    pki,
    storage,
)


@pytest.fixture
def overdue(office: Office, settings: Any) -> Assignment:
    """GIVEN an incoming document assigned to the specialist (who has an e-mail address)
    with a deadline already passed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office.specialist.email = "chuyenvien@example.vn"
    office.specialist.save()
    document = register(office)
    (lead,) = services.document_assign(
        actor=office.leader,
        document=document,
        lead=office.specialist,
        deadline=timezone.localdate(),
    )
    Assignment.objects.filter(pk=lead.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=3)
    )
    return Assignment.objects.get(pk=lead.pk)


def test_remind_overdue_records_and_mails_once(overdue: Assignment, settings: Any) -> None:
    """GIVEN an overdue assignment
    WHEN the reminder task runs twice in a row
    THEN it is reminded once: reminded_at set, a history entry, one e-mail; and the task
    scheduled its next run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    assert tasks.remind_overdue.call() == 1
    assert tasks.remind_overdue.call() == 0

    overdue.refresh_from_db()
    assert overdue.reminded_at is not None
    assert (
        overdue.document.events.filter(kind=EventKind.REMINDED, text__contains="deadline").count()
        == 1
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chuyenvien@example.vn"]


def test_schedule_command(db: None, settings: Any) -> None:
    """GIVEN the database task backend
    WHEN documents_schedule runs twice
    THEN the first enqueues the task, the second finds it waiting."""
    from io import StringIO

    first, second = StringIO(), StringIO()
    call_command("documents_schedule", "--json", stdout=first)
    call_command("documents_schedule", "--json", stdout=second)
    assert first.getvalue().strip() == '{"scheduled": true}'
    assert second.getvalue().strip() == '{"scheduled": false}'


def test_remind_now_command(overdue: Assignment, settings: Any) -> None:
    """GIVEN an overdue assignment
    WHEN documents_schedule --now runs
    THEN it reports one reminder."""
    from io import StringIO

    out = StringIO()
    call_command("documents_schedule", "--now", "--json", stdout=out)
    assert out.getvalue().strip() == '{"reminded": 1}'


def test_a_reminder_run_left_by_a_killed_worker_does_not_block_the_schedule(db: None) -> None:
    """GIVEN the database queue holding a reminder run "running" since a worker was killed
    WHEN the worker starts the reminders again
    THEN a new run is enqueued (once: a second start finds it waiting)."""
    import uuid

    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status="RUNNING",
        started_at=timezone.now() - dt.timedelta(hours=2),
        args_kwargs={"args": [], "kwargs": {}},
        task_path=tasks.remind_overdue.module_path,
        queue_name="default",
        backend_name="default",
        priority=0,
    )

    assert tasks.reminders_schedule() is True
    assert tasks.reminders_schedule() is False
