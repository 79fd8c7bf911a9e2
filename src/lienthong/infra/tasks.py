"""Background work of the infra app: the probe sweep (issue #8 scope 2).

A task is an adapter (STYLE habit 8): ``probes_sweep`` calls ``probing.probes_run`` and
``probing.probe_results_downsample`` and schedules its own next run
``INFRA_PROBE_SWEEP_SECONDS`` later; ``lienthong infra_schedule`` (called by
``lienthong worker``) enqueues the first.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from lienthong.core.tasks import task, task_waiting

__all__ = ["probes_schedule", "probes_sweep"]

logger = logging.getLogger(__name__)


@task()
def probes_sweep() -> int:
    """Check the probes that are due, fold old results into hours, run again later.

    Returns:
        How many probes were checked.
    """
    from lienthong.infra.probing import probe_results_downsample, probes_run

    try:
        checked = probes_run()
        probe_results_downsample()
        return checked
    finally:
        _enqueue_next()


def _enqueue_next() -> None:
    backend = probes_sweep.get_backend()
    if not backend.supports_defer or task_waiting(probes_sweep):
        return
    seconds = int(getattr(settings, "INFRA_PROBE_SWEEP_SECONDS", 10))
    probes_sweep.using(run_after=timezone.now() + dt.timedelta(seconds=seconds)).enqueue()


def probes_schedule() -> bool:
    """Enqueue the first sweep unless one is already waiting."""
    if task_waiting(probes_sweep):
        return False
    probes_sweep.enqueue()
    return True
