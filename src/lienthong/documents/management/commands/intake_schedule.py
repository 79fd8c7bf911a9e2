"""``lienthong intake_schedule``: start the periodic sweep of the intake (issue #7): the
watched folder, and the scans whose worker died."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lienthong.documents.tasks import intake_schedule


class Command(BaseCommand):
    """Enqueue the self-rescheduling intake sweep (``lienthong worker`` calls it)."""

    help = (
        "Start the periodic sweep of the intake: files dropped in LIENTHONG_INTAKE_WATCH_DIR "
        "and scans left unread by a worker that stopped (every LIENTHONG_INTAKE_WATCH_SECONDS)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Schedule the sweep and say so."""
        if intake_schedule():
            self.stdout.write("Intake sweep scheduled.")
        else:
            self.stdout.write("The intake sweep was already scheduled.")
