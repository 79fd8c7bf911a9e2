"""``lienthong load_demo_records``: demo party cells and members (after load_demo)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.records.demo import demo_records_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: three party cells under the demo commune and their members, opened by "
        "the demo organisation department. Run after load_demo; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_records_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("Demo member records already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo member records: {report.members} members in {report.cells} cells."
            )
