"""The watched folder of the intake (issue #7 scope 2): a scanner's "scan to folder", or
a share where the archive team drops its boxes.

``INTAKE_WATCH_DIR`` is swept every ``INTAKE_WATCH_SECONDS`` by the ``intake_sweep`` task,
for the unit ``INTAKE_WATCH_UNIT`` in the name of the clerk ``INTAKE_WATCH_USER`` (whose
permissions apply, as if they had uploaded the files):

- a register spreadsheet (``*.xlsx``) is taken in with the files its rows name, as
  ``import_scans`` would;
- a scan on its own is linked by its file name (``den-2025-123.pdf``);
- a file still being written (changed in the last ``SETTLE_SECONDS``) waits for the next
  sweep.

Nothing is lost or taken twice: a file taken in moves to ``da-nhan/<date>/``; a file
refused moves to ``khong-nhan/`` with ``<name>.ly-do.txt`` beside it saying why, and its
refusal is on the intake page too.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from lienthong.core.errors import ApplicationError
from lienthong.documents.choices import IntakeSource, IntakeState
from lienthong.documents.intake.bulk import batch_submit
from lienthong.documents.intake.register import RegisterRow, register_read
from lienthong.documents.intake.services import intake_batch_open, intake_submit

__all__ = ["DONE_DIR", "REFUSED_DIR", "SETTLE_SECONDS", "watch_folder_take"]

logger = logging.getLogger(__name__)

DONE_DIR = "da-nhan"
REFUSED_DIR = "khong-nhan"
SETTLE_SECONDS = 10
_SCANS = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def _settled(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime >= SETTLE_SECONDS
    except OSError:
        return False


def _move(path: Path, folder: Path, reason: str = "") -> None:
    """Move a handled file out of the way (keeping its place under the folder)."""
    relative = path.relative_to(folder)
    if reason:
        target = folder / REFUSED_DIR / relative
    else:
        target = folder / DONE_DIR / timezone.localdate().isoformat() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target = target.with_name(f"{target.stem}-{int(time.time())}{target.suffix}")
    shutil.move(str(path), str(target))
    if reason:
        target.with_name(target.name + ".ly-do.txt").write_text(reason + "\n", encoding="utf-8")


def _context() -> tuple[Path, Any, Any] | None:
    folder_name = getattr(settings, "INTAKE_WATCH_DIR", "")
    if not folder_name:
        return None
    folder = Path(folder_name).resolve()
    if not folder.is_dir():
        logger.error("intake: the watched folder %s does not exist", folder)
        return None
    from lienthong.org.models import Unit

    user = (
        get_user_model()
        .objects.filter(username=getattr(settings, "INTAKE_WATCH_USER", ""), is_active=True)
        .first()
    )
    unit = Unit.objects.filter(organ_id=getattr(settings, "INTAKE_WATCH_UNIT", "")).first()
    if user is None or unit is None:
        logger.error("intake: INTAKE_WATCH_USER or INTAKE_WATCH_UNIT names nobody; folder left")
        return None
    from lienthong.documents.services._common import unit_allowed

    if not unit_allowed(user, unit, "documents.add_intakebatch"):
        logger.error(
            "intake: %s may not take scans in for %s; folder left", user.username, unit.organ_id
        )
        return None
    return folder, unit, user


def watch_folder_take() -> int:
    """Take in what the watched folder holds now.

    Returns:
        How many files were taken in or refused (and moved out of the folder).
    """
    context = _context()
    if context is None:
        return 0
    folder, unit, user = context
    now = time.time()
    handled = 0
    named: set[Path] = set()
    skip = {folder / DONE_DIR, folder / REFUSED_DIR}
    for sheet in sorted(folder.glob("*.xlsx")):
        if not _settled(sheet, now):
            continue
        handled += _take_sheet(folder, sheet, unit, user, named)
    for path in sorted(folder.rglob("*")):
        if any(part in skip for part in path.parents) or not path.is_file():
            continue
        if path in named or path.suffix.lower() not in _SCANS or not _settled(path, now):
            continue
        batch = intake_batch_open(
            actor=user, unit=unit, source=IntakeSource.FOLDER, name=str(path.relative_to(folder))
        )
        item = intake_submit(
            actor=user,
            batch=batch,
            name=str(path.relative_to(folder)),
            data=path.read_bytes(),
        )
        _move(path, folder, item.reason if item.state == IntakeState.REFUSED else "")
        handled += 1
    return handled


def _take_sheet(folder: Path, sheet: Path, unit: Any, user: Any, named: set[Path]) -> int:
    try:
        rows: list[RegisterRow] = register_read(sheet.read_bytes())
    except ApplicationError as exc:
        _move(sheet, folder, str(exc.message))
        return 1
    batch = intake_batch_open(
        actor=user, unit=unit, source=IntakeSource.IMPORT, name=f"{folder.resolve()} + {sheet}"
    )
    items = batch_submit(actor=user, batch=batch, folder=folder, rows=rows, enqueue=True)
    for row, item in zip(rows, items, strict=True):
        path = (folder / row.file).resolve() if row.file else None
        if path is None or not path.is_file() or folder.resolve() not in path.parents:
            continue
        named.add(path)
        _move(path, folder, item.reason if item.state == IntakeState.REFUSED else "")
    _move(sheet, folder)
    return len(items)
