"""The daily pages: the clerk's, the specialist's and the leader's (issue #4, scope 9).

Every list starts from a selector restricted to the person (scope and clearance). The
leader's overdue list is ``selectors.overdue_for`` with a bar chart of how late the items
are, drawn here as SVG on the server: no script, fast on a slow link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lienthong.core.permissions import AllUnits, allowed_units, user_can
from lienthong.documents import selectors, services
from lienthong.documents.choices import Direction, DocumentState, EventKind, HandlingState
from lienthong.documents.forms import RegisterSheetForm
from lienthong.documents.models import Assignment, Document, DocumentEvent
from lienthong.documents.views._common import person
from lienthong.org.views import login_required

__all__ = ["AgeBar", "age_bars", "clerk", "home", "leader", "specialist"]

#: The most rows a list of a daily page shows (the registers list everything).
LIST_LIMIT = 50
#: Overdue age buckets (days late, inclusive upper bound; None = open-ended).
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((1, 7), (8, 30), (31, 90), (91, None))
#: The chart's geometry (SVG user units).
CHART_WIDTH = 480
CHART_BAR_HEIGHT = 26
CHART_LABEL_WIDTH = 130


def _in_units(qs: QuerySet[Document], user: Any, permission: str) -> QuerySet[Document]:
    """Keep the documents of units where ``user`` holds ``permission``."""
    scope = allowed_units(user, permission)
    if scope is None:
        return qs.none()
    if isinstance(scope, AllUnits):
        return qs
    return qs.filter(unit__in=scope)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Documents: go to the daily page of the person's main role."""
    user = person(request)
    if user_can(user, "documents.issue_document") or user_can(user, "documents.register_document"):
        return redirect("documents-clerk")
    if user_can(user, "documents.approve_document"):
        return redirect("documents-leader")
    return redirect("documents-specialist")


def _tabs(user: Any) -> dict[str, bool]:
    return {
        "clerk": user_can(user, "documents.issue_document")
        or user_can(user, "documents.register_document"),
        "leader": user_can(user, "documents.approve_document"),
        "specialist": user_can(user, "documents.add_document"),
    }


@login_required
@require_GET
def clerk(request: HttpRequest) -> HttpResponse:
    """The clerk's page: incoming to register and registered today, incoming waiting
    for a leader, documents to issue, and the registers to download for a period."""
    user = person(request)
    today = timezone.localdate()
    incoming = selectors.document_list(user=user, filters={"direction": Direction.INCOMING})
    registered_today = _in_units(incoming, user, "documents.register_document").filter(
        arrival_date__date=today
    )
    waiting = incoming.filter(state=DocumentState.REGISTERED)
    to_issue = selectors.document_list(
        user=user, action="issue", filters={"state": DocumentState.SIGNED}
    )
    issued = selectors.document_list(
        user=user, action="issue", filters={"state": DocumentState.ISSUED}
    ).order_by("-issued_date", "-code_number")
    first_day = today.replace(month=1, day=1)
    register_form = RegisterSheetForm(
        user=user, initial={"date_from": first_day, "date_to": today, "kind": "outgoing"}
    )
    return render(
        request,
        "documents/clerk.html",
        {
            "tabs": _tabs(user),
            "registered_today": registered_today.order_by("-arrival_number")[:LIST_LIMIT],
            "waiting": waiting.order_by("-arrival_date")[:LIST_LIMIT],
            "to_issue": to_issue.order_by("updated_at")[:LIST_LIMIT],
            "issued": issued[:10],
            "register_form": register_form,
            "may_register": user_can(user, "documents.register_document"),
        },
    )


@login_required
@require_GET
def specialist(request: HttpRequest) -> HttpResponse:
    """The specialist's page: my drafts, drafts returned to me, what I submitted, and the
    incoming documents assigned to me with their deadlines."""
    user = person(request)
    mine = selectors.document_list(user=user, filters={"direction": Direction.OUTGOING}).filter(
        created_by=user
    )
    returned_event = DocumentEvent.objects.filter(
        document=OuterRef("pk"), kind=EventKind.RETURNED
    ).order_by("-created_at", "-pk")
    drafts = mine.filter(state=DocumentState.DRAFT).annotate(
        was_returned=Exists(returned_event),
        return_reason=Subquery(returned_event.values("text")[:1]),
    )
    assignments = (
        selectors.assignment_list(user=user)
        .filter(assignee=user)
        .exclude(state=HandlingState.DONE)
        .order_by("deadline", "pk")
    )
    return render(
        request,
        "documents/specialist.html",
        {
            "tabs": _tabs(user),
            "drafts": drafts.filter(was_returned=False).order_by("-updated_at")[:LIST_LIMIT],
            "returned": drafts.filter(was_returned=True).order_by("-updated_at")[:LIST_LIMIT],
            "submitted": mine.filter(
                state__in=[DocumentState.SUBMITTED, DocumentState.APPROVED, DocumentState.SIGNED]
            ).order_by("-updated_at")[:LIST_LIMIT],
            "assignments": assignments[:LIST_LIMIT],
            "today": timezone.localdate(),
            "may_draft": user_can(user, "documents.add_document"),
        },
    )


