"""``lienthong exchange_deliver``: deliver the outbox now, once or in a loop (issue #5)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Deliver what is due in the exchange outbox, most urgent first. The task worker "
        "does this after every issue; run it with --loop where no worker kicks it, or to "
        "sweep envelopes whose retry time has come."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep delivering until stopped")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between sweeps (--loop)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON line per sweep")

    def handle(self, *args: Any, **options: Any) -> None:
        from lienthong.exchange.services import outbox_deliver

        while True:
            report = outbox_deliver()
            summary = {
                "delivered": report.delivered,
                "retried": report.retried,
                "dead": report.dead,
            }
            if options["json"]:
                self.stdout.write(json.dumps(summary))
            elif report.delivered or report.retried or report.dead or not options["loop"]:
                self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))
            if not options["loop"]:
                return
            if not (report.delivered or report.retried):
                time.sleep(max(0.1, options["interval"]))
