"""Fixtures of the library tests: the Party document types, a clerk who keeps the
library of commune A1, readers with and without clearance, and PDFs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from lienthong.core.choices import Clearance
from lienthong.records.library.choices import Visibility


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _index_dir(settings: Any, tmp_path: Path) -> Iterator[None]:
    """GIVEN a fresh search index folder for every test (as the documents tests do)."""
    from lienthong.documents.search import reset_backend

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    reset_backend()
    yield
    reset_backend()


def party_type(name: str) -> Any:
    """A built-in Party document type (loaded again if a transactional test flushed them)."""
    from lienthong.documents.models import DocumentType
    from lienthong.documents.types_data import builtin_types_load

    if not DocumentType.objects.exists():
        builtin_types_load(DocumentType)
    return DocumentType.objects.get(convention="party", name=name)


def sample(text: str = "Nghi quyet ve chuyen doi so") -> bytes:
    """A small PDF whose text layer holds ``text`` (ASCII)."""
    from lienthong.trust.pades.samples import sample_pdf

    return sample_pdf(title=text)


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    """GIVEN the clerk of commune A1 (keeps), a specialist of commune A2 and one of
    province B (read only, no clearance), the leader of province A (clearance Mật) and
    a person cleared for Tối mật in province B."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.models import Role
    from lienthong.org.tests.factories import UserFactory, member

    cleared = Role.objects.create(code="secret-reader", name="Cleared", clearance=Clearance.SECRET)
    from lienthong.org.models import RoleGrant

    RoleGrant.objects.create(role=cleared, permission="library.view_publication", scope="all")
    return {
        "clerk": world.clerk_a1,
        "other_clerk": world.clerk_b1,
        "specialist": member(UserFactory(username="cv.a2"), world.commune_a2, RoleCode.SPECIALIST),
        "specialist_b": member(
            UserFactory(username="cv.b1"), world.commune_b1, RoleCode.SPECIALIST
        ),
        "leader": world.leader_a,
        "secret_reader": member(UserFactory(username="tm.b"), world.province_b, "secret-reader"),
        "outsider": world.outsider,
    }


def make(unit: Any, *, actor: Any = None, **values: Any) -> Any:
    """A publication entered through the service (``actor`` defaults to a system actor)."""
    from lienthong.audit.actors import SystemActor
    from lienthong.records.library.services import publication_create

    fields: dict[str, Any] = {
        "document_type": party_type("Nghị quyết"),
        "number": 57,
        "notation": "NQ/TW",
        "issued_on": dt.date(2024, 12, 22),
        "issuer_name": "Bộ Chính trị",
        "title": (
            "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"
        ),
        "term": "XIII",
        "visibility": Visibility.INTERNAL,
    }
    fields.update(values)
    return publication_create(actor=actor or SystemActor("tests"), unit=unit, **fields)
