"""``lienthong export_units FILE.xlsx``: write units to a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.org.importexport import units_export
from lienthong.org.models import User


class Command(BaseCommand):
    help = (
        "Export units to an XLSX workbook that import_units reads back. Every unit by "
        "default; with --user, only the units that person may see."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook to write")
        parser.add_argument("--user", metavar="USERNAME", help="export with this person's scope")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError("export_units: the file name must end in .xlsx")
        if not path.parent.is_dir():
            raise CommandError(f"export_units: no such folder: {path.parent}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"export_units: no such user: {options['user']}")
        try:
            count = units_export(user=user, path_or_stream=path)
        except OSError as exc:
            raise CommandError(f"export_units: cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"{count} unit(s) written to {path}."))
