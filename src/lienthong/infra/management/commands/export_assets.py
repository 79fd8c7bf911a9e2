"""``lienthong export_assets --out FILE.xlsx --user NAME [--unit ORGAN_ID]``: the IT
equipment a person may see, with "due for replacement" (issue #8 scope 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.infra.workbook import assets_export
from lienthong.org.models import Unit


class Command(BaseCommand):
    help = "Export the IT assets a person may see (of one unit and the units under it) to XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, metavar="FILE.xlsx")
        parser.add_argument("--user", required=True, metavar="USERNAME")
        parser.add_argument("--unit", metavar="ORGAN_ID", help="only this unit and its subtree")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"export_assets: no such folder: {out.parent}")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"export_assets: no such user: {options['user']}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.restrict(user, "view").filter(organ_id=options["unit"]).first()
            if unit is None:
                raise CommandError(f"export_assets: no such unit for {user}: {options['unit']}")
        try:
            out.write_bytes(assets_export(user=user, unit=unit))
        except OSError as exc:
            raise CommandError(f"export_assets: cannot write {out}: {exc.strerror}") from exc
        self.stdout.write(f"Written to {out}.")
