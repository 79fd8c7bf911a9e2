"""``lienthong audit_anchor``: timestamp the audit chain head now, or verify every anchor."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.trust.anchoring import audit_anchor_now, audit_anchors_verify
from lienthong.trust.errors import TrustError
from lienthong.trust.models import AuditAnchor
from lienthong.trust.tasks import anchor_schedule


class Command(BaseCommand):
    help = (
        "Have the node's TSA timestamp the head of the audit chain (default), verify "
        "every timestamp taken so far (--verify: exit 1 naming the first bad one), or "
        "start the hourly task (--schedule)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--verify", action="store_true", help="verify every anchor")
        group.add_argument(
            "--schedule",
            action="store_true",
            help="enqueue the hourly anchoring task (once; it reschedules itself)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verify"]:
            self._verify(as_json=options["json"])
        elif options["schedule"]:
            enqueued = anchor_schedule()
            if options["json"]:
                self.stdout.write(json.dumps({"enqueued": enqueued}))
            elif enqueued:
                self.stdout.write(self.style.SUCCESS("Audit anchoring task enqueued."))
            else:
                self.stdout.write("Audit anchoring task already waiting.")
        else:
            try:
                anchor = audit_anchor_now(actor=SystemActor("audit-anchor-cli"))
            except TrustError as exc:
                raise CommandError(str(exc)) from exc
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "seq": anchor.seq,
                            "hash": anchor.chain_hash,
                            "gen_time": anchor.gen_time.isoformat(),
                        }
                    )
                )
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Audit row #{anchor.seq} timestamped at {anchor.gen_time.isoformat()}."
                    )
                )

    def _verify(self, *, as_json: bool) -> None:
        problems = audit_anchors_verify()
        total = AuditAnchor.objects.count()
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": not problems,
                        "checked": total,
                        "problems": [
                            {"anchor": p.anchor_id, "seq": p.seq, "reason": p.reason}
                            for p in problems
                        ],
                    }
                )
            )
            if problems:
                raise SystemExit(1)
            return
        if problems:
            first = problems[0]
            raise CommandError(
                f"Audit anchor {first.anchor_id} (row #{first.seq}) fails: {first.reason} "
                f"({len(problems)} of {total} anchors fail)."
            )
        self.stdout.write(self.style.SUCCESS(f"All {total} audit anchors hold."))
