"""Fixtures of the workflow tests: an office (the province of the ``world``) with its
document settings, registers, a specialist, a clerk, the leader's certificate and seal.

Test modules import the fixtures they use: ``from ...workflow_helpers import office``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lienthong.documents.choices import Convention, Direction
from lienthong.documents.models import DocumentType, Register, StoredFile, UnitProfile
from lienthong.trust.tests.conftest import Pki, pki

__all__ = ["Office", "count_state", "files_on_disk", "office", "pki", "storage", "write_draft"]


@dataclass
class Office:
    """The province's office: its people, settings and registers."""

    unit: Any
    specialist: Any
    clerk: Any
    leader: Any
    outgoing: Register
    incoming: Register
    pki: Pki
    party_letter: DocumentType
    party_resolution: DocumentType


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    """GIVEN an empty data directory for stored files."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DOCUMENT_SIGNATURE_LEVEL = "B-T"
    return Path(settings.DATA_DIR)


@pytest.fixture
def office(world: Any, pki: Pki, storage: Path) -> Office:
    """GIVEN Tỉnh ủy Hà Nội (Party, "TU", place "Hà Nội") with an outgoing and an incoming
    register, a specialist, a clerk, the leader's signing certificate and the seal."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    unit = world.province_a
    UnitProfile.objects.create(
        unit=unit, convention=Convention.PARTY, issuer_code="TU", place_name="Hà Nội"
    )
    specialist = member(UserFactory(full_name="Chuyên viên Hà Nội"), unit, RoleCode.SPECIALIST)
    clerk = member(UserFactory(full_name="Văn thư Hà Nội"), unit, RoleCode.CLERK)
    outgoing = Register.objects.create(unit=unit, direction=Direction.OUTGOING, name="Sổ đi")
    incoming = Register.objects.create(unit=unit, direction=Direction.INCOMING, name="Sổ đến")
    return Office(
        unit=unit,
        specialist=specialist,
        clerk=clerk,
        leader=world.leader_a,
        outgoing=outgoing,
        incoming=incoming,
        pki=pki,
        party_letter=DocumentType.objects.get(convention=Convention.PARTY, code="CV"),
        party_resolution=DocumentType.objects.get(convention=Convention.PARTY, code="NQ"),
    )


def write_draft(office: Office, **overrides: Any) -> Any:
    """A Party công văn written in lienthong, ready to submit."""
    from lienthong.documents.services import document_draft_create

    values: dict[str, Any] = {
        "actor": office.specialist,
        "unit": office.unit,
        "document_type": office.party_letter,
        "subject": "V/v triển khai phần mềm lienthong",
        "body": "Ban Thường vụ Tỉnh ủy đề nghị các đơn vị triển khai phần mềm.\n"
        "Đề nghị các đơn vị thực hiện nghiêm túc.",
        "competence": "T/M",
        "signer": office.leader,
        "signer_position": "Ban Thường vụ\nBí thư",
        "recipients_text": "Các đảng ủy trực thuộc",
    }
    values.update(overrides)
    return document_draft_create(**values)


def files_on_disk(root: Path) -> int:
    """How many content files the data directory holds."""
    folder = root / "files"
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def count_state(root: Path) -> tuple[int, int, int, int]:
    """(documents, document files, stored files, files on disk)."""
    from lienthong.documents.models import Document, DocumentFile

    return (
        Document.objects.count(),
        DocumentFile.objects.count(),
        StoredFile.objects.count(),
        files_on_disk(root),
    )
