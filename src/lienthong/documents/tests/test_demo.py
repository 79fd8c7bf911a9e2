"""Demo documents (documents/demo.py, ``lienthong load_demo_documents``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max

from lienthong.audit.actors import SystemActor
from lienthong.documents.choices import Direction, DocumentState, FileKind
from lienthong.documents.demo import DEMO_NOTE, demo_documents_load
from lienthong.documents.models import Document, NumberCounter, Register, UnitProfile
from lienthong.documents.selectors import overdue_for
from lienthong.org.demo import demo_load
from lienthong.org.models import User
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("tests")


@pytest.fixture
def demo_accounts(real_units: Any, settings: Any, tmp_path: Any) -> Any:  # noqa: F811
    """GIVEN the real demo units and the demo accounts, an empty data directory."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CA_KEY_ALGORITHM = "ec-p256"
    settings.KEY_ALGORITHM = "ec-p256"
    settings.DOCUMENT_SIGNATURE_LEVEL = "B-T"
    demo_load(actor=ACTOR, password="mat-khau-thu-1234")
    return real_units


def test_history_is_realistic_numbered_and_idempotent(demo_accounts: Any) -> None:
    """GIVEN the demo accounts
    WHEN the demo documents are loaded (without signing), then loaded again
    THEN both demo units have Party settings and two registers; a few hundred documents
    exist, the outgoing ones numbered by the engine (each counter equals the largest
    number of its year), incoming ones assigned, some done and some overdue on the
    leader's page; the second load adds nothing."""
    report = demo_documents_load(actor=ACTOR, workflow=False)
    assert report.outgoing + report.incoming >= 300
    hanoi, hoan_kiem = demo_accounts["hanoi"], demo_accounts["hoan_kiem"]
    assert UnitProfile.objects.get(unit=hanoi).issuer_code == "TU"
    assert UnitProfile.objects.get(unit=hoan_kiem).issuer_code == "ĐU"
    assert Register.objects.filter(unit__in=[hanoi, hoan_kiem]).count() == 4

    for counter in NumberCounter.objects.filter(register__direction=Direction.OUTGOING):
        top = Document.objects.filter(
            register=counter.register, number_year=int(counter.period_key)
        ).aggregate(top=Max("code_number"))["top"]
        assert counter.last_number == top
    first = Document.objects.filter(unit=hanoi, direction=Direction.OUTGOING).earliest(
        "issued_date", "code_number"
    )
    assert first.number_line == "Số 01-" + first.code_notation
    assert first.note == DEMO_NOTE
    assert Document.objects.filter(direction=Direction.INCOMING, state=DocumentState.DONE).exists()

    leader = User.objects.get(username="lanhdao.hanoi")
    assert overdue_for(user=leader).count() > 0
    count = Document.objects.count()
    assert demo_documents_load(actor=ACTOR, workflow=False).skipped is True
    assert Document.objects.count() == count


def test_a_handful_go_through_signing_and_issuing(demo_accounts: Any, capsys: Any) -> None:
    """GIVEN the demo accounts and their certificates (load_demo_trust)
    WHEN load_demo_documents runs
    THEN three documents of Thành ủy Hà Nội are signed and issued with their numbers
    continuing the year's series, and one waits at each step of the workflow."""
    call_command("load_demo_trust", "--json")
    capsys.readouterr()
    call_command("load_demo_documents", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["signed_and_issued"] == 3, report["warnings"]
    assert report["in_workflow"] == 4
    issued = Document.objects.filter(
        unit=demo_accounts["hanoi"], state=DocumentState.ISSUED, note=""
    )
    assert issued.count() == 3
    for document in issued:
        assert document.files.filter(kind=FileKind.SIGNED).count() == 2
        assert document.number_line.endswith("-CV/TU")
    states = set(
        Document.objects.filter(direction=Direction.OUTGOING, note="").values_list(
            "state", flat=True
        )
    )
    assert {DocumentState.DRAFT, DocumentState.SUBMITTED, DocumentState.APPROVED} <= states
    assert DocumentState.SIGNED in states


def test_refuses_without_demo_accounts(real_units: Any) -> None:  # noqa: F811
    """GIVEN no demo accounts WHEN loading THEN a clear error and nothing created."""
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_documents")
    assert not Document.objects.exists()
    assert not UnitProfile.objects.exists()


def test_the_demo_queues_scans_of_paper_letters_for_the_intake(
    demo_accounts: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN the demo documents loaded THEN three scans of Hoàn Kiếm's latest paper
    letters wait in the intake, named after their arrival numbers, each reading task
    handed to the intake worker; read, a scan lands on its own letter."""
    from lienthong.documents.choices import FileKind, IntakeState
    from lienthong.documents.intake.services import intake_read
    from lienthong.documents.models import IntakeFile
    from lienthong.documents.tests.test_intake import _tesseract_vie

    with django_capture_on_commit_callbacks() as queued:
        report = demo_documents_load(actor=ACTOR, workflow=False)
    assert report.scans_queued == 3
    items = list(IntakeFile.objects.order_by("pk"))
    assert [i.state for i in items] == [IntakeState.QUEUED] * 3
    assert all(
        i.name.startswith("den-") and i.batch.created_by.username == "vanthu.hoankiem"
        for i in items
    )
    assert len(queued) >= 3  # the readings (and the search index) wait for the commit
    _tesseract_vie()
    with django_capture_on_commit_callbacks(execute=True):
        done = intake_read(items[0].pk)
    assert done is not None and done.state == IntakeState.DONE, done.reason if done else None
    _, year, number = items[0].name.removesuffix(".png").split("-")
    assert done.document.arrival_year == int(year)
    assert done.document.arrival_number == int(number)
    assert done.document.files.filter(kind=FileKind.DIGITISED).count() == 1
