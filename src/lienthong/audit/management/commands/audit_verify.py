"""``lienthong audit_verify``: walk the audit chain and name the first broken row."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lienthong.audit.models import AuditEvent
from lienthong.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit 1 and name the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        quiet = options["json"] or options["verbosity"] == 0
        bar = tqdm(total=total, unit="row", disable=quiet, desc="audit")

        def advance(done: int) -> None:
            bar.update(done - bar.n)

        checked, broken = audit_chain_verify(progress=advance)
        bar.close()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": broken is None,
                        "checked": checked,
                        "broken_seq": broken.seq if broken else None,
                        "reason": broken.reason if broken else None,
                    }
                )
            )
            if broken is not None:
                raise SystemExit(1)
            return
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at row #{broken.seq}: {broken.reason} "
                f"({checked} rows before it are intact)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} rows verified."))
