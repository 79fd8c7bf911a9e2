"""``lienthong documents_schedule``: start the periodic reminders of overdue handling."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lienthong.documents.tasks import REMINDER_ACTOR, reminders_schedule


class Command(BaseCommand):
    """Enqueue the self-rescheduling reminder task (``lienthong worker`` calls it)."""

    help = (
        "Start the periodic reminders of overdue incoming documents (every "
        "LIENTHONG_REMINDER_MINUTES); with --now, send the reminders due now instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Options: ``--now`` and ``--json``."""
        parser.add_argument("--now", action="store_true", help="Remind now, in this process.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Schedule (or run) the reminders and say what happened."""
        if options["now"]:
            from lienthong.documents.services import assignments_remind

            result: dict[str, Any] = {"reminded": assignments_remind(actor=REMINDER_ACTOR)}
            message = f"Reminded {result['reminded']} overdue assignment(s)."
        else:
            enqueued = reminders_schedule()
            result = {"scheduled": enqueued}
            message = "Reminders scheduled." if enqueued else "Reminders were already scheduled."
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(message)
