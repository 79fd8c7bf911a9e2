"""``lienthong infra_schedule``: start the periodic probe sweep (issue #8 scope 2)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lienthong.infra.tasks import probes_schedule


class Command(BaseCommand):
    """Enqueue the self-rescheduling probe sweep (``lienthong worker`` calls it)."""

    help = "Start the periodic probe sweep (every LIENTHONG_INFRA_PROBE_SWEEP_SECONDS)."

    def handle(self, *args: Any, **options: Any) -> None:
        if probes_schedule():
            self.stdout.write("Probe sweep scheduled.")
        else:
            self.stdout.write("The probe sweep was already scheduled.")
