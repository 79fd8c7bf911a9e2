"""``lienthong load_demo_infra``: the demo links, equipment and probes (after load_units)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.infra.demo import demo_infra_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: links of the provinces and communes, their IT equipment, and probes with "
        "a year of history, so the dashboards have data. Run after load_units; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_infra_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("Demo infrastructure already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo infrastructure: {report.links} links, {report.assets} assets, "
                f"{report.probes} probes with {report.probe_hours} hours of history."
            )
