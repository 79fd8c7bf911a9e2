"""``lienthong load_demo_documents``: demo documents (after load_demo and load_demo_trust)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import ApplicationError
from lienthong.documents.demo import demo_documents_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: document settings and registers for the demo units, and a few hundred "
        "realistic documents over the last twelve months (a handful signed and issued). "
        "Run after load_demo and load_demo_trust; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")
        parser.add_argument(
            "--no-signing",
            action="store_true",
            help="skip the few documents that are signed and issued (faster)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_documents_load(
                actor=SystemActor("load_demo_documents"), workflow=not options["no_signing"]
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
            return
        if report.skipped:
            self.stdout.write("Demo documents already loaded; nothing to do.")
            return
        self.stdout.write(
            f"Demo documents: {report.outgoing} outgoing and {report.incoming} incoming "
            f"(history), {report.signed_and_issued} signed and issued, "
            f"{report.in_workflow} in the workflow; {report.profiles} unit setting(s), "
            f"{report.registers} register(s); {report.scans_queued} scan(s) queued for "
            "the intake."
        )
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
