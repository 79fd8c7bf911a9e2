"""The demo library (``lienthong load_demo_library``, in ``make demo``)."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.audit.actors import SystemActor
from lienthong.org.demo import demo_load
from lienthong.org.models import User
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture
from lienthong.records.library.choices import PublicationStatus
from lienthong.records.library.demo import DEMO, RELATIONS, demo_library_load
from lienthong.records.library.models import Publication
from lienthong.records.library.selectors import publication_search, publications_public

pytestmark = pytest.mark.django_db


def test_the_demo_library_loads_once_with_pdfs_and_relations(real_units: Any) -> None:  # noqa: F811
    """GIVEN the real units and demo accounts WHEN the demo library is loaded twice
    THEN the publications are entered once, each with a PDF whose text layer reads its
    number, QĐ 66 shows "replaced", and a demo specialist finds "57-NQ/TW" and
    "chuyen doi so"."""
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    report = demo_library_load()
    assert report.publications == len(DEMO) == Publication.objects.count()
    assert report.relations == len(RELATIONS)
    assert demo_library_load().skipped
    nq57 = Publication.objects.get(number=57)
    assert nq57.file is not None
    assert "57-NQ/TW" in nq57.text_content
    assert Publication.objects.get(number=66, notation="QĐ/TW").effective_status() == (
        PublicationStatus.REPLACED
    )
    assert publications_public().count() == len(DEMO)
    reader = User.objects.get(username="chuyenvien.hanoi")
    from lienthong.documents.search import collection_rebuild

    collection_rebuild("library")
    rows, _result = publication_search(user=reader, query="57-NQ/TW")
    assert [p.pk for p in rows] == [nq57.pk]
    rows, _result = publication_search(user=reader, query="chuyen doi so")
    assert nq57.pk in {p.pk for p in rows}
