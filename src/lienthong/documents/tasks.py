"""Background work of the documents app: reminders of overdue handling.

A task is an adapter (STYLE habit 8): ``remind_overdue`` calls
``services.assignments_remind`` and schedules its own next run
``settings.REMINDER_MINUTES`` later (django-tasks' ``run_after``), like the trust app's
audit anchor; ``lienthong documents_schedule`` enqueues the first run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from lienthong.audit.actors import SystemActor
from lienthong.core.tasks import task, task_waiting

__all__ = ["REMINDER_ACTOR", "remind_overdue", "reminders_schedule"]

logger = logging.getLogger(__name__)

REMINDER_ACTOR = SystemActor("document-reminders")


def _minutes() -> int:
    return int(getattr(settings, "REMINDER_MINUTES", 60))


@task()
def remind_overdue() -> int:
    """Remind the handlers of overdue incoming documents, then run again later.

    Returns:
        How many assignments were reminded.
    """
    from lienthong.documents.services import assignments_remind

    try:
        count = assignments_remind(actor=REMINDER_ACTOR)
        logger.info("document reminders: %d sent", count)
        return count
    finally:
        _enqueue_next()


def _enqueue_next() -> None:
    backend = remind_overdue.get_backend()
    if not backend.supports_defer:
        logger.info("document reminders: the task backend cannot defer; not rescheduled")
        return
    if task_waiting(remind_overdue):
        return  # another chain already waits (two workers started one each)
    when = timezone.now() + dt.timedelta(minutes=_minutes())
    remind_overdue.using(run_after=when).enqueue()


def reminders_schedule() -> bool:
    """Enqueue the first run of ``remind_overdue`` unless one is already waiting.

    Returns:
        True when a run was enqueued.
    """
    if task_waiting(remind_overdue):
        return False
    remind_overdue.enqueue()
    return True
