"""``lienthong export_register``: print a register of NĐ 30 Phụ lục IV to XLSX or PDF."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.core.errors import ApplicationError
from lienthong.documents.models import Register
from lienthong.documents.registers import (
    REGISTER_KINDS,
    handling_report,
    register_pdf,
    register_sheet,
    register_xlsx,
)
from lienthong.org.models import Unit, User

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _date(value: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"export_register: not a date (YYYY-MM-DD or DD/MM/YYYY): {value}")


class Command(BaseCommand):
    help = (
        "Export the outgoing, incoming or handling register of a unit for a period, with the "
        "columns of NĐ 30 Phụ lục IV, to XLSX or PDF (A4 landscape). Every document by "
        "default; with --user, only what that person may see."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", required=True, metavar="ORGAN_ID_OR_PK", help="the unit's mã định danh or id"
        )
        parser.add_argument("--direction", required=True, choices=REGISTER_KINDS)
        parser.add_argument("--from", dest="date_from", required=True, metavar="DATE")
        parser.add_argument("--to", dest="date_to", required=True, metavar="DATE")
        parser.add_argument("--format", dest="fmt", choices=("xlsx", "pdf"), default=None)
        parser.add_argument("--out", required=True, metavar="FILE", help="the file to write")
        parser.add_argument("--register", metavar="ID", help="only this register's documents")
        parser.add_argument("--book", default="", help='the "Quyển số" to print')
        parser.add_argument("--user", metavar="USERNAME", help="export with this person's scope")
        parser.add_argument(
            "--with-report",
            action="store_true",
            help="XLSX: add the report on handling (tình hình giải quyết) as a second sheet",
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = options["fmt"] or out.suffix.lower().lstrip(".")
        if fmt not in {"xlsx", "pdf"}:
            raise CommandError("export_register: give --format xlsx|pdf or a .xlsx/.pdf file")
        if not out.parent.is_dir():
            raise CommandError(f"export_register: no such folder: {out.parent}")
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        user = self._user(options["user"])
        unit = self._unit(options["unit"], user)
        register = self._register(options["register"], unit, user)
        kind = options["direction"]
        try:
            sheet = register_sheet(
                user=user,
                unit=unit,
                kind=kind,
                date_from=date_from,
                date_to=date_to,
                register=register,
                book=options["book"],
            )
            report = None
            if options["with_report"] and fmt == "xlsx":
                report = handling_report(
                    user=user,
                    unit=unit,
                    direction="outgoing" if kind == "outgoing" else "incoming",
                    date_from=date_from,
                    date_to=date_to,
                )
            if fmt == "xlsx":
                register_xlsx(sheet, out, report=report)
            else:
                register_pdf(sheet, out)
        except ApplicationError as exc:
            raise CommandError(f"export_register: {exc.message}") from exc
        except OSError as exc:
            raise CommandError(f"export_register: cannot write {out}: {exc.strerror}") from exc
        if options["json"]:
            summary = {"file": str(out), "format": fmt, "rows": len(sheet.rows), "report": report}
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(sheet.rows)} row(s) written to {out}."))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"export_register: no such user: {username}")
        return user

    def _unit(self, value: str, user: User | None) -> Unit:
        units = Unit.objects.all() if user is None else Unit.objects.restrict(user, "view")
        unit = units.filter(organ_id=value).first()
        if unit is None and value.isdigit():
            unit = units.filter(pk=int(value)).first()
        if unit is None:
            raise CommandError(f"export_register: no such unit: {value}")
        return unit

    def _register(self, value: str | None, unit: Unit, user: User | None) -> Register | None:
        if not value:
            return None
        registers = (
            Register.objects.all() if user is None else Register.objects.restrict(user, "view")
        )
        register = registers.filter(unit=unit, pk=int(value)).first() if value.isdigit() else None
        if register is None:
            raise CommandError(f"export_register: no such register of this unit: {value}")
        return register
