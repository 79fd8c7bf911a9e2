"""``lienthong load_demo_trust``: demo certificates and stamp images (after load_demo)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import ApplicationError
from lienthong.trust.demo import demo_trust_load


class Command(BaseCommand):
    help = (
        "DEMO ONLY: create the node's CA if it has none, certificates for the demo leaders "
        "and seals for the demo clerks' units, and simple signature and seal images."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_trust_load(actor=SystemActor("load_demo_trust"))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ca_created": report.ca_created,
                        "certificates": report.certificates,
                        "images": report.images,
                    },
                    ensure_ascii=False,
                )
            )
            return
        if report.ca_created:
            self.stdout.write("Created the demo CA (root, issuing CA, TSA, OCSP).")
        for line in report.certificates:
            self.stdout.write(f"Issued certificate: {line}")
        for line in report.images:
            self.stdout.write(f"Drew stamp image: {line}")
        if not (report.ca_created or report.certificates or report.images):
            self.stdout.write("Demo certificates and images already in place; nothing to do.")
