"""Documents made directly with the ORM for the numbering and register tests.

The workflow services (draft → approve → sign → issue) are tested elsewhere; these helpers
only put rows in place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from lienthong.documents.choices import (
    Convention,
    Direction,
    DocumentState,
    EventKind,
    HandlingRole,
    HandlingState,
    PeriodKind,
    SecretSeries,
    SeriesKind,
)
from lienthong.documents.models import (
    Assignment,
    Document,
    DocumentEvent,
    DocumentType,
    Recipient,
    Register,
    UnitProfile,
)


def doc_type(convention: str, name: str) -> DocumentType:
    """A built-in type (loaded by migration 0002), by convention and name."""
    return DocumentType.objects.get(convention=convention, name=name)


def profile(
    unit: Any, *, convention: str = Convention.PARTY, issuer_code: str = "TU"
) -> UnitProfile:
    """The unit's document settings."""
    obj, _ = UnitProfile.objects.update_or_create(
        unit=unit, defaults={"convention": convention, "issuer_code": issuer_code}
    )
    return obj


def register(
    unit: Any,
    *,
    direction: str = Direction.OUTGOING,
    name: str = "Sổ văn bản đi",
    period_kind: str = PeriodKind.YEAR,
    series_kind: str = SeriesKind.ALL_TYPES,
    secret_series: str = SecretSeries.OWN,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
) -> Register:
    """A register of ``unit``."""
    return Register.objects.create(
        unit=unit,
        direction=direction,
        name=name,
        period_kind=period_kind,
        series_kind=series_kind,
        secret_series=secret_series,
        term_start=term_start,
        term_end=term_end,
    )


def draft(
    unit: Any,
    creator: Any,
    *,
    convention: str = Convention.PARTY,
    type_name: str = "Nghị quyết",
    subject: str = "về công tác cán bộ",
    classification: int = 0,
    **fields: Any,
) -> Document:
    """An outgoing document, signed and waiting for its number."""
    return Document.objects.create(
        unit=unit,
        direction=Direction.OUTGOING,
        convention=convention,
        state=DocumentState.SIGNED,
        document_type=doc_type(convention, type_name),
        subject=subject,
        classification=classification,
        created_by=creator,
        **fields,
    )


def issued(
    unit: Any,
    creator: Any,
    reg: Register,
    *,
    number: int,
    notation: str,
    on: dt.date,
    recipients: tuple[str, ...] = (),
    **fields: Any,
) -> Document:
    """An outgoing document already issued with ``number`` in ``reg``."""
    document = draft(unit, creator, **fields)
    document.state = DocumentState.ISSUED
    document.register = reg
    document.code_number = number
    document.code_notation = notation
    document.number_year = on.year
    document.issued_date = on
    document.issuer_name = document.issuer_name or unit.name
    document.save()
    for text in recipients:
        Recipient.objects.create(document=document, text=text)
    DocumentEvent.objects.create(
        document=document,
        kind=EventKind.ISSUED,
        actor=creator,
        created_at=timezone.make_aware(dt.datetime.combine(on, dt.time(9, 0))),
    )
    return document


def received(
    unit: Any,
    creator: Any,
    reg: Register,
    *,
    arrival_number: int,
    arrived: dt.date,
    issuer_name: str,
    number: int,
    notation: str,
    issued_on: dt.date,
    type_name: str = "Công văn",
    subject: str = "V/v báo cáo số liệu",
    due_date: dt.date | None = None,
    state: str = DocumentState.REGISTERED,
    **fields: Any,
) -> Document:
    """An incoming document registered in ``reg``."""
    return Document.objects.create(
        unit=unit,
        direction=Direction.INCOMING,
        convention=Convention.PARTY,
        state=state,
        document_type=doc_type(Convention.PARTY, type_name),
        subject=subject,
        register=reg,
        code_number=number,
        code_notation=notation,
        number_year=issued_on.year,
        issued_date=issued_on,
        issuer_name=issuer_name,
        arrival_number=arrival_number,
        arrival_date=timezone.make_aware(dt.datetime.combine(arrived, dt.time(8, 30))),
        due_date=due_date,
        created_by=creator,
        **fields,
    )


def assign(
    document: Document,
    *,
    assignee: Any,
    by: Any,
    deadline: dt.date | None = None,
    role: str = HandlingRole.LEAD,
    progress: str = "",
    done_on: dt.date | None = None,
) -> Assignment:
    """Assign ``document`` (and close the handling on ``done_on`` when given)."""
    assignment = Assignment.objects.create(
        document=document,
        role=role,
        assignee=assignee,
        assigned_by=by,
        deadline=deadline,
        progress=progress,
    )
    if done_on is not None:
        closed = timezone.make_aware(dt.datetime.combine(done_on, dt.time(16, 0)))
        assignment.state = HandlingState.DONE
        assignment.closed_at = closed
        assignment.save()
        document.state = DocumentState.DONE
        document.save()
        DocumentEvent.objects.create(
            document=document, kind=EventKind.DONE, actor=assignee, created_at=closed
        )
    return assignment
