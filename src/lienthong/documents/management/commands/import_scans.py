"""``lienthong import_scans DIR --register FILE.xlsx``: a box of paper archives, scanned,
into searchable PDF/A copies linked to their register entries (issue #7 scope 2).

Each row of the spreadsheet names a file in DIR and its register data
(``documents.intake.register``). Without ``--register``, every scan in DIR is taken in
and linked by its file name (``den-2025-123.pdf``: arrival 123 of 2025). The files are
read here, ``--jobs`` at a time (one OCR process each), with a progress bar showing the
rate and what is left; ``--background`` hands them to the intake task workers instead.

Resumable: the folder and spreadsheet are one batch, and a row is taken in once per
batch. Run the same command again after an interruption: the rows done are skipped,
the rest are read, and a file that was being read when the run was killed is read again
(its half-finished reading was never written: it is all or nothing).
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import translation
from tqdm import tqdm

from lienthong.core.errors import ApplicationError
from lienthong.documents.choices import IntakeSource, IntakeState
from lienthong.documents.intake.bulk import batch_submit, batch_waiting
from lienthong.documents.intake.register import RegisterRow, register_read
from lienthong.documents.intake.services import intake_batch_open, intake_read
from lienthong.documents.models import IntakeFile
from lienthong.org.models import Unit

SCAN_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def _read_one(pk: int) -> tuple[int, str]:
    """Read one file in a pool process (a forked child opens its own connection)."""
    item = intake_read(pk, take_over=True)
    return pk, item.state if item is not None else ""


def _child_started() -> None:
    # The parent's connections were closed before the fork; make sure none is reused.
    for connection in connections.all(initialized_only=True):
        connection.close()


class Command(BaseCommand):
    help = (
        "Take a folder of scanned documents in: OCR to searchable PDF/A-2b, each linked to "
        "its register entry (from the --register spreadsheet, or by the file name "
        "den-YYYY-N / di-YYYY-N). Re-run the same command to finish an interrupted import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", metavar="DIR", help="the folder of scans")
        parser.add_argument(
            "--register", metavar="FILE.xlsx", help="the register spreadsheet naming the files"
        )
        parser.add_argument(
            "--unit", required=True, metavar="ORGAN_ID_OR_PK", help="the unit's mã định danh or id"
        )
        parser.add_argument(
            "--user", required=True, metavar="USERNAME", help="the clerk the import is for"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="files read at once (default LIENTHONG_INTAKE_WORKERS; one core each)",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the files for the intake task workers instead of reading them here",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"import_scans: no such folder: {folder}")
        jobs = options["jobs"] or int(getattr(settings, "INTAKE_WORKERS", 1))
        if not 1 <= jobs <= 64:
            raise CommandError(f"import_scans: --jobs must be between 1 and 64, got {jobs}")
        # The readers of this run share the cores (steps.ocr_jobs).
        settings.INTAKE_WORKERS = jobs
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"import_scans: no such user: {options['user']}")
        unit = self._unit(options["unit"], user)
        rows, name = self._rows(folder, options["register"])
        quiet = options["json"] or options["verbosity"] == 0
        try:
            batch = intake_batch_open(actor=user, unit=unit, source=IntakeSource.IMPORT, name=name)
            bar = tqdm(
                total=len(rows), unit="file", desc="taking in", disable=quiet, file=sys.stderr
            )
            with bar:
                items = batch_submit(
                    actor=user,
                    batch=batch,
                    folder=folder,
                    rows=rows,
                    enqueue=options["background"],
                    progress=lambda item: bar.update(1),
                )
        except ApplicationError as exc:
            raise CommandError(f"import_scans: {exc.message}") from exc
        waiting = batch_waiting(batch)
        if not options["background"] and waiting:
            self._read(waiting, jobs=jobs, quiet=quiet)
        self._report(batch.pk, [item.pk for item in items], as_json=options["json"])

    def _unit(self, value: str, user: Any) -> Unit:
        units = Unit.objects.restrict(user, "view")
        unit = units.filter(organ_id=value).first()
        if unit is None and value.isdigit():
            unit = units.filter(pk=int(value)).first()
        if unit is None:
            raise CommandError(f"import_scans: no such unit for {user.username}: {value}")
        return unit

    def _rows(self, folder: Path, register: str | None) -> tuple[list[RegisterRow], str]:
        if register:
            path = Path(register)
            if not path.is_file():
                raise CommandError(f"import_scans: no such spreadsheet: {path}")
            try:
                rows = register_read(path.read_bytes())
            except ApplicationError as exc:
                raise CommandError(f"import_scans: {path.name}: {exc.message}") from exc
            return rows, f"{folder.resolve()} + {path.resolve()}"
        scans = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES
        )
        # Without a spreadsheet, the file's place in the sorted folder is its "row".
        rows = [
            RegisterRow(row=number, file=str(p.relative_to(folder)))
            for number, p in enumerate(scans, start=2)
        ]
        return rows, str(folder.resolve())

    def _read(self, waiting: list[int], *, jobs: int, quiet: bool) -> None:
        counts: Counter[str] = Counter()
        bar = tqdm(total=len(waiting), unit="file", desc="reading", disable=quiet, file=sys.stderr)
        with bar:
            if jobs == 1:
                for pk in waiting:
                    _, state = _read_one(pk)
                    counts[state] += 1
                    bar.set_postfix(refused=counts[IntakeState.REFUSED], refresh=False)
                    bar.update(1)
                return
            # One OCR per process (OCRmyPDF runs one at a time in a process): fork the
            # readers after closing this process's connections.
            connections.close_all()
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=_child_started
            ) as pool:
                futures = [pool.submit(_read_one, pk) for pk in waiting]
                for future in as_completed(futures):
                    _, state = future.result()
                    counts[state] += 1
                    bar.set_postfix(refused=counts[IntakeState.REFUSED], refresh=False)
                    bar.update(1)

    def _report(self, batch_id: int, ids: list[int], *, as_json: bool) -> None:
        items = list(
            IntakeFile.objects.filter(pk__in=ids).order_by("row", "pk").select_related("document")
        )
        counts = Counter(item.state for item in items)
        problems = [item for item in items if item.state != IntakeState.DONE]
        if as_json:
            report = {
                "batch": batch_id,
                "files": len(items),
                "states": dict(counts),
                "problems": [
                    {"row": i.row, "file": i.name, "state": i.state, "reason": i.reason}
                    for i in problems
                ],
            }
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            for item in problems:
                where = f"row {item.row}: " if item.row else ""
                label = IntakeState(item.state).label
                self.stdout.write(f"{where}{item.name}: {label}: {item.reason}")
            summary = ", ".join(f"{IntakeState(s).label} {n}" for s, n in sorted(counts.items()))
            self.stdout.write(f"{len(items)} file(s): {summary}.")
        if counts.get(IntakeState.REFUSED):
            sys.exit(1)
