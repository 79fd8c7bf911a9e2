"""``lienthong agenda_schedule``: start the calendar reminders and the daily digest
(``lienthong worker`` calls it by name)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Start the periodic work of the calendar: the reminder sweep (every minute) and "
        "the daily digest of notifications (at 17:00, node time)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from lienthong.portal.agenda.tasks import schedule

        started = schedule()
        if started:
            self.stdout.write(f"Scheduled: {', '.join(started)}.")
        else:
            self.stdout.write("The calendar's periodic work was already scheduled.")
