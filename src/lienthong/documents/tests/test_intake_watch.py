"""The watched folder of the intake (issue #7 scope 2): what a scanner drops is taken in
for the configured unit in the name of its clerk; nothing is lost or taken twice.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lienthong.documents.choices import Direction, DocumentState, IntakeSource
from lienthong.documents.choices import IntakeState as S
from lienthong.documents.intake.watch import DONE_DIR, REFUSED_DIR, watch_folder_take
from lienthong.documents.models import Document, IntakeBatch, IntakeFile, Register
from lienthong.documents.tests.register_helpers import doc_type
from lienthong.documents.tests.workflow_helpers import storage  # noqa: F401  (fixture)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (300, 400), 255).save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def _old(path: Path, data: bytes) -> Path:
    """A file written a minute ago (settled: the scanner has finished writing it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


@pytest.fixture
def folder(world: Any, storage: Path, settings: Any, tmp_path: Path) -> Path:  # noqa: F811
    """GIVEN Hoàn Kiếm's watched folder, acting as its clerk, and arrival 1 of 2025."""
    unit = world.commune_a1
    unit.organ_id = "000.01.02.H26"
    unit.save()
    Register.objects.create(unit=unit, direction=Direction.INCOMING, name="Sổ đến")
    Document.objects.create(
        unit=unit,
        direction=Direction.INCOMING,
        state=DocumentState.DONE,
        document_type=doc_type("party", "Công văn"),
        subject="Về việc thử thư mục theo dõi",
        issuer_name="Thành ủy Hà Nội",
        arrival_number=1,
        arrival_year=2025,
        arrival_date=timezone.make_aware(dt.datetime(2025, 3, 2, 9)),
        created_by=world.clerk_a1,
    )
    watch = tmp_path / "watch"
    watch.mkdir()
    settings.INTAKE_WATCH_DIR = str(watch)
    settings.INTAKE_WATCH_UNIT = unit.organ_id
    settings.INTAKE_WATCH_USER = world.clerk_a1.username
    return watch


def test_the_folder_takes_in_what_settled_and_quarantines_what_it_refuses(
    folder: Path, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from openpyxl import Workbook

    _old(folder / "den-2025-1.png", _png())
    _old(folder / "IMG_0001.png", _png() + b"\x00")  # other content, no entry
    _old(folder / "ghi-chu.txt", b"not a scan")  # not a scan: left alone
    fresh = folder / "den-2025-2.png"
    fresh.write_bytes(_png() + b"\x01")  # still being written: the next sweep
    book = Workbook()
    book.active.append(["Tệp", "Loại sổ", "Số", "Ký hiệu", "Trích yếu", "Tác giả"])
    book.active.append(["hop/a.png", "đến", 7, "CV/TU", "Về việc A", "Thành ủy Hà Nội"])
    book.active.append(["hop/khong-co.png", "đến", 8, "CV/TU", "Về việc B", "Thành ủy Hà Nội"])
    sheet = io.BytesIO()
    book.save(sheet)
    _old(folder / "hop" / "a.png", _png() + b"\x02")
    _old(folder / "so-den.xlsx", sheet.getvalue())

    with django_capture_on_commit_callbacks() as queued:
        taken = watch_folder_take()

    assert taken == 4  # two loose scans, two spreadsheet rows
    states = dict(IntakeFile.objects.values_list("name", "state"))
    assert states == {
        "den-2025-1.png": S.QUEUED,
        "IMG_0001.png": S.REFUSED,
        "hop/a.png": S.QUEUED,
        "hop/khong-co.png": S.REFUSED,
    }
    assert len(queued) == 2  # two readings handed to the intake workers
    assert set(IntakeBatch.objects.values_list("source", flat=True)) == {
        IntakeSource.FOLDER,
        IntakeSource.IMPORT,
    }
    assert all(i.created_by == world.clerk_a1 for i in IntakeBatch.objects.all())
    # Taken in: moved under da-nhan/<date>/; refused: quarantined with the reason.
    day = timezone.localdate().isoformat()
    assert (folder / DONE_DIR / day / "den-2025-1.png").is_file()
    assert (folder / DONE_DIR / day / "hop" / "a.png").is_file()
    assert (folder / DONE_DIR / day / "so-den.xlsx").is_file()
    assert (folder / REFUSED_DIR / "IMG_0001.png").is_file()
    reason = (folder / REFUSED_DIR / "IMG_0001.png.ly-do.txt").read_text("utf-8")
    assert "den-2025-123.pdf" in reason
    # Left where they were: the file still being written and what is not a scan.
    assert fresh.is_file()
    assert (folder / "ghi-chu.txt").is_file()

    # The next sweep takes only the file that has settled since.
    os.utime(fresh, (time.time() - 60, time.time() - 60))
    assert watch_folder_take() == 1
    assert IntakeFile.objects.count() == 5
    assert not fresh.exists()


def test_a_folder_configured_for_nobody_takes_nothing(folder: Path, settings: Any) -> None:
    settings.INTAKE_WATCH_USER = "nobody"
    _old(folder / "den-2025-1.png", _png())
    assert watch_folder_take() == 0
    assert (folder / "den-2025-1.png").is_file()
    assert not IntakeFile.objects.exists()


def test_a_clerk_without_the_right_in_the_unit_takes_nothing(
    folder: Path, settings: Any, world: Any
) -> None:
    """The folder acts with its clerk's permissions: a clerk of another unit is refused."""
    settings.INTAKE_WATCH_USER = world.clerk_b1.username
    _old(folder / "den-2025-1.png", _png())
    assert watch_folder_take() == 0
    assert (folder / "den-2025-1.png").is_file()
    assert not IntakeFile.objects.exists()
