"""How the shared permission matrix exercises the documents app's scoped models."""

from __future__ import annotations

from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.documents.choices import (
    Convention,
    Direction,
    DocumentState,
    HandlingRole,
    IntakeSource,
)
from lienthong.documents.models import (
    Assignment,
    Document,
    DocumentType,
    IntakeBatch,
    IntakeFile,
    Register,
    UnitProfile,
)


def _creator() -> Any:
    from lienthong.org.tests.factories import UserFactory

    return UserFactory()


def _register_in(unit: Any) -> Register:
    return Register.objects.create(unit=unit, direction=Direction.OUTGOING, name="Sổ văn bản đi")


def _document_in(unit: Any) -> Document:
    doc_type, _ = DocumentType.objects.get_or_create(
        convention=Convention.PARTY, name="Công văn", defaults={"code": "CV", "is_letter": True}
    )
    return Document.objects.create(
        unit=unit,
        direction=Direction.INCOMING,
        state=DocumentState.REGISTERED,
        document_type=doc_type,
        subject="Về việc thử quyền truy cập",
        created_by=_creator(),
    )


def _assignment_in(unit: Any) -> Assignment:
    document = _document_in(unit)
    return Assignment.objects.create(
        document=document,
        role=HandlingRole.LEAD,
        assignee=document.created_by,
        assigned_by=document.created_by,
    )


def _profile_in(unit: Any) -> UnitProfile:
    return UnitProfile.objects.create(unit=unit, issuer_code="ĐU")


def _batch_in(unit: Any) -> IntakeBatch:
    return IntakeBatch.objects.create(
        unit=unit, source=IntakeSource.UPLOAD, name="Lô thử", created_by=_creator()
    )


def _intake_in(unit: Any) -> IntakeFile:
    return IntakeFile.objects.create(batch=_batch_in(unit), unit=unit, name="den-2025-1.png")


SCOPE_CASES = [
    ScopeCase(model=Register, make=_register_in),
    ScopeCase(model=Document, make=_document_in),
    ScopeCase(model=Assignment, make=_assignment_in),
    ScopeCase(model=UnitProfile, make=_profile_in),
    ScopeCase(model=IntakeBatch, make=_batch_in),
    ScopeCase(model=IntakeFile, make=_intake_in),
]
