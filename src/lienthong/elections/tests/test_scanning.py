"""Scanned ballots in a round (issue #6 scope 4; vote-rules.md §B6): a multi-page PDF of
synthetic scans is uploaded, read by the task's work, the unsure ballots wait for a
person who confirms them beside the image, then the round counts; mixing scans with
typed entry, a file that is no scan and another province are refused."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lienthong.core.errors import InvalidInput
from lienthong.elections import scanning, services
from lienthong.elections.choices import Body, ElectionKind, ScanState, Team
from lienthong.elections.models import BallotRecord, JournalEntry, ScanBatch
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đỗ Văn Đức"]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "ballot_scans", ROOT / "scripts" / "ballot_scans.py"
    )
    assert spec is not None and spec.loader is not None
    if spec.name in sys.modules:
        return sys.modules[spec.name]
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def board(world: Any, settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path / "data"
    return member(UserFactory(full_name="Hoàng Văn Tư"), world.province_a, RoleCode.COUNTING_BOARD)


@pytest.fixture
def round_(board: Any, world: Any) -> Any:
    congress = services.congress_create(
        actor=board,
        unit=world.province_a,
        name="Đại hội lần thứ XVI",
        body=Body.DELEGATES,
        held_on=dt.date(2025, 10, 1),
    )
    election = services.election_create(
        actor=board, congress=congress, kind=ElectionKind.COMMITTEE, seats=3, convened=8, present=8
    )
    for name in NAMES:
        services.candidate_add(actor=board, election=election, full_name=name)
    return services.round_open(actor=board, election=election)


def _pdf_of(images: list[bytes]) -> bytes:
    """The scans as one PDF, a page per ballot (as a scanner's feeder makes it)."""
    from PIL import Image

    pages = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return out.getvalue()


def test_a_scanned_pdf_is_read_confirmed_and_counted(
    board: Any, round_: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN 8 synthetic scans of the round's ballot in one PDF
    WHEN it is uploaded (the reading is queued for a worker), the worker reads it, and a
    person confirms every ballot the reader was unsure of
    THEN there are 8 scanned records, each certain one exactly as marked, each page kept
    as an image; the count waits for the confirmations, then counts 8 ballots; the
    journal records upload, scan and review."""
    scans = list(_generator().generate(names=NAMES, seats=3, count=8, seed=11))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = scanning.scans_upload(
            actor=board, round_=round_, data=_pdf_of([s.image for s in scans]), name="to-1.pdf"
        )
    assert len(callbacks) == 1 and batch.state == ScanState.QUEUED
    assert not services.reconcile(round_).ok  # a file waits to be read

    batch = scanning.scan_batch_read(batch.pk)

    assert (batch.state, batch.pages, batch.done) == (ScanState.DONE, 8, 8)
    rows = list(BallotRecord.objects.filter(round=round_, team=Team.SCANNER).order_by("number"))
    assert [r.number for r in rows] == list(range(1, 9))
    for row, scan in zip(rows, scans, strict=True):
        assert row.scan is not None
        if not row.review:
            struck = {n for n, d in scan.truth["decisions"].items() if d == "struck"}
            assert set(row.kept or []) == set(NAMES) - struck, (row.number, scan.truth)
    check = services.reconcile(round_)
    assert check.scanned and len(check.agreed) + len(check.review) == 8
    if check.review:
        with pytest.raises(InvalidInput):
            services.round_count(actor=board, round_=round_, issued=8, received=8)
    for number in check.review:
        scanning.scan_review(
            actor=board, round_=round_, number=number, kept=["Nguyễn Văn An", "Trần Thị Bình"]
        )
    result = services.round_count(actor=board, round_=round_, issued=8, received=8)
    assert result["received"] == 8 and result["valid"] + result["invalid"] == 8
    actions = set(JournalEntry.objects.filter(round=round_).values_list("action", flat=True))
    assert {"upload", "scan", "count"} <= actions
    assert services.journal_verify(round_)


def test_scans_and_typed_entry_do_not_mix_and_bad_files_are_refused(
    board: Any, round_: Any, world: Any
) -> None:
    with pytest.raises(InvalidInput, match="PDF, PNG, JPEG or TIFF"):
        scanning.scans_upload(actor=board, round_=round_, data=b"GIF89a....", name="x.gif")
    broken = scanning.scans_upload(
        actor=board, round_=round_, data=b"%PDF-1.7\nnot really", name="hong.pdf"
    )
    broken = scanning.scan_batch_read(broken.pk)
    assert broken.state == ScanState.FAILED and broken.error
    assert not BallotRecord.objects.exists()

    scan = next(_generator().generate(names=NAMES, seats=3, count=1, seed=3))
    batch = scanning.scans_upload(actor=board, round_=round_, data=scan.image, name="1.jpg")
    scanning.scan_batch_read(batch.pk)
    with pytest.raises(InvalidInput, match="scanned"):
        services.ballot_enter(actor=board, round_=round_, team=1, number=2, kept=NAMES[:3])

    other = member(UserFactory(), world.province_b, RoleCode.COUNTING_BOARD)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(other)
    assert client.get(f"/bau-cu/lan-bau/{round_.pk}/phieu-quet/1.png").status_code == 404
    assert client.get(f"/bau-cu/lan-bau/{round_.pk}/duyet-phieu-quet/").status_code == 404


def test_the_pages_upload_show_progress_and_confirm_beside_the_image(
    board: Any, round_: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN the board on the round page
    WHEN it uploads two scans and the worker reads them
    THEN the scans section shows both read; the confirm page shows an unsure ballot
    beside its image (served as PNG), and confirming it with the keyboard's form leaves
    none waiting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(board)
    scans = list(_generator().generate(names=NAMES, seats=3, count=2, seed=5))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"/bau-cu/lan-bau/{round_.pk}/tai-phieu-quet/",
            {"scans": [SimpleUploadedFile(f"{i}{s.suffix}", s.image) for i, s in enumerate(scans)]},
        )
    assert response.status_code == 302
    page = client.get(f"/bau-cu/lan-bau/{round_.pk}/phieu-quet/").content.decode()
    assert 'data-pending="1"' in page and 'hx-trigger="every 2s"' in page
    for batch in ScanBatch.objects.all():
        scanning.scan_batch_read(batch.pk)
    page = client.get(f"/bau-cu/lan-bau/{round_.pk}/phieu-quet/").content.decode()
    assert 'data-pending="0"' in page and page.count('data-state="done"') == 2

    # Make ballot 2 wait for a person whatever the reader decided, and confirm it.
    BallotRecord.objects.filter(round=round_, number=2).update(review=True)
    review = client.get(f"/bau-cu/lan-bau/{round_.pk}/duyet-phieu-quet/").content.decode()
    assert 'id="scan-image"' in review and 'value="2"' in review
    image = client.get(f"/bau-cu/lan-bau/{round_.pk}/phieu-quet/2.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    response = client.post(
        f"/bau-cu/lan-bau/{round_.pk}/duyet-phieu-quet/", {"number": "2", "s-4": "on", "s-5": "on"}
    )
    assert response.status_code == 302
    row = BallotRecord.objects.get(round=round_, number=2)
    assert not row.review and row.reviewed_by == board
    assert row.kept == sorted(["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"])


def test_a_round_with_a_scan_waiting_is_not_typed_in(board: Any, round_: Any) -> None:
    """A scan file uploaded but not read yet already makes the round a scanned one."""
    scan = next(_generator().generate(names=NAMES, seats=3, count=1, seed=7))
    scanning.scans_upload(actor=board, round_=round_, data=scan.image, name="1.jpg")
    with pytest.raises(InvalidInput, match="scanned"):
        services.ballot_enter(actor=board, round_=round_, team=1, number=1, kept=NAMES[:3])
    assert not BallotRecord.objects.exists()
