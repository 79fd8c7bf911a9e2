"""Background work of the documents app: reminders of overdue handling, and reading
scanned documents (issue #7) on the ``intake`` queue, whose workers ``lienthong serve``
starts ``INTAKE_WORKERS`` of (OCR takes a core per file: it never waits behind or holds
up the reminders and the exchange).

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

__all__ = [
    "INTAKE_QUEUE",
    "REMINDER_ACTOR",
    "intake_schedule",
    "intake_sweep",
    "read_scan",
    "remind_overdue",
    "reminders_schedule",
]

logger = logging.getLogger(__name__)

REMINDER_ACTOR = SystemActor("document-reminders")
INTAKE_QUEUE = "intake"


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


@task(queue_name=INTAKE_QUEUE)
def read_scan(item_id: int) -> str:
    """Read one scanned file of the intake (OCR, then link it to its register entry).

    Returns:
        The state the file ends in ("" when another worker had it).
    """
    from lienthong.documents.intake.services import intake_read

    item = intake_read(item_id)
    return item.state if item is not None else ""


@task()
def intake_sweep() -> int:
    """Take in what the watched folder holds, and queue again the scans whose worker
    died; then run again ``INTAKE_WATCH_SECONDS`` later.

    Returns:
        How many files were taken from the folder.
    """
    from lienthong.documents.intake.services import intakes_requeue_stalled
    from lienthong.documents.intake.watch import watch_folder_take

    try:
        intakes_requeue_stalled()
        return watch_folder_take()
    finally:
        _enqueue_sweep()


def _enqueue_sweep() -> None:
    backend = intake_sweep.get_backend()
    if not backend.supports_defer or task_waiting(intake_sweep):
        return
    seconds = int(getattr(settings, "INTAKE_WATCH_SECONDS", 60))
    intake_sweep.using(run_after=timezone.now() + dt.timedelta(seconds=seconds)).enqueue()


def intake_schedule() -> bool:
    """Enqueue the first run of ``intake_sweep`` unless one is already waiting."""
    if task_waiting(intake_sweep):
        return False
    intake_sweep.enqueue()
    return True
