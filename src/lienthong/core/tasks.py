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

__all__ = ["enqueue_on_commit", "task"]


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
