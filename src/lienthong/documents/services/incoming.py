"""Incoming documents: register, present, assign, handle, close (issue #4 scope 4).

NĐ 30 Điều 20-24 (vn-rules.md §1.5): the clerk registers each document with the next
arrival number of the unit's incoming register (one series a year for paper and
electronic documents), presents it to a leader, who assigns a lead handler, co-handlers
and a deadline with a directive (the handling slip); the handlers report progress and
close with the answer; overdue items are flagged and reminded ("closed loop").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.core.text import fold
from lienthong.documents import selectors
from lienthong.documents.choices import (
    Direction,
    DocumentState,
    EventKind,
    FileKind,
    HandlingRole,
    HandlingState,
    Priority,
)
from lienthong.documents.models import Assignment, Document, DocumentType
from lienthong.documents.services import files
from lienthong.documents.services._common import (
    add_file,
    audit,
    event,
    index,
    person,
    require_document,
    require_state,
    require_unit,
    save_checked,
    unit_allowed,
)
from lienthong.documents.services.guard import classification_guard
from lienthong.documents.services.hooks import run_handling_hooks

__all__ = [
    "assignment_done",
    "assignment_progress",
    "assignments_remind",
    "document_assign",
    "document_done",
    "document_present",
    "document_register_incoming",
    "document_withdraw",
]

logger = logging.getLogger(__name__)

_OPEN_STATES = (DocumentState.REGISTERED, DocumentState.ASSIGNED, DocumentState.IN_PROGRESS)


def _duplicate(
    *, unit: Any, issuer_name: str, code_number: int | None, code_notation: str, year: int | None
) -> Document | None:
    if code_number is None:
        return None
    return (
        Document.objects.filter(
            unit=unit,
            direction=Direction.INCOMING,
            issuer_key=fold(issuer_name),
            code_number=code_number,
            code_notation=code_notation,
            number_year=year,
        )
        .order_by("pk")
        .first()
    )


def document_register_incoming(
    *,
    actor: Actor,
    unit: Any,
    document_type: DocumentType,
    subject: str,
    issuer_name: str,
    code_number: int | None = None,
    code_notation: str = "",
    issued_date: dt.date | None = None,
    due_date: dt.date | None = None,
    priority: int = Priority.NORMAL,
    classification: int = 0,
    arrival_date: dt.datetime | None = None,
    scan_data: bytes | None = None,
    scan_name: str = "",
    signer_name: str = "",
    signer_position: str = "",
    issuer_organ_id: str = "",
    received_by: Any = None,
    electronic: bool = False,
) -> Document:
    """Register an incoming document (paper entered by hand, or received by exchange).

    The arrival number is the next of the unit's incoming register in the arrival year
    (NĐ 30 Điều 22; vn-rules.md §1.5). The same số + ký hiệu + issuing body in the year
    is refused as a duplicate (Phụ lục VI III.1.h).

    Args:
        actor: the clerk (``documents.register_document`` in ``unit``), or the exchange's
            peer/system actor with ``received_by`` naming the clerk on duty.
        unit: the receiving unit.
        document_type: the type (either convention: the author's).
        subject: trích yếu (required).
        issuer_name: the author (tác giả / cơ quan ban hành) (required).
        code_number: their number.
        code_notation: their ký hiệu ("NQ/TW", "QĐ-UBND").
        issued_date: the document's date.
        due_date: thời hạn giải quyết.
        priority: độ khẩn 0-4.
        classification: độ mật (refused on an Internet node, vn-rules.md §5.2).
        arrival_date: when it arrived (now by default).
        scan_data: the scan or the received PDF (optional).
        scan_name: its name.
        signer_name: who signed it.
        signer_position: their position.
        issuer_organ_id: the author's mã định danh.
        received_by: the person registering, when ``actor`` is not a person.
        electronic: it arrived as an electronic original (the exchange), not on paper.

    Returns:
        The registered document.

    Raises:
        InvalidInput: classified on an Internet node, empty subject or author, a
            duplicate, no incoming register in use, a scan that is not a PDF.
        NotFound: the unit is outside the actor's scope.
    """
    classification_guard(classification=classification)
    clerk = received_by if received_by is not None else person(actor)
    require_unit(clerk, unit, "documents.register_document")
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput(_("The subject (trích yếu) is empty."))
    issuer_name = (issuer_name or "").strip()
    if not issuer_name:
        raise InvalidInput(_("Name the author (issuing body) of the document."))
    code_notation = (code_notation or "").strip().upper()
    arrived = arrival_date or timezone.now()
    year = issued_date.year if issued_date else (arrived.year if code_number else None)
    existing = _duplicate(
        unit=unit,
        issuer_name=issuer_name,
        code_number=code_number,
        code_notation=code_notation,
        year=year,
    )
    if existing is not None:
        raise InvalidInput(
            _(
                "This document (number %(number)s of %(issuer)s) is already registered, "
                "arrival number %(arrival)s."
            )
            % {
                "number": existing.number_display,
                "issuer": issuer_name,
                "arrival": existing.arrival_number,
            }
        )
    register = selectors.register_active(unit=unit, direction=Direction.INCOMING)
    if register is None:
        raise InvalidInput(_("The unit has no incoming register in use."))
    stored = None
    if scan_data:
        stored = files.file_store(data=scan_data, name=scan_name or "ban-quet.pdf", expected="pdf")
    from lienthong.documents.numbering import number_allocate

    try:
        with transaction.atomic():
            arrival_number = number_allocate(
                register=register,
                document_type=document_type,
                classification=classification,
                on=timezone.localtime(arrived).date(),
            )
            document = Document(
                unit=unit,
                direction=Direction.INCOMING,
                convention=document_type.convention,
                state=DocumentState.REGISTERED,
                document_type=document_type,
                subject=subject,
                priority=priority,
                classification=classification,
                register=register,
                code_number=code_number,
                code_notation=code_notation,
                number_year=year,
                issued_date=issued_date,
                issuer_name=issuer_name,
                issuer_organ_id=issuer_organ_id,
                signer_name=signer_name[:50],
                signer_position=signer_position,
                due_date=due_date,
                arrival_number=arrival_number,
                arrival_date=arrived,
                arrival_year=timezone.localtime(arrived).year,
                created_by=clerk,
                text_content=subject,
                received_electronically=electronic,
            )
            save_checked(document)
            if stored is not None:
                add_file(
                    document=document,
                    kind=FileKind.SCAN,
                    stored=stored,
                    name=scan_name or "ban-quet.pdf",
                    actor=clerk,
                )
            event(
                document,
                EventKind.REGISTERED,
                actor,
                _("Arrival number %(n)s") % {"n": arrival_number},
            )
            audit(actor, "document.register", document, arrival_number=arrival_number)
            run_handling_hooks(document, "registered")
            index(document)
    except IntegrityError as exc:
        raise InvalidInput(
            _("A document with this number, notation and issuing body already exists.")
        ) from exc
    return document


def document_present(*, actor: Actor, document: Document, leader: Any, note: str = "") -> Document:
    """Present a registered document to a leader (NĐ 30 Điều 23: the same day).

    Raises:
        InvalidInput: the leader may not assign this unit's documents, or it is closed.
        NotFound: out of reach.
    """
    document = require_document(actor, document, "view")
    require_state(document, *_OPEN_STATES)
    if not unit_allowed(leader, document.unit, "documents.add_assignment"):
        raise InvalidInput(_("%(name)s cannot assign this unit's documents.") % {"name": leader})
    with transaction.atomic():
        text = _("Presented to %(name)s.") % {"name": leader}
        event(document, EventKind.PRESENTED, actor, f"{text} {note.strip()}".strip())
        audit(actor, "document.present", document, leader=leader.pk)
    return document


def _resolve_people(actor: Actor, people: Iterable[Any]) -> list[Any]:
    from lienthong.org.models import User

    ids = [getattr(p, "pk", p) for p in people]
    found = list(User.objects.restrict(actor, "view").filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput(_("A handler does not exist or is outside your units."))
    return found


def _resolve_units(actor: Actor, units: Iterable[Any]) -> list[Any]:
    from lienthong.org.models import Unit

    ids = [getattr(u, "pk", u) for u in units]
    found = list(Unit.objects.restrict(actor, "view").filter(pk__in=ids))  # type: ignore[arg-type]
    if len(found) != len(set(ids)):
        raise InvalidInput(_("A handling unit does not exist or is outside your units."))
    return found


def document_assign(
    *,
    actor: Actor,
    document: Document,
    lead: Any = None,
    lead_unit: Any = None,
    co_handlers: Iterable[Any] = (),
    co_units: Iterable[Any] = (),
    deadline: dt.date | None = None,
    directive: str = "",
) -> list[Assignment]:
    """Assign an incoming document: a lead handler (person or unit), co-handlers, a
    deadline and the leader's directive (the handling slip, NĐ 30 Phụ lục IV).

    Handlers are resolved among the people and units the actor may see.

    Returns:
        The new assignments, lead first.

    Raises:
        InvalidInput: no lead, a handler out of reach, a deadline in the past, or the
            document is closed.
        NotFound: the actor may not assign this document.
    """
    document = require_document(actor, document, "view")
    require_unit(actor, document.unit, "documents.add_assignment")
    require_state(document, *_OPEN_STATES)
    if lead is None and lead_unit is None:
        raise InvalidInput(_("Choose the lead handler (chủ trì)."))
    if deadline is not None and deadline < timezone.localdate():
        raise InvalidInput(_("The deadline is in the past."))
    leads = _resolve_people(actor, [lead]) if lead is not None else []
    lead_units = _resolve_units(actor, [lead_unit]) if lead_unit is not None else []
    co_people = _resolve_people(actor, co_handlers)
    co_unit_rows = _resolve_units(actor, co_units)
    assigner = person(actor)
    made: list[Assignment] = []
    with transaction.atomic():
        rows = [
            (HandlingRole.LEAD, leads[0] if leads else None, lead_units[0] if lead_units else None)
        ]
        rows += [(HandlingRole.CO, p, None) for p in co_people]
        rows += [(HandlingRole.CO, None, u) for u in co_unit_rows]
        for role, assignee, assignee_unit in rows:
            assignment = Assignment(
                document=document,
                role=role,
                assignee=assignee,
                assignee_unit=assignee_unit,
                assigned_by=assigner,
                directive=directive.strip(),
                deadline=deadline,
            )
            save_checked(assignment)
            made.append(assignment)
        if deadline is not None and (document.due_date is None or deadline < document.due_date):
            document.due_date = deadline
        document.state = DocumentState.ASSIGNED
        save_checked(document)
        names = ", ".join(str(a.assignee or a.assignee_unit) for a in made)
        event(document, EventKind.ASSIGNED, actor, f"{names}. {directive.strip()}".strip())
        audit(actor, "document.assign", document, assignments=[a.pk for a in made])
        run_handling_hooks(document, "assigned", note=directive.strip())
        index(document)
    return made


def _may_handle(actor: Actor, assignment: Assignment) -> bool:
    if getattr(actor, "pk", None) is not None and assignment.assignee_id == getattr(
        actor, "pk", None
    ):
        return True
    return unit_allowed(actor, assignment.document.unit, "documents.change_assignment")


def assignment_progress(*, actor: Actor, assignment: Assignment, text: str) -> Assignment:
    """A handler reports progress (tiến độ giải quyết).

    Raises:
        InvalidInput: empty text or a closed assignment.
        PermissionDenied: neither the assignee nor allowed to change assignments.
    """
    if not text.strip():
        raise InvalidInput(_("Describe the progress."))
    assignment = selectors.assignment_get(user=actor, pk=assignment.pk)
    if not _may_handle(actor, assignment):
        raise PermissionDenied(_("This assignment is not yours."))
    if assignment.state == HandlingState.DONE:
        raise InvalidInput(_("This assignment is already done."))
    document = assignment.document
    _not_withdrawn(document)
    with transaction.atomic():
        stamp = timezone.localtime().strftime("%d/%m/%Y")
        line = f"{stamp}: {text.strip()}"
        assignment.progress = f"{assignment.progress}\n{line}".strip()
        assignment.state = HandlingState.IN_PROGRESS
        save_checked(assignment)
        started = document.state in (DocumentState.REGISTERED, DocumentState.ASSIGNED)
        if started:
            document.state = DocumentState.IN_PROGRESS
            save_checked(document)
        event(document, EventKind.PROGRESS, actor, text.strip())
        if started:
            run_handling_hooks(document, "in_progress", note=text.strip())
        audit(actor, "assignment.progress", document, assignment=assignment.pk)
        index(document)
    return assignment


def assignment_done(
    *, actor: Actor, assignment: Assignment, answer: Document | None = None, note: str = ""
) -> Assignment:
    """A handler closes their assignment, with the answer document linked; when the lead
    handler closes, the document is done.

    Raises:
        InvalidInput: already done.
        PermissionDenied: not theirs.
        NotFound: the answer document is out of reach.
    """
    assignment = selectors.assignment_get(user=actor, pk=assignment.pk)
    if not _may_handle(actor, assignment):
        raise PermissionDenied(_("This assignment is not yours."))
    if assignment.state == HandlingState.DONE:
        raise InvalidInput(_("This assignment is already done."))
    if answer is not None:
        answer = require_document(actor, answer, "view")
    document = assignment.document
    _not_withdrawn(document)
    with transaction.atomic():
        assignment.state = HandlingState.DONE
        assignment.closed_at = timezone.now()
        if note.strip():
            assignment.progress = f"{assignment.progress}\n{note.strip()}".strip()
        save_checked(assignment)
        if answer is not None:
            answer.answers = document
            save_checked(answer)
        text = note.strip()
        if answer is not None:
            answered = _("Answer: %(n)s") % {"n": answer}
            text = f"{text} {answered}".strip()
        event(document, EventKind.PROGRESS, actor, text or _("Handling done."))
        audit(
            actor,
            "assignment.done",
            document,
            assignment=assignment.pk,
            answer=answer.pk if answer else None,
        )
        if assignment.role == HandlingRole.LEAD:
            _close(actor=actor, document=document, note=note, answer=answer)
        index(document)
    return assignment


def _close(*, actor: Actor, document: Document, note: str, answer: Document | None = None) -> None:
    document.state = DocumentState.DONE
    save_checked(document)
    document.done_on = timezone.localdate()
    Document.objects.filter(pk=document.pk).update(done_on=document.done_on)
    event(document, EventKind.DONE, actor, note.strip())
    audit(actor, "document.done", document)
    if answer is None:
        answer = (
            Document.objects.filter(answers=document, direction=Direction.OUTGOING)
            .order_by("-pk")
            .first()
        )
    run_handling_hooks(document, "done", answer=answer, note=note.strip())


def document_done(*, actor: Actor, document: Document, note: str = "") -> Document:
    """Close an incoming document (the lead handler, or whoever may change assignments).

    Raises:
        InvalidInput: already done.
        PermissionDenied: the actor neither leads its handling nor manages assignments.
        NotFound: out of reach.
    """
    document = require_document(actor, document, "view")
    require_state(document, *_OPEN_STATES)
    leads = document.assignments.filter(role=HandlingRole.LEAD)
    is_lead = leads.filter(assignee_id=getattr(actor, "pk", None)).exists()
    if not is_lead and not unit_allowed(actor, document.unit, "documents.change_assignment"):
        raise PermissionDenied(_("Only the lead handler can close this document."))
    with transaction.atomic():
        leads.exclude(state=HandlingState.DONE).update(
            state=HandlingState.DONE, closed_at=timezone.now()
        )
        _close(actor=actor, document=document, note=note)
        index(document)
    return document


def _not_withdrawn(document: Document) -> None:
    if document.state == DocumentState.RECALLED:
        raise InvalidInput(
            _("This document was taken back by its sender: it is no longer handled.")
        )


def document_withdraw(*, actor: Actor, document: Document, reason: str) -> Document:
    """Take a received document out of handling because its sender recalled it.

    NĐ 30 Điều 18 and Phụ lục VI III.8 (vn-rules.md §1.4): on an electronic recall the
    receiver deletes the document and tells the sender. The record is kept (the
    register must stay whole), frozen in the state "recalled" with the reason; its open
    assignments are closed.

    Raises:
        InvalidInput: no reason, or not a received document in handling or done.
        PermissionDenied: the actor may not register documents in its unit.
        NotFound: out of reach.
    """
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the recall."))
    document = require_document(actor, document, "view")
    require_state(document, *_OPEN_STATES, DocumentState.DONE)
    if not unit_allowed(actor, document.unit, "documents.register_document"):
        raise PermissionDenied(_("Only the unit's clerk can take a document out of handling."))
    with transaction.atomic():
        document.assignments.exclude(state=HandlingState.DONE).update(
            state=HandlingState.DONE, closed_at=timezone.now()
        )
        document.state = DocumentState.RECALLED
        save_checked(document)
        event(document, EventKind.RECALLED, actor, reason.strip())
        audit(actor, "document.withdraw", document, reason=reason.strip()[:500])
        index(document)
    return document


def assignments_remind(
    *, actor: Actor, on: dt.date | None = None, every: dt.timedelta | None = None
) -> int:
    """Remind the handlers of overdue assignments (issue #4 scope 4: nothing stays
    unhandled silently): each gets ``reminded_at``, an entry in the document's history
    and, when the person has an e-mail address, an e-mail.

    Args:
        actor: the system actor of the reminder task.
        on: the day to judge by (today by default).
        every: remind the same assignment at most this often (a day by default).

    Returns:
        How many assignments were reminded.
    """
    count = 0
    for assignment in selectors.assignments_to_remind(on=on, every=every):
        document = assignment.document
        with transaction.atomic():
            assignment.reminded_at = timezone.now()
            assignment.save(update_fields=["reminded_at", "updated_at"])
            deadline = assignment.deadline.strftime("%d/%m/%Y") if assignment.deadline else ""
            text = _("Reminder: the handling deadline %(d)s has passed for %(who)s.") % {
                "d": deadline,
                "who": assignment.assignee or assignment.assignee_unit,
            }
            event(document, EventKind.REMINDED, actor, text)
            audit(actor, "assignment.remind", document, assignment=assignment.pk)
        email = getattr(assignment.assignee, "email", "") if assignment.assignee else ""
        if email:
            try:
                send_mail(
                    subject=_("Overdue: %(subject)s") % {"subject": document.subject[:120]},
                    message=f"{text}\n\n{document}",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[email],
                )
            except OSError as exc:  # the reminder is recorded; the mail is best effort
                logger.warning("reminder e-mail to %s failed: %s", email, exc)
        count += 1
    return count
