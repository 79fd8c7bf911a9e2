"""Reads of citizens' feedback (issue #10 scope 2).

What staff read starts from ``Feedback.objects.restrict(user, "view")`` (the responsible
unit's subtree: org/roles.py grants it to the specialist, the clerk and the leader).
The public reads only through the system selectors ``feedback_by_code`` (the citizen's
own feedback, by its unguessable code) and ``feedback_published`` (the answers published
with consent); neither ever returns contact details to a template (the views pass only
the fields a citizen may see).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, DateField, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.org.models import Unit
from lienthong.portal.feedback.choices import FeedbackState
from lienthong.portal.feedback.constants import CODE_ALPHABET, CODE_LENGTH, CODE_PREFIX
from lienthong.portal.feedback.models import Feedback, Topic
from lienthong.portal.feedback.services import topic_route

__all__ = [
    "FeedbackStatistics",
    "StatisticsRow",
    "code_normalise",
    "feedback_by_code",
    "feedback_get",
    "feedback_list",
    "feedback_published",
    "feedback_statistics",
    "topic_list",
    "topics_open",
]

#: The list's filters: what waits for an answer (default), answered, closed, everything.
LIST_FILTERS = ("open", "overdue", "answered", "closed", "all")


def feedback_list(*, user: Any, state: str = "open") -> QuerySet[Feedback]:
    """The feedback ``user`` may see, new and overdue first: what waits for an answer
    comes first, earliest deadline first (the overdue ones lead), then the rest, newest
    first.

    Args:
        state: ``open`` (waiting), ``overdue``, ``answered``, ``closed`` or ``all``.
    """
    qs = Feedback.objects.restrict(user, "view").select_related("topic", "unit")
    today = timezone.localdate()
    if state == "open":
        qs = qs.filter(state=FeedbackState.RECEIVED)
    elif state == "overdue":
        qs = qs.filter(state=FeedbackState.RECEIVED, deadline__lt=today)
    elif state in (FeedbackState.ANSWERED, FeedbackState.CLOSED):
        qs = qs.filter(state=state)
    waiting = Case(
        When(state=FeedbackState.RECEIVED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(waiting_rank=waiting).order_by(
        "waiting_rank",
        Case(
            When(state=FeedbackState.RECEIVED, then=F("deadline")),
            default=Value(None),
            output_field=DateField(),
        ).asc(nulls_last=True),
        "-received_at",
        "-pk",
    )


def feedback_get(*, user: Any, pk: Any) -> Feedback:
    """One feedback ``user`` may see.

    Raises:
        NotFound: missing or out of scope (pages answer 404).
    """
    try:
        return (
            Feedback.objects.restrict(user, "view")
            .select_related("topic", "unit", "answered_by", "attachment")
            .get(pk=pk)
        )
    except (Feedback.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This feedback does not exist or is not yours to see.")) from None


def code_normalise(raw: str) -> str:
    """A code as a citizen may type it ("gy 7kq2-m9xw4p", "7KQ2M9XW4P") in its stored
    form ("GY-7KQ2M9XW4P"); "" when it cannot be one."""
    letters = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if letters.startswith("GY") and len(letters) == CODE_LENGTH + 2:
        letters = letters[2:]
    if len(letters) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in letters):
        return ""
    return CODE_PREFIX + letters


def feedback_by_code(code: str) -> Feedback | None:
    """The feedback with this tracking code, or None (system use: the public status page;
    the code is the citizen's key, unguessable, and the page shows no contact details)."""
    normal = code_normalise(code)
    if not normal:
        return None
    return Feedback.objects.select_related("topic").filter(code=normal).first()


def feedback_published() -> QuerySet[Feedback]:
    """The answers published with the citizens' consent, newest first (system use: the
    public page of answered feedback)."""
    return (
        Feedback.objects.filter(published=True, consent_publish=True, state=FeedbackState.ANSWERED)
        .select_related("topic")
        .order_by("-published_at", "-pk")
    )


def topics_open() -> QuerySet[Topic]:
    """The topics offered on the public form: active, and routed to a unit (their own,
    or the node's fallback unit when one is set). System use: the public form."""
    qs = Topic.objects.filter(is_active=True).select_related("unit")
    routable = [topic.pk for topic in qs if topic_route(topic) is not None]
    return qs.filter(pk__in=routable)


def topic_list(*, user: Any) -> QuerySet[Topic]:
    """The topics ``user`` may change (routed to a unit where they hold
    ``feedback.change_topic``; every topic with the grant over all units)."""
    units = allowed_units(user, "feedback.change_topic")
    qs = Topic.objects.select_related("unit")
    if units is None:
        return qs.none()
    if isinstance(units, AllUnits):
        return qs
    return qs.filter(unit__in=units)


@dataclass(frozen=True)
class StatisticsRow:
    """The figures of one topic or one unit."""

    key: int
    name: str
    received: int
    answered: int
    answered_on_time: int
    overdue_open: int


@dataclass(frozen=True)
class FeedbackStatistics:
    """The feedback received from ``start`` to ``end`` (both included) and what became
    of it, as of today."""

    start: dt.date
    end: dt.date
    received: int
    answered: int
    answered_on_time: int
    overdue_open: int
    by_topic: list[StatisticsRow] = field(default_factory=list)
    by_unit: list[StatisticsRow] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        """The share of answered feedback answered by its deadline (None: none answered)."""
        return self.answered_on_time / self.answered if self.answered else None


def _figures() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "received": Count("pk"),
        "answered": Count("pk", filter=Q(state=FeedbackState.ANSWERED)),
        "answered_on_time": Count(
            "pk",
            filter=Q(state=FeedbackState.ANSWERED, answered_at__date__lte=F("deadline")),
        ),
        "overdue_open": Count("pk", filter=Q(state=FeedbackState.RECEIVED, deadline__lt=today)),
    }


def _row(row: dict[str, Any], key: str) -> StatisticsRow:
    return StatisticsRow(
        key=row[key],
        name=row[f"{key}__name"],
        received=row["received"],
        answered=row["answered"],
        answered_on_time=row["answered_on_time"],
        overdue_open=row["overdue_open"],
    )


def feedback_statistics(
    *, user: Any, unit: Unit | None, start: dt.date, end: dt.date
) -> FeedbackStatistics:
    """The figures for Reports: received, answered, answered on time, overdue and still
    open, in all and by topic and by unit (three grouped queries).

    Args:
        user: the reader; only the feedback they may see counts.
        unit: count only this unit and the units below it (None: all the reader sees).
        start, end: the days of arrival counted (both included, local time).
    """
    qs = Feedback.objects.restrict(user, "view").filter(
        received_at__date__gte=start, received_at__date__lte=end
    )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    figures = _figures()
    total = qs.aggregate(**figures)
    by_topic = [
        _row(dict(row), "topic")
        for row in qs.order_by()
        .values("topic", "topic__name")
        .annotate(**figures)
        .order_by("topic__name")
    ]
    by_unit = [
        _row(dict(row), "unit")
        for row in qs.order_by()
        .values("unit", "unit__name", "unit__sort_key")
        .annotate(**figures)
        .order_by("unit__sort_key", "unit__name")
    ]
    return FeedbackStatistics(
        start=start,
        end=end,
        received=total["received"] or 0,
        answered=total["answered"] or 0,
        answered_on_time=total["answered_on_time"] or 0,
        overdue_open=total["overdue_open"] or 0,
        by_topic=by_topic,
        by_unit=by_unit,
    )
