"""``lienthong load_demo``: demo accounts in real units (DEMO ONLY: shared password)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import ApplicationError
from lienthong.org.demo import demo_load

WARNING = (
    "DEMO ONLY: these accounts share a well-known password. Never load them on a node "
    "that holds real data. Set LIENTHONG_DEMO_PASSWORD to choose another one."
)


class Command(BaseCommand):
    help = (
        "Create demo accounts with roles in real units (needs load_units first); "
        "idempotent. " + WARNING
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_load(actor=SystemActor("load_demo"))
        except ApplicationError as exc:
            raise CommandError(f"load_demo: {exc}") from exc
        if options["json"]:
            self.stderr.write(WARNING)
            self.stdout.write(
                json.dumps(
                    {
                        "users_created": report.users_created,
                        "memberships_created": report.memberships_created,
                        "logins": [asdict(login) for login in report.logins],
                    },
                    ensure_ascii=False,
                )
            )
            return
        rows = [("username", "role", "unit", "password")] + [
            (x.username, x.role, x.unit, x.password) for x in report.logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for number, row in enumerate(rows):
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
            if number == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {report.users_created} account(s) and "
                f"{report.memberships_created} role(s) created."
            )
        )
        self.stdout.write(self.style.WARNING(WARNING))
