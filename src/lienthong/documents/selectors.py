"""Reads of the documents app that reach a person (STYLE habit 3).

Every selector that takes ``user`` starts from ``restrict(user, action)`` (the unit
scope) and, for documents, keeps only what the person's clearance reaches: a classified
document is seen only by people whose clearance is at least its classification
(vn-rules.md §5.2). Selectors without ``user`` are for the system's own use and say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.documents.choices import Direction, DocumentState, HandlingState
from lienthong.documents.models import Assignment, Document, Register

__all__ = [
    "assignment_get",
    "assignment_list",
    "assignments_to_remind",
    "document_get",
    "document_list",
    "overdue_for",
    "register_active",
    "register_get",
    "register_list",
]


def _clearance(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return int(getattr(user, "clearance", 0) or 0)


def document_list(
    *, user: Any, action: str = "view", filters: dict[str, Any] | None = None
) -> QuerySet[Document]:
    """The documents ``user`` may ``action``: in their units' scope and within their
    clearance (vn-rules.md §5.2).

    Args:
        user: the person asking.
        action: ``view``, ``change``, ``approve``, ``issue``, ``register``…
        filters: optional ``direction``, ``state``, ``unit`` (id), ``document_type`` (id),
            ``year`` (number year), ``q`` (words in the subject or number).

    Returns:
        A queryset, newest first.
    """
    qs = Document.objects.restrict(user, action).filter(classification__lte=_clearance(user))
    filters = filters or {}
    for field in ("direction", "state", "convention"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("unit"):
        qs = qs.filter(unit_id=filters["unit"])
    if filters.get("document_type"):
        qs = qs.filter(document_type_id=filters["document_type"])
    if filters.get("year"):
        qs = qs.filter(number_year=filters["year"])
    query = str(filters.get("q") or "").strip()
    if query:
        qs = qs.filter(Q(subject__icontains=query) | Q(code_notation__icontains=query))
    return qs.select_related("unit", "document_type", "register")


def document_get(*, user: Any, pk: Any, action: str = "view") -> Document:
    """One document ``user`` may ``action``; missing and out of reach both are "not found".

    Raises:
        NotFound: no such document within the person's scope and clearance.
    """
    try:
        return document_list(user=user, action=action).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This document does not exist or is not yours to see.")) from exc


def register_list(*, user: Any, action: str = "view") -> QuerySet[Register]:
    """The registers ``user`` may ``action``."""
    return Register.objects.restrict(user, action).select_related("unit")


def register_get(*, user: Any, pk: Any, action: str = "view") -> Register:
    """One register ``user`` may ``action``.

    Raises:
        NotFound: missing or out of scope.
    """
    try:
        return register_list(user=user, action=action).get(pk=pk)
    except (Register.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This register does not exist or is not yours to use.")) from exc


def register_active(*, unit: Any, direction: str) -> Register | None:
    """The unit's register in use for ``direction`` (system use: the unit was already
    resolved for the actor by the calling service)."""
    return (
        Register.objects.filter(unit=unit, direction=direction, is_active=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def assignment_list(*, user: Any, action: str = "view") -> QuerySet[Assignment]:
    """The assignments ``user`` may ``action`` (their documents' units), and their own."""
    in_scope = Assignment.objects.restrict(user, action)
    own = Assignment.objects.filter(assignee_id=getattr(user, "pk", None))
    qs = Assignment.objects.filter(Q(pk__in=in_scope.values("pk")) | Q(pk__in=own.values("pk")))
    return qs.filter(document__classification__lte=_clearance(user)).select_related(
        "document", "assignee", "assignee_unit"
    )


def assignment_get(*, user: Any, pk: Any, action: str = "change") -> Assignment:
    """One assignment ``user`` may ``action`` (or their own).

    Raises:
        NotFound: missing or out of reach.
    """
    try:
        return assignment_list(user=user, action=action).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This assignment does not exist or is not yours.")) from exc


def _late_assignments(day: dt.date) -> QuerySet[Assignment]:
    return Assignment.objects.filter(deadline__lt=day).exclude(state=HandlingState.DONE)


def overdue_for(*, user: Any, on: dt.date | None = None) -> QuerySet[Document]:
    """Incoming documents in ``user``'s reach that are past their deadline and not done:
    the document's due date, or the deadline of an open assignment (the leader's
    "overdue" page; issue #4 scope 4, "nothing stays unhandled silently").

    Args:
        user: the leader (or anyone) asking.
        on: the day to judge by (today by default).

    Returns:
        Documents, oldest deadline first.
    """
    day = on or timezone.localdate()
    late = _late_assignments(day).filter(document=OuterRef("pk"))
    return (
        document_list(user=user)
        .filter(direction=Direction.INCOMING)
        .exclude(state=DocumentState.DONE)
        .filter(Q(due_date__lt=day) | Exists(late))
        .order_by("due_date", "pk")
    )


def assignments_to_remind(
    *, on: dt.date | None = None, every: dt.timedelta | None = None
) -> QuerySet[Assignment]:
    """Open assignments past their deadline whose last reminder is older than ``every``.

    System use (the reminder task): not restricted to a person.
    """
    day = on or timezone.localdate()
    since = timezone.now() - (every or dt.timedelta(days=1))
    return (
        _late_assignments(day)
        .exclude(document__state=DocumentState.DONE)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=since))
        .select_related("document", "assignee", "assignee_unit")
    )
