"""Tasks wiring: enqueue background work only when the surrounding transaction commits.

The ``django-tasks`` backport gives the API of Django 6's ``django.tasks``; its backends
(``django-tasks-db`` embedded, ``django-tasks-rq`` on Redis) are chosen by
``LIENTHONG_TASK_BACKEND``. A task is an adapter (STYLE habit 8): it takes ids, loads,
calls a service. Work that must never be lost between servers (exchange) uses an outbox
row instead of relying on this hook alone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

__all__ = ["enqueue_on_commit", "task", "task_waiting"]


def enqueue_on_commit(task_obj: Any, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Enqueue ``task_obj`` with these arguments once the current transaction commits.

    Outside a transaction the task is enqueued at once; after a rollback, never.

    Args:
        task_obj: a function decorated with ``@task``.
        args: positional arguments (JSON-serialisable: ids, not objects).
        using: the database alias whose transaction to follow.
        kwargs: keyword arguments (JSON-serialisable).
    """
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs), using=using)


def task_waiting(task_obj: Any) -> bool:
    """Whether a run of ``task_obj`` is waiting in the database queue.

    For self-rescheduling periodic tasks: start a chain only when no run is waiting, and
    reschedule only when none is. A run left "running" by a worker that was killed does
    not count (it will never reschedule itself). Other backends cannot be asked: False.
    """
    backend = task_obj.get_backend()
    if not backend.__class__.__module__.startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task_obj.module_path, status="READY").exists()
