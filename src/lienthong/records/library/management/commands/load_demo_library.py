"""``lienthong load_demo_library``: demo publications of the library (after load_demo)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.records.library.demo import demo_library_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: real Party documents (numbers, dates, subjects) in the library of the "
        "Hà Nội committee's office, with a one-page PDF each and their relations. Run after "
        "load_demo; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")
        parser.add_argument(
            "--no-pdf", action="store_true", help="enter the publications without PDFs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_library_load(with_pdf=not options["no_pdf"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        elif report.skipped:
            self.stdout.write("Demo library already loaded; nothing to do.")
        else:
            self.stdout.write(
                f"Demo library: {report.publications} publications, {report.relations} relations."
            )