@dataclass(frozen=True)
class AgeBar:
    """One bar of the overdue chart: a bucket of days late and how many documents."""

    label: str
    count: int
    y: int
    width: int
    text_y: int
    value_x: int


def _days_late(document: Any, today: dt.date) -> int:
    deadlines = [
        d for d in (document.due_date, getattr(document, "late_deadline", None)) if d is not None
    ]
    deadlines = [d for d in deadlines if d < today]
    return (today - min(deadlines)).days if deadlines else 0


def age_bars(days: list[int]) -> list[AgeBar]:
    """The chart's bars: how many overdue documents fall in each age bucket.

    Args:
        days: days late of each overdue document.

    Returns:
        One bar per bucket, with its SVG geometry (width proportional to the count).
    """
    counts = []
    for low, high in AGE_BUCKETS:
        counts.append(sum(1 for d in days if d >= low and (high is None or d <= high)))
    top = max(counts) if counts and max(counts) > 0 else 1
    span = CHART_WIDTH - CHART_LABEL_WIDTH - 50
    bars = []
    for index, ((low, high), count) in enumerate(zip(AGE_BUCKETS, counts, strict=True)):
        if high is None:
            label = _("over %(n)d days") % {"n": low - 1}
        else:
            label = _("%(a)d to %(b)d days") % {"a": low, "b": high}
        width = round(span * count / top)
        y = 6 + index * (CHART_BAR_HEIGHT + 8)
        bars.append(
            AgeBar(
                label=label,
                count=count,
                y=y,
                width=width,
                text_y=y + CHART_BAR_HEIGHT - 8,
                value_x=CHART_LABEL_WIDTH + width + 6,
            )
        )
    return bars


@login_required
@require_GET
def leader(request: HttpRequest) -> HttpResponse:
    """The leader's page: drafts to approve, to sign, incoming to assign, and what is
    overdue (``selectors.overdue_for``) with a chart of how late."""
    user = person(request)
    today = timezone.localdate()
    submitted = selectors.document_list(
        user=user, action="approve", filters={"state": DocumentState.SUBMITTED}
    ).order_by("updated_at")[: LIST_LIMIT * 2]
    to_approve = []
    for document in submitted:
        pending = services.pending_approvers(document)
        if pending is None or (pending and pending[0] == user.pk):
            to_approve.append(document)
    to_sign = selectors.document_list(user=user, filters={"state": DocumentState.APPROVED}).filter(
        signer=user
    )
    to_assign = _in_units(
        selectors.document_list(
            user=user,
            filters={"direction": Direction.INCOMING, "state": DocumentState.REGISTERED},
        ),
        user,
        "documents.add_assignment",
    )
    late = (
        Assignment.objects.filter(document=OuterRef("pk"), deadline__lt=today)
        .exclude(state=HandlingState.DONE)
        .order_by("deadline")
        .values("deadline")[:1]
    )
    overdue = list(
        selectors.overdue_for(user=user, on=today).annotate(late_deadline=Subquery(late))
    )
    for document in overdue:
        document.days_late = _days_late(document, today)  # type: ignore[attr-defined]
    overdue.sort(key=lambda d: -d.days_late)  # type: ignore[attr-defined]
    bars = age_bars([d.days_late for d in overdue])  # type: ignore[attr-defined]
    return render(
        request,
        "documents/leader.html",
        {
            "tabs": _tabs(user),
            "to_approve": to_approve[:LIST_LIMIT],
            "to_sign": to_sign.order_by("updated_at")[:LIST_LIMIT],
            "to_assign": to_assign.order_by("arrival_date")[:LIST_LIMIT],
            "overdue": overdue[: LIST_LIMIT * 2],
            "overdue_count": len(overdue),
            "bars": bars,
            "chart_width": CHART_WIDTH,
            "chart_height": 12 + len(bars) * (CHART_BAR_HEIGHT + 8),
            "chart_label_width": CHART_LABEL_WIDTH,
            "chart_bar_height": CHART_BAR_HEIGHT,
        },
    )
