# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""Incoming documents: registration, duplicates, assignment, handling, overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents import selectors, services
from lienthong.documents.choices import DocumentState, EventKind, HandlingRole, HandlingState
from lienthong.documents.models import Assignment, Document
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    count_state,
    office,
    pki,
    storage,
    write_draft,
)
from lienthong.trust.pades.samples import sample_pdf


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def register(office: Office, **overrides: Any) -> Document:
    """Register a Trung ương công văn arriving at the province."""
    values: dict[str, Any] = {
        "actor": office.clerk,
        "unit": office.unit,
        "document_type": office.party_letter,
        "subject": "V/v tổng kết công tác năm",
        "issuer_name": "Văn phòng Trung ương Đảng",
        "code_number": 123,
        "code_notation": "CV/VPTW",
        "issued_date": dt.date(2026, 3, 2),
    }
    values.update(overrides)
    return services.document_register_incoming(**values)


def test_arrival_numbers_run_in_the_incoming_register(office: Office) -> None:
    """GIVEN two incoming documents
    WHEN registered
    THEN they get arrival numbers 1 and 2 in the unit's incoming register, with a scan."""
    first = register(office, scan_data=sample_pdf(), scan_name="scan.pdf")
    second = register(office, code_number=124)

    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert first.register == office.incoming
    assert first.state == DocumentState.REGISTERED
    assert first.files.filter(kind="scan").count() == 1
    assert first.events.filter(kind=EventKind.REGISTERED).exists()


def test_duplicate_number_is_refused_and_nothing_is_stored(office: Office, storage: Path) -> None:
    """GIVEN a registered document 123-CV/VPTW
    WHEN the same number, notation and issuer (spelt without diacritics) comes again
    THEN a clear message naming the earlier arrival number, and nothing is stored."""
    register(office)
    before = count_state(storage)

    with pytest.raises(InvalidInput, match="already registered, arrival number 1"):
        register(office, issuer_name="Van phong Trung uong Dang", scan_data=sample_pdf())

    assert count_state(storage) == before


def test_empty_subject_or_author_is_refused(office: Office) -> None:
    """GIVEN no subject, or no author
    WHEN registered
    THEN refused, nothing created."""
    with pytest.raises(InvalidInput, match="subject"):
        register(office, subject="")
    with pytest.raises(InvalidInput, match="author"):
        register(office, issuer_name=" ")
    assert Document.objects.count() == 0


def test_a_clerk_cannot_register_for_a_unit_outside_their_scope(office: Office, world: Any) -> None:
    """GIVEN the clerk of another province
    WHEN they register into Hà Nội
    THEN "not found"."""
    with pytest.raises(NotFound):
        register(office, actor=world.clerk_b1)


def test_assign_handle_and_close_the_loop(office: Office) -> None:
    """GIVEN a registered document presented to the leader
    WHEN the leader assigns the specialist (lead) and the clerk (co), the specialist
    reports progress and closes with the answer
    THEN the document is done, the answer links to it, and history has every step."""
    document = register(office)
    services.document_present(actor=office.clerk, document=document, leader=office.leader)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    lead, co = services.document_assign(
        actor=office.leader,
        document=document,
        lead=office.specialist,
        co_handlers=[office.clerk],
        deadline=deadline,
        directive="Chủ trì tham mưu trả lời.",
    )
    assert (lead.role, co.role) == (HandlingRole.LEAD, HandlingRole.CO)
    document.refresh_from_db()
    assert document.state == DocumentState.ASSIGNED and document.due_date == deadline

    services.assignment_progress(actor=office.specialist, assignment=lead, text="Đang dự thảo")
    answer = write_draft(office)
    services.assignment_done(actor=office.specialist, assignment=lead, answer=answer)

    document.refresh_from_db()
    answer.refresh_from_db()
    assert document.state == DocumentState.DONE
    assert document.done_on == timezone.localdate()  # the handling day, for the figures
    assert answer.answers == document
    kinds = set(document.events.values_list("kind", flat=True))
    assert {EventKind.ASSIGNED, EventKind.PROGRESS, EventKind.DONE} <= kinds


def test_handlers_must_be_visible_to_the_assigner(office: Office, world: Any) -> None:
    """GIVEN a person of another province
    WHEN the leader names them as lead handler
    THEN refused; no assignment."""
    document = register(office)
    with pytest.raises(InvalidInput):
        services.document_assign(actor=office.leader, document=document, lead=world.clerk_b1)
    assert Assignment.objects.count() == 0


def test_overdue_assignment_shows_on_the_leaders_page_and_not_elsewhere(
    office: Office, world: Any
) -> None:
    """GIVEN a document assigned with a deadline that then passes, left unhandled
    WHEN the leader's overdue page is read after the deadline
    THEN it is listed for the leader, not for a leader of another province, and not
    once it is done."""
    document = register(office)
    deadline = timezone.localdate() + dt.timedelta(days=1)
    services.document_assign(
        actor=office.leader, document=document, lead=office.specialist, deadline=deadline
    )
    later = deadline + dt.timedelta(days=2)

    assert list(selectors.overdue_for(user=office.leader, on=later)) == [document]
    assert not selectors.overdue_for(user=office.leader, on=deadline).exists()
    assert not selectors.overdue_for(user=world.clerk_b1, on=later).exists()

    services.document_done(actor=office.specialist, document=document)
    assert not selectors.overdue_for(user=office.leader, on=later).exists()
    assert Assignment.objects.get().state == HandlingState.DONE
