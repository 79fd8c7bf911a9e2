"""``lienthong load_demo_feedback``: demo citizens' feedback (after load_demo)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.portal.feedback.demo import demo_feedback_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: feedback topics routed to the Văn phòng Thành ủy Hà Nội and five "
        "citizens' feedback (two answered, one published, one overdue). Run after "
        "load_demo; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_feedback_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("Demo feedback already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo feedback: {report.topics} topics, {report.feedback} feedback, "
                f"{report.answered} answered, {report.published} published."
            )
