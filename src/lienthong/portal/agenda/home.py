"""The panels this app adds to the internal home page (issue #10 scope 3), registered
into ``org.home`` by ``AgendaConfig.ready()``: my work (reusing the documents
dashboard's selectors), my latest notifications, and this week's calendar of my units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.permissions import user_can
from lienthong.org.home import HomePanel
from lienthong.portal.agenda import selectors

__all__ = ["PANELS", "MyWork", "calendar_panel", "my_work", "notices_panel", "work_panel"]

#: How many documents waiting for approval are checked one by one for "is it my turn"
#: (the leader's dashboard does the same walk).
APPROVAL_WINDOW = 100


@dataclass(frozen=True)
class MyWork:
    """The person's counts of work waiting."""

    to_approve: int
    to_sign: int
    to_handle: int
    overdue: int

    @property
    def total(self) -> int:
        return self.to_approve + self.to_sign + self.to_handle + self.overdue


def my_work(user: Any) -> MyWork:
    """Count what waits for ``user``, through the documents selectors the dashboards
    use (``documents.views.dashboard``): drafts submitted whose turn is theirs, approved
    documents they sign, assignments they handle, overdue incoming documents."""
    from lienthong.documents import selectors as documents
    from lienthong.documents.choices import DocumentState, HandlingState
    from lienthong.documents.services import pending_approvers

    to_approve = 0
    if user_can(user, "documents.approve_document"):
        submitted = documents.document_list(
            user=user, action="approve", filters={"state": DocumentState.SUBMITTED}
        ).order_by("updated_at")[:APPROVAL_WINDOW]
        for document in submitted:
            pending = pending_approvers(document)
            if pending is None or (pending and pending[0] == user.pk):
                to_approve += 1
    to_sign = (
        documents.document_list(user=user, filters={"state": DocumentState.APPROVED})
        .filter(signer=user)
        .count()
    )
    to_handle = (
        documents.assignment_list(user=user)
        .filter(assignee=user)
        .exclude(state=HandlingState.DONE)
        .count()
    )
    overdue = documents.overdue_for(user=user).count()
    return MyWork(to_approve=to_approve, to_sign=to_sign, to_handle=to_handle, overdue=overdue)


def work_panel(request: HttpRequest) -> HomePanel | None:
    """My work: to approve, to sign, to handle, overdue (for people who read documents)."""
    user = request.user
    if not user_can(user, "documents.view_document"):
        return None
    return HomePanel(
        key="work",
        title=_("My work"),
        template="agenda/home/_work.html",
        context={"work": my_work(user)},
        order=10,
    )


def notices_panel(request: HttpRequest) -> HomePanel | None:
    """My latest notifications (the committee's notices reach staff as notifications)."""
    user = request.user
    latest = list(selectors.notification_list(user=user)[:5])
    return HomePanel(
        key="notices",
        title=_("Notices"),
        template="agenda/home/_notices.html",
        context={"notifications": latest},
        order=20,
    )


def calendar_panel(request: HttpRequest) -> HomePanel | None:
    """This week's calendar of the units the person belongs to."""
    user = request.user
    if not user_can(user, "agenda.view_event"):
        return None
    week = selectors.Week.of(timezone.localdate())
    days = selectors.event_week(user=user, week=week, units=selectors.home_units(user=user))
    return HomePanel(
        key="calendar",
        title=_("This week's calendar"),
        template="agenda/home/_calendar.html",
        context={"days": [d for d in days if d.events], "week": week},
        order=30,
    )


PANELS = (work_panel, notices_panel, calendar_panel)
