"""Fixtures of the portal tests: English messages, a fresh search index and file store,
the people of the ``world`` who write, publish and see announcements, and helpers that
make announcements, issued documents and library publications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> Iterator[None]:
    """GIVEN a fresh search index and data directory for every test."""
    from lienthong.documents.search import reset_backend

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.DATA_DIR = tmp_path / "data"
    reset_backend()
    yield
    reset_backend()


@pytest.fixture
def anonymous() -> Client:
    """GIVEN a visitor's browser asking for English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    """GIVEN in province A (Tỉnh ủy Hà Nội): its leader, a clerk and a specialist;
    the clerk of province B; someone without a role."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    return {
        "leader": world.leader_a,
        "clerk": member(
            UserFactory(full_name="Văn thư Thành ủy"), world.province_a, RoleCode.CLERK
        ),
        "specialist": member(
            UserFactory(full_name="Chuyên viên Thành ủy"), world.province_a, RoleCode.SPECIALIST
        ),
        "clerk_b": member(
            UserFactory(full_name="Văn thư Nghệ An"), world.province_b, RoleCode.CLERK
        ),
        "leader_b": member(
            UserFactory(full_name="Lãnh đạo Nghệ An"), world.province_b, RoleCode.LEADER
        ),
        "outsider": world.outsider,
    }


def announcement(unit: Any, *, state: str = "published", **values: Any) -> Any:
    """An announcement of ``unit`` taken to ``state`` through the services."""
    from lienthong.audit.actors import SystemActor
    from lienthong.portal import services

    actor = SystemActor("tests")
    fields = {
        "title": "Triển khai Đề án 06 về chuyển đổi số",
        "summary": "Thành ủy hướng dẫn các đơn vị thực hiện.",
        "body": "Đoạn thứ nhất.\n\nĐoạn thứ hai.",
    }
    fields.update(values)
    made = services.announcement_create(actor=actor, unit=unit, **fields)
    if state in ("submitted", "published", "withdrawn"):
        services.announcement_submit(actor=actor, announcement=made)
    if state in ("published", "withdrawn"):
        services.announcement_publish(actor=actor, announcement=made)
    if state == "withdrawn":
        services.announcement_withdraw(actor=actor, announcement=made, reason="Hết hiệu lực")
    return made


def issued_document(
    unit: Any,
    *,
    number: int = 12,
    subject: str = "Về đẩy mạnh chuyển đổi số trong các cơ quan Đảng",
    classification: int = 0,
    state: str = "issued",
    with_pdf: bool = True,
    on: dt.date = dt.date(2025, 3, 15),
) -> Any:
    """An outgoing Party document of ``unit`` (issued unless ``state`` says otherwise),
    with a signed original when ``with_pdf``."""
    from lienthong.documents.choices import Convention, Direction, FileKind
    from lienthong.documents.models import Document, DocumentFile, DocumentType
    from lienthong.documents.services.files import file_store
    from lienthong.documents.types_data import builtin_types_load
    from lienthong.org.tests.factories import UserFactory
    from lienthong.trust.pades.samples import sample_pdf

    if not DocumentType.objects.exists():
        builtin_types_load(DocumentType)
    creator = UserFactory()
    document = Document.objects.create(
        unit=unit,
        direction=Direction.OUTGOING,
        convention=Convention.PARTY,
        state=state,
        document_type=DocumentType.objects.get(convention="party", code="NQ"),
        subject=subject,
        classification=classification,
        code_number=number if state == "issued" else None,
        code_notation="NQ/TU" if state == "issued" else "",
        number_year=on.year if state == "issued" else None,
        issued_date=on if state == "issued" else None,
        issuer_name=unit.name,
        signer_name="Nguyễn Văn A",
        created_by=creator,
    )
    if with_pdf:
        stored = file_store(
            data=sample_pdf(title=f"Nghi quyet {number}"), name="nq.pdf", expected="pdf"
        )
        DocumentFile.objects.create(
            document=document,
            kind=FileKind.SIGNED,
            version=1,
            stored=stored,
            name="nq-12.pdf",
            added_by=creator,
        )
        Document.objects.filter(pk=document.pk).update(has_signed_file=True)
        document.refresh_from_db()
    return document


def public_publication(unit: Any, **values: Any) -> Any:
    """A public publication of the library kept by ``unit``, with its PDF."""
    from lienthong.records.library.choices import Visibility
    from lienthong.records.library.tests.conftest import make, sample

    fields: dict[str, Any] = {
        "visibility": Visibility.PUBLIC,
        "pdf": sample(),
        "pdf_name": "57.pdf",
    }
    fields.update(values)
    return make(unit, **fields)
