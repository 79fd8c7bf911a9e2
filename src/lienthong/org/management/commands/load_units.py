"""``lienthong load_units``: load the real, current country into the unit tree."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import ApplicationError
from lienthong.org.loaders import country_units, units_load


class Command(BaseCommand):
    help = (
        "Load the central level, the 34 provincial and city committees with their "
        "departments and the 3,321 commune committees from the vietnam-provinces package. "
        "Re-running updates what changed and never duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help='print one JSON line: {"provinces", "communes", "units_total", "created", '
            '"updated", "unchanged"}',
        )
        parser.add_argument(
            "--province",
            action="append",
            type=int,
            metavar="CODE",
            help="load only this province (package code, e.g. 1 for Hà Nội); repeatable",
        )
        parser.add_argument(
            "--close-absent",
            action="store_true",
            help="close (never delete) loaded units that are no longer in the package",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["json"] or options["verbosity"] == 0
        codes = options["province"]
        total = len(country_units(codes))
        bar = tqdm(total=total, unit="unit", desc="load_units", disable=quiet, file=sys.stderr)
        try:
            report = units_load(
                actor=SystemActor("load_units"),
                province_codes=codes,
                close_absent=options["close_absent"],
                progress=bar.update,
            )
        except (ValidationError, ApplicationError) as exc:
            raise CommandError(f"load_units: nothing loaded: {exc}") from exc
        finally:
            bar.close()
        if options["json"]:
            if report.absent:
                self.stderr.write(
                    f"{report.absent} previously loaded unit(s) are no longer in the package"
                    f"{' (closed)' if report.closed else ''}."
                )
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Units loaded: {report.provinces} provinces, {report.communes} communes, "
                f"{report.units_total} units ({report.created} created, {report.updated} "
                f"updated, {report.unchanged} unchanged)."
            )
        )
        if report.absent:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.absent} previously loaded unit(s) are no longer in the package; "
                    + (
                        f"{report.closed} closed."
                        if options["close_absent"]
                        else "kept open (use --close-absent to close them)."
                    )
                )
            )
