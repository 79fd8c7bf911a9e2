"""Background work of the trust app: the hourly timestamp over the audit chain head.

A task is an adapter (STYLE habit 8): it calls ``anchoring.audit_anchor_now`` and
schedules its own next run ``LIENTHONG_AUDIT_ANCHOR_MINUTES`` later (django-tasks'
``run_after``), so one enqueue (``lienthong audit_anchor --schedule``) keeps it going.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from lienthong.audit.actors import SystemActor
from lienthong.core.tasks import task, task_waiting
from lienthong.trust.anchoring import audit_anchor_due, audit_anchor_now
from lienthong.trust.errors import TrustError

__all__ = ["anchor_audit_head", "anchor_schedule"]

logger = logging.getLogger(__name__)


@task()
def anchor_audit_head() -> int | None:
    """Stamp the audit chain head if it moved since the last anchor, then run again
    ``settings.AUDIT_ANCHOR_MINUTES`` later.

    Returns:
        The id of the new ``AuditAnchor``, or None when the head had not moved or the
        TSA could not stamp (logged; the next run tries again).
    """
    try:
        if not audit_anchor_due():
            logger.info("audit anchor: head unchanged, skipped")
            return None
        try:
            return audit_anchor_now(actor=SystemActor("audit-anchor")).pk
        except TrustError as exc:
            logger.warning("audit anchor: %s", exc)
            return None
    finally:
        _enqueue_next()


def _enqueue_next() -> None:
    backend = anchor_audit_head.get_backend()
    if not backend.supports_defer:
        logger.info("audit anchor: the task backend cannot defer; not rescheduled")
        return
    if task_waiting(anchor_audit_head):
        return  # another chain already waits (two workers started one each)
    when = timezone.now() + dt.timedelta(minutes=settings.AUDIT_ANCHOR_MINUTES)
    anchor_audit_head.using(run_after=when).enqueue()


def anchor_schedule() -> bool:
    """Enqueue the first run of ``anchor_audit_head`` unless one is already waiting.

    Only the database backend can be asked what is waiting; with other backends the
    task is enqueued every time (a duplicate run only finds the head unchanged).

    Returns:
        True when a run was enqueued.
    """
    if task_waiting(anchor_audit_head):
        return False
    anchor_audit_head.enqueue()
    return True
