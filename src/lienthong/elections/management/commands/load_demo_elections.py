"""``lienthong load_demo_elections``: the demo congress (after load_demo)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.elections.demo import demo_elections_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: a congress of Thành ủy Hà Nội with two elections, candidates, the "
        "counting board and round 1 open for entry. Run after load_demo; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_elections_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("Demo congress already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo congress: {report.elections} elections, {report.candidates} candidates."
            )
