"""``lienthong load_demo_agenda``: this week's demo calendar (after load_demo)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.portal.agenda.demo import demo_agenda_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: this week's work calendar of Thành ủy Hà Nội (five entries, one an "
        "online meeting) and a few notifications for the demo accounts. Run after "
        "load_demo; idempotent for the week."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_agenda_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("This week's demo calendar is already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo calendar: {report.events} entries, {report.notifications} notifications."
            )
