"""``lienthong load_demo_archives``: the demo file plan and record files (after
load_demo_documents)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.records.archives.demo import demo_archives_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: this year's approved file plan of Thành ủy Hà Nội, a few record files "
        "with the demo documents filed, one closed, one due to the archive within 30 days. "
        "Run after load_demo_documents; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_archives_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("Demo file plan already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo archives: {report.entries} plan entries, {report.files} files "
                f"({report.closed} closed, {report.due_soon} due within 30 days), "
                f"{report.documents_filed} documents filed."
            )
