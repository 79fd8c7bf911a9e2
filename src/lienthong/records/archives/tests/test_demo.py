"""The demo file plan and files (``lienthong load_demo_archives``, in ``make demo``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from lienthong.audit.actors import SystemActor
from lienthong.documents.demo import demo_documents_load
from lienthong.org.demo import demo_load
from lienthong.org.models import User
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture
from lienthong.records.archives.choices import FileState, PlanState
from lienthong.records.archives.demo import demo_archives_load
from lienthong.records.archives.models import FilePlan, RecordFile
from lienthong.records.archives.selectors import files_due

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_shows_a_file_due(
    real_units: Any,  # noqa: F811
    settings: Any,
    tmp_path: Any,
    client: Any,
) -> None:
    """GIVEN the demo accounts and documents WHEN the demo archives load THEN the clerk's
    unit has an approved plan of 12 files, a few files with documents, one closed and
    one due within 30 days on the warning list; a second load adds nothing."""
    settings.DATA_DIR = tmp_path / "data"
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    demo_documents_load(actor=SystemActor("tests"), workflow=False)
    report = demo_archives_load()
    assert report.entries == 12
    plan = FilePlan.objects.get()
    assert plan.state == PlanState.APPROVED
    assert RecordFile.objects.filter(state=FileState.CLOSED).count() == report.closed >= 1
    clerk = User.objects.get(username="vanthu.hanoi")
    assert report.due_soon == 1
    assert files_due(user=clerk).count() == 1
    client.force_login(clerk)
    assert 'id="due-' in client.get(reverse("archives-due")).content.decode()
    assert demo_archives_load().skipped
    assert FilePlan.objects.count() == 1
