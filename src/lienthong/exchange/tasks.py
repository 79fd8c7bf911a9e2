"""Background work of the exchange: deliver the outbox (issue #5 scope 3).

A task is an adapter (STYLE habit 8). The outbox rows are the truth: issuing kicks
``deliver_outbox`` once the transaction commits, and ``sweep_outbox`` runs every
``LIENTHONG_EXCHANGE_SWEEP_SECONDS`` (rescheduling itself, like the document reminders)
to deliver what a lost kick left behind and the envelopes whose retry time has come;
``lienthong exchange_schedule`` (called by ``lienthong worker``) starts it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from lienthong.core.tasks import task, task_waiting

__all__ = ["deliver_outbox", "sweep_outbox", "sweep_schedule"]

logger = logging.getLogger(__name__)


def _deliver() -> dict[str, int]:
    from lienthong.exchange.services import outbox_deliver

    report = outbox_deliver()
    if report.errors:
        logger.warning(
            "exchange: %s delivery errors, e.g. %s", len(report.errors), report.errors[0]
        )
    return {"delivered": report.delivered, "retried": report.retried, "dead": report.dead}


@task()
def deliver_outbox() -> dict[str, int]:
    """Deliver what is due in the outbox now."""
    return _deliver()


@task()
def sweep_outbox() -> dict[str, int]:
    """Ask the nodes we wait for whether they are back, deliver what is due, then run
    again ``EXCHANGE_SWEEP_SECONDS`` later."""
    from lienthong.exchange.services import outbox_probe

    try:
        back = outbox_probe()
        if back:
            logger.info("exchange: %s back, delivering", ", ".join(back))
        return _deliver()
    finally:
        backend = sweep_outbox.get_backend()
        if backend.supports_defer and not task_waiting(sweep_outbox):
            seconds = int(getattr(settings, "EXCHANGE_SWEEP_SECONDS", 30))
            when = timezone.now() + dt.timedelta(seconds=seconds)
            sweep_outbox.using(run_after=when).enqueue()


def sweep_schedule() -> bool:
    """Enqueue a sweep unless one is already waiting; True when enqueued.

    A sweep that is "running" does not count: it may be the remains of a worker that was
    killed (it would never reschedule itself). If it is alive after all, two sweeps run
    for a while and the next one to finish sees the other waiting and stops its chain.
    """
    if task_waiting(sweep_outbox):
        return False
    sweep_outbox.enqueue()
    return True
