# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""The digitisation intake pages (issue #7 scopes 2 and 3): the upload form without
JavaScript, the two JSON endpoints the script uses, the queue, "read again", and the
scope of each (out of reach: 404).

OCR never runs here: the pages only queue the reading, which the tests check by the
``read_scan`` task enqueued when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from lienthong.documents.choices import Direction, IntakeState
from lienthong.documents.intake import pipeline
from lienthong.documents.intake.contract import IntakeRefused
from lienthong.documents.intake.services import intake_read
from lienthong.documents.models import Document, IntakeBatch, IntakeFile
from lienthong.documents.tasks import read_scan
from lienthong.documents.tests.register_helpers import received, register
from lienthong.documents.tests.workflow_helpers import storage  # noqa: F401  (fixture)

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 this program cannot be run in DOS mode"
INTAKE = "/van-ban/so-hoa/"
BATCH = "/van-ban/so-hoa/lo/"
UPLOAD = "/van-ban/so-hoa/tai-len/"
QUEUE = "/van-ban/so-hoa/hang-doi/"
NO_ENTRY = "No register entry"
NOT_A_SCAN = "not a PDF, PNG, JPEG or TIFF"


def _client(user: Any = None) -> Client:
    """A client speaking English (messages are asserted as msgids), logged in as ``user``."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _png(width: int = 400) -> bytes:
    """A small valid scan (white, 200 dpi): enough for the cheap checks; each width is
    other content (the intake reports the same content twice as a duplicate)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, 560), 255).save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def _file(name: str, data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture
def entry(world: Any, storage: Any) -> Document:
    """GIVEN arrival number 1 of 2025 in the incoming register of Hoàn Kiếm."""
    incoming = register(world.commune_a1, direction=Direction.INCOMING, name="Sổ văn bản đến")
    return received(
        world.commune_a1,
        world.clerk_a1,
        incoming,
        arrival_number=1,
        arrived=dt.date(2025, 3, 10),
        arrival_year=2025,
        issuer_name="Văn phòng Thành ủy",
        number=125,
        notation="CV/TU",
        issued_on=dt.date(2025, 3, 5),
        subject="V/v triển khai phần mềm quản lý văn bản",
    )


def _enqueued(item: IntakeFile) -> int:
    """How many ``read_scan`` tasks wait for this row."""
    return sum(
        1
        for task in DBTaskResult.objects.filter(task_path=read_scan.module_path)
        if list(task.args_kwargs.get("args", [])) == [item.pk]
    )


def _upload_two(world: Any, capture: Any) -> tuple[Client, IntakeFile, IntakeFile]:
    """The clerk of Hoàn Kiếm sends a valid scan and a renamed program, without script."""
    client = _client(world.clerk_a1)
    with capture(execute=True) as callbacks:
        response = client.post(
            INTAKE,
            {
                "unit": world.commune_a1.pk,
                "files": [_file("den-2025-1.png", _png()), _file("x.pdf", EXE)],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = IntakeBatch.objects.get()
    assert response["Location"] == f"{QUEUE}?lo={batch.pk}"
    assert len(callbacks) == 1  # one reading enqueued: the refused file is never read
    scan = IntakeFile.objects.get(name="den-2025-1.png")
    exe = IntakeFile.objects.get(name="x.pdf")
    return client, scan, exe


def test_a_clerk_uploads_a_scan_and_a_renamed_program_without_javascript(
    world: Any, entry: Document, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN arrival 1 of 2025 in Hoàn Kiếm's register
    WHEN its clerk posts the form (no script) with den-2025-1.png and a .exe renamed x.pdf
    THEN the scan waits to be read with a read_scan task enqueued and the entry it names;
    the program is refused, stored nowhere, with its reason on the queue page, and the
    message counts 2 files received, 1 refused."""
    client, scan, exe = _upload_two(world, django_capture_on_commit_callbacks)

    assert scan.state == IntakeState.QUEUED and scan.original_id is not None
    assert scan.unit == world.commune_a1 and scan.batch.created_by == world.clerk_a1
    assert scan.entry == {"direction": "incoming", "arrival_year": 2025, "arrival_number": 1}
    assert _enqueued(scan) == 1
    assert exe.state == IntakeState.REFUSED and exe.original_id is None
    assert NOT_A_SCAN in exe.reason
    assert _enqueued(exe) == 0

    page = client.get(f"{QUEUE}?lo={scan.batch_id}")  # where the form sent the clerk
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 files received, 1 refused." in html
    assert f'id="intake-{scan.pk}" data-state="queued"' in html
    assert f'id="intake-{exe.pk}" data-state="refused"' in html
    assert NOT_A_SCAN in html
    assert 'hx-trigger="every 3s"' in html  # a file waits: the table refreshes itself
    assert f'id="retry-{exe.pk}"' not in html  # nothing arrived to read again


def test_the_queue_filters_by_state_and_stops_refreshing_when_nothing_waits(
    world: Any, entry: Document, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN a queued scan and a refused file
    WHEN the queue is filtered on refused, then read as htmx does
    THEN only the refused row shows and, nothing waiting among them, no refresh is asked;
    the htmx answer is the partial alone."""
    client, scan, exe = _upload_two(world, django_capture_on_commit_callbacks)

    refused = client.get(QUEUE, {"trang-thai": "refused"}).content.decode()
    assert f'id="intake-{exe.pk}"' in refused and f'id="intake-{scan.pk}"' not in refused
    assert "every 3s" not in refused
    assert 'id="count-queued">1<' in refused and 'id="count-refused">1<' in refused

    partial = client.get(QUEUE, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert body.startswith('<div id="intake-queue"') and "<html" not in body
    assert 'hx-trigger="every 3s"' in body
    assert "HX-Request" in partial["Vary"]


def test_the_json_endpoints_open_a_batch_and_take_one_file(
    world: Any, entry: Document, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN the clerk of Hoàn Kiếm
    WHEN the script opens a batch, then sends a scan and a renamed program one by one
    THEN the batch's id comes back, and each file's answer gives its state, its label
    and its reason; a batch for a unit out of reach is refused with a message."""
    client = _client(world.clerk_a1)
    opened = client.post(BATCH, {"unit": world.commune_a1.pk})
    assert opened.status_code == 200
    batch = opened.json()["batch"]
    assert IntakeBatch.objects.get(pk=batch).unit == world.commune_a1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        good = client.post(UPLOAD, {"batch": batch, "file": _file("den-2025-1.png", _png())})
    assert good.status_code == 200
    body = good.json()
    assert body["state"] == "queued" and body["state_label"] == "waiting"
    assert body["name"] == "den-2025-1.png" and body["reason"] == ""
    assert len(callbacks) == 1 and _enqueued(IntakeFile.objects.get(pk=body["id"])) == 1

    bad = client.post(UPLOAD, {"batch": batch, "file": _file("x.pdf", EXE)}).json()
    assert bad["state"] == "refused" and bad["state_label"] == "refused"
    assert NOT_A_SCAN in bad["reason"]

    unnamed = client.post(UPLOAD, {"batch": batch, "file": _file("scan-001.png", _png(401))})
    assert unnamed.json()["state"] == "refused" and NO_ENTRY in unnamed.json()["reason"]

    elsewhere = client.post(BATCH, {"unit": world.commune_b1.pk})
    assert elsewhere.status_code == 400 and elsewhere.json()["error"]
    assert client.post(UPLOAD, {"batch": batch}).json() == {"error": "Choose the scan files."}


def test_a_bad_register_spreadsheet_opens_no_batch(world: Any, storage: Any) -> None:
    """GIVEN a file that is not a register spreadsheet
    WHEN it is given with the batch THEN the answer says why and no batch is left open."""
    response = _client(world.clerk_a1).post(
        BATCH, {"unit": world.commune_a1.pk, "register": _file("so.xlsx", b"not a workbook")}
    )
    assert response.status_code == 400 and response.json()["error"]
    assert not IntakeBatch.objects.exists()


def test_a_clerk_of_another_unit_sees_nothing_and_gets_404(
    world: Any, entry: Document, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN Hoàn Kiếm's batch with a queued scan and a refused file
    WHEN the clerk of Nghi Lộc (another province) reads the queue, retries, uploads into
    that batch or opens the intake for Hoàn Kiếm's document
    THEN the queue shows none of the rows, and every attempt answers 404 and changes
    nothing."""
    _response, scan, exe = _upload_two(world, django_capture_on_commit_callbacks)
    other = _client(world.clerk_b1)

    queue = other.get(QUEUE).content.decode()
    assert "den-2025-1.png" not in queue and "x.pdf" not in queue
    assert 'id="intake-empty"' in queue
    batch_page = other.get(f"{QUEUE}?lo={scan.batch_id}").content.decode()
    assert f'id="intake-{scan.pk}"' not in batch_page and 'id="intake-batch"' not in batch_page

    assert other.post(f"/van-ban/so-hoa/{exe.pk}/doc-lai/").status_code == 404
    upload = other.post(UPLOAD, {"batch": scan.batch_id, "file": _file("den-2025-1.png", EXE)})
    assert upload.status_code == 404
    assert other.get(INTAKE, {"document": entry.pk}).status_code == 404
    assert IntakeFile.objects.count() == 2


def test_anonymous_visitors_are_sent_to_log_in(world: Any) -> None:
    """GIVEN no session WHEN the intake pages are asked for THEN each redirects to the
    log-in page and nothing is taken in."""
    client = _client()
    for method, url in (("get", INTAKE), ("get", QUEUE), ("post", UPLOAD), ("post", BATCH)):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dang-nhap/"), url
    assert not IntakeBatch.objects.exists()


def test_retry_of_a_refused_reading_queues_it_again(
    world: Any,
    entry: Document,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a scan refused while being read (it arrived: its original is kept)
    WHEN the queue is shown and its clerk presses "Read again"
    THEN the button is there, the row waits again with a new read_scan task, and a
    message says so; pressing it on a row that is not refused changes nothing."""
    _response, scan, _exe = _upload_two(world, django_capture_on_commit_callbacks)

    def blank(**_kwargs: Any) -> Any:
        raise IntakeRefused("The page is blank.")

    monkeypatch.setattr(pipeline, "intake_run", blank)
    intake_read(scan.pk)
    scan.refresh_from_db()
    assert scan.state == IntakeState.REFUSED and scan.original_id is not None

    client = _client(world.clerk_a1)
    page = client.get(QUEUE).content.decode()
    assert f'id="retry-{scan.pk}"' in page and "The page is blank." in page
    assert "every 3s" not in page

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/van-ban/so-hoa/{scan.pk}/doc-lai/", follow=True)
    scan.refresh_from_db()
    assert scan.state == IntakeState.QUEUED and scan.reason == ""
    assert len(callbacks) == 1 and _enqueued(scan) == 2  # the first reading, and this one
    assert "“den-2025-1.png” will be read again." in response.content.decode()

    again = client.post(f"/van-ban/so-hoa/{scan.pk}/doc-lai/", follow=True)
    assert "Only a refused scan can be read again." in again.content.decode()
    scan.refresh_from_db()
    assert scan.state == IntakeState.QUEUED


def test_a_digitised_copy_from_the_document_page(
    world: Any, entry: Document, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN an incoming document of Hoàn Kiếm
    WHEN its clerk opens it THEN it offers "Add a digitised copy", which opens the intake
    for that document; a scan sent there (whatever its name) is linked to it. A leader
    of the province, who may see the document but not take scans in, gets no link.
    The clerk page links to the intake."""
    clerk = _client(world.clerk_a1)
    detail = clerk.get(f"/van-ban/{entry.pk}/").content.decode()
    assert f'href="{INTAKE}?document={entry.pk}" id="add-digitised"' in detail
    leader = _client(world.leader_a).get(f"/van-ban/{entry.pk}/")
    assert leader.status_code == 200 and 'id="add-digitised"' not in leader.content.decode()
    assert 'id="intake-link"' in clerk.get("/van-ban/van-thu/").content.decode()

    form = clerk.get(INTAKE, {"document": entry.pk}).content.decode()
    assert 'id="intake-for-document"' in form and entry.subject in form
    assert f'name="document" value="{entry.pk}"' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            f"{INTAKE}?document={entry.pk}",
            {
                "unit": world.commune_a1.pk,
                "document": entry.pk,
                "files": [_file("scan-001.png", _png())],
            },
        )
    assert response.status_code == 302
    item = IntakeFile.objects.get()
    assert item.document == entry and item.state == IntakeState.QUEUED
    assert _client(world.leader_a).get(INTAKE, {"document": entry.pk}).status_code == 404


def test_the_form_without_files_says_so(world: Any, storage: Any) -> None:
    """GIVEN the intake page WHEN it is posted without a file THEN it says what is
    missing and opens no batch."""
    client = _client(world.clerk_a1)
    page = client.get(INTAKE).content.decode()
    assert 'id="intake-files"' in page and "multiple" in page and ".tiff" in page
    assert f'<option value="{world.commune_a1.pk}" selected>' in page
    response = client.post(INTAKE, {"unit": world.commune_a1.pk})
    assert response.status_code == 200
    assert "Choose the scan files." in response.content.decode()
    assert not IntakeBatch.objects.exists()


def test_sealing_the_copies_needs_the_second_factor(world: Any, storage: Any) -> None:
    """GIVEN a clerk whose session has no second factor WHEN they ask for sealed copies
    THEN the form says why under the seal box and nothing is taken in."""
    client = _client(world.clerk_a1)
    response = client.post(
        INTAKE,
        {"unit": world.commune_a1.pk, "seal": "on", "files": [_file("den-2025-1.png", _png())]},
    )
    assert response.status_code == 200
    assert "Sealing the copies needs your second factor." in response.content.decode()
    assert not IntakeBatch.objects.exists()
    assert not IntakeFile.objects.exists()
    answer = client.post(BATCH, {"unit": world.commune_a1.pk, "seal": "on"})
    assert answer.status_code == 400
    assert "second factor" in answer.json()["error"]
