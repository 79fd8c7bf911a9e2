"""``lienthong load_demo_portal``: demo announcements and documents of the public portal
(after load_demo and load_demo_documents)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.portal.demo import demo_portal_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: five published announcements of Thành ủy Hà Nội on the public portal, "
        "one draft, and two of its issued documents published (when load_demo_documents "
        "issued some). Run after load_demo; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_portal_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
            return
        if report.skipped:
            self.stdout.write("Demo portal already loaded; nothing to do.")
            return
        self.stdout.write(
            f"Demo portal: {report.announcements} announcements published, "
            f"{report.drafts} draft, {report.documents} documents published."
        )
        for warning in report.warnings:
            self.stdout.write(f"Skipped: {warning}.")
