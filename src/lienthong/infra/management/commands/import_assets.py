"""``lienthong import_assets FILE.xlsx --user NAME``: a units' inventory of IT equipment
into the node (issue #8 scope 1), all rows or none."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.infra.workbook import assets_import


class Command(BaseCommand):
    help = (
        "Import IT assets from an XLSX inventory (columns: Mã định danh, Loại, Năm trang bị, "
        "Hãng, Model, Số serial, Nguồn vốn, Tình trạng, Số lượng, Vị trí, Ghi chú). Every "
        "row or none: a bad row is reported with its reason and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.xlsx")
        parser.add_argument(
            "--user", required=True, metavar="USERNAME", help="the IT officer importing"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"import_assets: no such file: {path}")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"import_assets: no such user: {options['user']}")
        try:
            report = assets_import(actor=user, data=path.read_bytes())
        except ApplicationError as exc:
            raise CommandError(f"import_assets: {exc.message}") from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "rows": report.rows,
                        "created": report.created,
                        "errors": [e.__dict__ for e in report.errors],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for error in report.errors:
                self.stdout.write(f"row {error.row}, {error.column}: {error.message}")
            if report.ok:
                self.stdout.write(f"{report.created} asset(s) imported.")
            else:
                self.stdout.write(f"{len(report.errors)} problem(s): nothing imported.")
        if not report.ok:
            sys.exit(1)
