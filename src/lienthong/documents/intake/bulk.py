"""A folder of scans with its register spreadsheet (issue #7 scope 2), taken in row by
row; shared by ``lienthong import_scans`` and the watched folder.

Resumable by construction: a row is taken in once per batch (``IntakeFile`` is unique on
batch and row), so a re-run skips the rows already taken in and reads the ones still
waiting or left "being read" by the run that was killed. A row's problem (a missing
file, a bad date, a file that is not a scan) is recorded on its row and the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from lienthong.audit.services import Actor
from lienthong.documents.choices import IntakeState
from lienthong.documents.intake.register import RegisterRow
from lienthong.documents.intake.services import intake_submit
from lienthong.documents.models import IntakeBatch, IntakeFile

__all__ = ["batch_submit", "batch_waiting"]


def _inside(folder: Path, name: str) -> Path | None:
    """``folder / name`` when it stays inside ``folder`` (no ``..`` or absolute escape)."""
    root = folder.resolve()
    path = (root / name).resolve()
    return path if path == root or root in path.parents else None


def batch_submit(
    *,
    actor: Actor,
    batch: IntakeBatch,
    folder: Path,
    rows: Iterable[RegisterRow],
    enqueue: bool,
    progress: Callable[[IntakeFile], Any] | None = None,
) -> list[IntakeFile]:
    """Take in each row's file (the rows already in the batch are skipped).

    Args:
        actor: the clerk.
        batch: the batch (a re-run passes the same one: ``intake_batch_open``).
        folder: where the rows' files are (a row names a path relative to it).
        rows: the register rows (``register.register_read``).
        enqueue: hand the reading to the task workers.
        progress: called with each row's ``IntakeFile`` (skipped rows too).

    Returns:
        The batch's rows for these register rows, in order.
    """
    taken = {item.row: item for item in IntakeFile.objects.filter(batch=batch, row__isnull=False)}
    result: list[IntakeFile] = []
    for row in rows:
        item = taken.get(row.row)
        if item is not None:
            result.append(item)
            if progress is not None:
                progress(item)
            continue
        problem = " ".join(row.errors)
        data: bytes | None = None
        path = _inside(folder, row.file) if row.file else None
        if not problem:
            if path is None:
                problem = _("The file “%(name)s” is outside the folder.") % {"name": row.file}
            elif not path.is_file():
                problem = _("The file “%(name)s” is not in the folder.") % {"name": row.file}
            else:
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    problem = _("The file “%(name)s” cannot be read: %(error)s") % {
                        "name": row.file,
                        "error": exc.strerror or type(exc).__name__,
                    }
        item = intake_submit(
            actor=actor,
            batch=batch,
            name=row.file or f"#{row.row}",
            data=data,
            entry=row.entry,
            row=row.row,
            problem=problem,
            enqueue=enqueue,
        )
        result.append(item)
        if progress is not None:
            progress(item)
    return result


def batch_waiting(batch: IntakeBatch) -> list[int]:
    """The batch's rows still to read: waiting, or left "being read" by a killed run."""
    return list(
        IntakeFile.objects.filter(batch=batch, state__in=(IntakeState.QUEUED, IntakeState.RUNNING))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
