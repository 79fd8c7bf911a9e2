"""``lienthong import_units FILE.xlsx``: create units from a workbook, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import InvalidInput
from lienthong.org.importexport import COLUMNS, units_import


class Command(BaseCommand):
    help = (
        "Import units from an XLSX workbook (columns: "
        + ", ".join(COLUMNS)
        + "). Every row is checked first; on any error nothing is imported, each error is "
        "printed with its row and column, and the exit code is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"import_units: no such file: {path}")
        try:
            with path.open("rb") as stream:
                report = units_import(actor=SystemActor("import_units"), user=None, stream=stream)
        except InvalidInput as exc:
            errors = exc.extra.get("errors", [])
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {"ok": False, "created": 0, "message": str(exc), "errors": errors},
                        ensure_ascii=False,
                    )
                )
                raise SystemExit(1) from exc
            for error in errors:
                self.stderr.write(
                    f"row {error['row']}, column {error['column']}: {error['message']}"
                )
            raise CommandError(f"import_units: {exc}") from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"ok": True, "rows": report.rows, "created": report.created, "errors": []}
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"{report.created} unit(s) imported from {report.rows} row(s).")
        )
