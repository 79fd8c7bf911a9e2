"""Background work of the work calendar and the notifications (issue #10 scopes 4, 5).

Tasks are adapters (STYLE habit 8) that call ``services``:

- ``reminders_sweep`` sends the calendar reminders that are due and runs again
  ``AGENDA_REMINDER_SWEEP_SECONDS`` (a setting, 60 by default) later, rescheduling
  itself like the exchange sweep and the infra probes;
- ``digest_daily`` e-mails the daily digests, then schedules itself for the next day at
  ``AGENDA_DIGEST_HOUR`` o'clock (a setting, 17 by default);
- ``notifications_email`` e-mails the notifications of people who want them at once
  (enqueued by ``services.notify`` when the transaction commits).

``lienthong agenda_schedule`` (called by ``lienthong worker``) starts the two chains.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from lienthong.core.tasks import task, task_waiting

__all__ = [
    "digest_daily",
    "digest_next_run",
    "notifications_email",
    "reminders_sweep",
    "schedule",
]

logger = logging.getLogger(__name__)


@task()
def notifications_email(notification_ids: list[int]) -> int:
    """E-mail these notifications now (their owners asked for it)."""
    from lienthong.portal.agenda.services import notifications_email_send

    return notifications_email_send(ids=notification_ids)


@task()
def reminders_sweep() -> int:
    """Send the calendar reminders that are due, then run again later.

    Returns:
        How many entries were reminded.
    """
    from lienthong.portal.agenda.services import events_remind

    try:
        count = events_remind()
        if count:
            logger.info("agenda: %d reminders sent", count)
        return count
    finally:
        backend = reminders_sweep.get_backend()
        if backend.supports_defer and not task_waiting(reminders_sweep):
            seconds = int(getattr(settings, "AGENDA_REMINDER_SWEEP_SECONDS", 60))
            reminders_sweep.using(
                run_after=timezone.now() + dt.timedelta(seconds=seconds)
            ).enqueue()


def digest_next_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next ``AGENDA_DIGEST_HOUR`` o'clock (node time) after ``now``."""
    now = timezone.localtime(now or timezone.now())
    hour = int(getattr(settings, "AGENDA_DIGEST_HOUR", 17))
    when = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return when if when > now else when + dt.timedelta(days=1)


@task()
def digest_daily() -> int:
    """E-mail the daily digests, then run again the next day at the digest hour.

    Returns:
        How many messages were sent.
    """
    from lienthong.portal.agenda.services import notifications_digest_send

    try:
        return notifications_digest_send()
    finally:
        backend = digest_daily.get_backend()
        if backend.supports_defer and not task_waiting(digest_daily):
            digest_daily.using(run_after=digest_next_run()).enqueue()


def schedule() -> list[str]:
    """Start the reminder sweep and the digest chain unless they already wait.

    Returns:
        The names of the chains started.
    """
    started = []
    if not task_waiting(reminders_sweep):
        reminders_sweep.enqueue()
        started.append("reminders")
    if not task_waiting(digest_daily):
        backend = digest_daily.get_backend()
        if backend.supports_defer:
            digest_daily.using(run_after=digest_next_run()).enqueue()
            started.append("digest")
    return started
