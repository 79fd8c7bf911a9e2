"""The demo portal (``lienthong load_demo_portal``, in ``make demo``)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.audit.actors import SystemActor
from lienthong.org.demo import HANOI, demo_load
from lienthong.org.models import Unit
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture
from lienthong.portal.demo import ANNOUNCEMENTS
from lienthong.portal.models import Announcement, PublishedDocument
from lienthong.portal.selectors import announcements_public, published_documents_public
from lienthong.portal.tests.conftest import issued_document

pytestmark = pytest.mark.django_db


def test_demo_portal_loads_once(real_units: Any) -> None:  # noqa: F811
    """GIVEN the demo accounts and two issued documents of Thành ủy Hà Nội WHEN the
    command runs twice THEN five announcements are published, one draft kept, the two
    documents published, and the second run changes nothing."""
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    hanoi = Unit.objects.get(source_key=HANOI)
    issued_document(hanoi, number=3)
    issued_document(hanoi, number=4, with_pdf=False)
    out = io.StringIO()
    call_command("load_demo_portal", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["announcements"] == len(ANNOUNCEMENTS) == 5
    assert report["drafts"] == 1 and report["documents"] == 2
    assert announcements_public().count() == 5
    assert Announcement.objects.filter(state="draft").count() == 1
    assert published_documents_public().count() == 2
    again = io.StringIO()
    call_command("load_demo_portal", stdout=again)
    assert "already loaded" in again.getvalue()
    assert PublishedDocument.objects.count() == 2


def test_demo_portal_without_issued_documents_says_so(real_units: Any) -> None:  # noqa: F811
    """GIVEN the demo accounts but no issued document WHEN the command runs THEN the
    announcements load and it says the documents were skipped."""
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    out = io.StringIO()
    call_command("load_demo_portal", stdout=out)
    assert "5 announcements published" in out.getvalue()
    assert "Skipped: no issued document" in out.getvalue()


def test_demo_portal_needs_the_demo_units(db: None) -> None:
    """GIVEN no demo units WHEN the command runs THEN it fails with a one-line reason."""
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_portal")
