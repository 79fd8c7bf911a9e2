"""``lienthong verify_pdf FILE [--json] [--trust-anchor PEM ...]``: validate a PDF's signatures.

The report is kept (a ``ValidationRecord``, signed by the node when it has an envelope
certificate) and printed; ``--json`` prints the JSON of issue #3.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import ApplicationError
from lienthong.trust.validation import pdf_validate

_MARK = {
    "valid": "VALID",
    "valid_with_warnings": "VALID WITH WARNINGS",
    "invalid": "INVALID",
    "unknown": "UNKNOWN (not trusted)",
    "unsigned": "UNSIGNED",
}


class Command(BaseCommand):
    help = "Validate the signatures of a PDF and print one verdict (exit 1 if it is no PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the PDF")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--trust-anchor",
            metavar="PEM",
            action="append",
            default=[],
            help="a root certificate file to trust (repeatable); default: the node's anchors",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # pyHanko logs path-building failures with tracebacks; the report says it better.
        for name in ("pyhanko", "pyhanko_certvalidator"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        anchors: list[str] | None = None
        if options["trust_anchor"]:
            anchors = []
            for anchor in options["trust_anchor"]:
                try:
                    anchors.append(Path(anchor).read_text(encoding="ascii"))
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(f"Cannot read the trust anchor {anchor}") from exc
        try:
            row = pdf_validate(
                actor=SystemActor("verify_pdf"),
                pdf=path.read_bytes(),
                file_name=path.name,
                trust_anchor_pems=anchors,
            )
        except ApplicationError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        report = row.report
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{path.name}: {_MARK.get(row.verdict, row.verdict)}")
        for signature in report["signatures"]:
            flags = ", ".join(
                f"{key}={'yes' if signature[key] else 'no'}"
                for key in ("intact", "trusted", "revoked", "timestamped", "modified_after")
            )
            self.stdout.write(
                f"- {signature['field_name']}: {signature['signer']} at {signature['signed_at']} "
                f"→ {signature['verdict']} ({flags})"
            )
            for reason in signature["reasons"]:
                self.stdout.write(f"    {reason}")
