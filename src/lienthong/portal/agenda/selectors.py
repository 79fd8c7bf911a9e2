"""Reads of the work calendar and of the notifications that reach a person.

Every entry a person reads starts from ``Event.objects.restrict(user, "view")`` (org/
roles.py grants it with documents.view_document: whoever reads the unit's documents
reads its calendar) and keeps the published and cancelled entries; a draft is seen by
those who keep the calendar (``restrict(user, "change")``) and by its creator.
Notifications are the person's own, never anyone else's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.org.models import Unit
from lienthong.portal.agenda.choices import EventState
from lienthong.portal.agenda.models import Event, Notification

__all__ = [
    "Week",
    "WeekDay",
    "calendar_units",
    "event_get",
    "event_list",
    "event_week",
    "home_units",
    "keeping_units",
    "notification_get",
    "notification_list",
    "unread_count",
]

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday ("2026-W48")."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Week:
        """The week of ``day``."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def parse(cls, text: str | None, default: dt.date | None = None) -> Week:
        """Read "2026-W48"; anything else is the week of ``default`` (today)."""
        found = _WEEK.match((text or "").strip())
        if found:
            year, number = int(found.group(1)), int(found.group(2))
            try:
                dt.date.fromisocalendar(year, number, 1)
            except ValueError:
                pass
            else:
                return cls(year, number)
        return cls.of(default or timezone.localdate())

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    @property
    def previous(self) -> Week:
        return Week.of(self.monday - dt.timedelta(days=7))

    @property
    def next(self) -> Week:
        return Week.of(self.monday + dt.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Monday 00:00 and the next Monday 00:00, in the node's time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.monday, dt.time.min, tzinfo=tz)
        return start, start + dt.timedelta(days=7)


@dataclass
class WeekDay:
    """One day of the week view, with the entries that touch it."""

    date: dt.date
    events: list[Event] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def _visible(user: Any) -> QuerySet[Event]:
    seen = Event.objects.restrict(user, "view").filter(
        state__in=[EventState.PUBLISHED, EventState.CANCELLED]
    )
    kept = Event.objects.restrict(user, "change").values("pk")
    own = Q(created_by_id=getattr(user, "pk", None)) if getattr(user, "pk", None) else Q(pk=None)
    return Event.objects.filter(
        Q(pk__in=seen.values("pk")) | Q(pk__in=kept) | (own & Q(pk__in=_in_view_units(user)))
    )


def _in_view_units(user: Any) -> Any:
    """The entries of units where the person may read the calendar at all."""
    return Event.objects.restrict(user, "view").values("pk")


def event_list(
    *,
    user: Any,
    units: Any = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    leader: Any = None,
) -> QuerySet[Event]:
    """The entries ``user`` may read, earliest first.

    Args:
        user: the person.
        units: only these units (a queryset or list of units or ids), when given.
        start, end: only entries that overlap [start, end).
        leader: only the entries this leader attends.
    """
    qs = _visible(user)
    if units is not None:
        qs = qs.filter(unit__in=units)
    if start is not None:
        qs = qs.filter(ends_at__gt=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if leader is not None:
        qs = qs.filter(leaders=leader)
    return (
        qs.select_related("unit", "created_by")
        .prefetch_related("leaders")
        .order_by("starts_at", "pk")
    )


def event_week(*, user: Any, week: Week, units: Any = None, leader: Any = None) -> list[WeekDay]:
    """The week view: Monday to Sunday, each day with the entries that touch it (an
    entry of several days shows on each)."""
    start, end = week.bounds()
    days = [WeekDay(date=day) for day in week.days]
    for event in event_list(user=user, units=units, start=start, end=end, leader=leader):
        first = timezone.localtime(event.starts_at).date()
        last = timezone.localtime(event.ends_at - dt.timedelta(microseconds=1)).date()
        for day in days:
            if first <= day.date <= last:
                day.events.append(event)
    return days


def event_get(*, user: Any, pk: Any) -> Event:
    """One entry ``user`` may read.

    Raises:
        NotFound: missing, out of scope, or a draft the person does not keep.
    """
    try:
        return (
            event_list(user=user).select_related("minutes").prefetch_related("documents").get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This calendar entry does not exist or is not yours to see.")) from exc


def _units_where(user: Any, permission: str) -> QuerySet[Unit]:
    where = allowed_units(user, permission)
    if where is None:
        return Unit.objects.none()
    if isinstance(where, AllUnits):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=where)


def calendar_units(*, user: Any) -> QuerySet[Unit]:
    """The units whose calendar the person may read, the highest first."""
    return _units_where(user, "agenda.view_event").order_by("depth", "sort_order", "sort_key")


def keeping_units(*, user: Any) -> QuerySet[Unit]:
    """The units whose calendar the person keeps (``agenda.add_event``)."""
    return _units_where(user, "agenda.add_event").order_by("depth", "sort_order", "sort_key")


def home_units(*, user: Any) -> QuerySet[Unit]:
    """The units the person is a member of (active memberships): their own calendars."""
    from lienthong.org.models import Membership

    pk = getattr(user, "pk", None)
    if pk is None:
        return Unit.objects.none()
    mine = Membership.objects.active().filter(user_id=pk)
    return Unit.objects.filter(pk__in=mine.values("unit_id"))


def notification_list(*, user: Any, unread: bool = False) -> QuerySet[Notification]:
    """The person's own notifications, newest first."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=pk)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notification_get(*, user: Any, pk: Any) -> Notification:
    """One of the person's own notifications.

    Raises:
        NotFound: missing or someone else's.
    """
    try:
        return notification_list(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("This notification does not exist or is not yours.")) from exc


def unread_count(*, user: Any) -> int:
    """How many unread notifications the person has (one COUNT query)."""
    return notification_list(user=user, unread=True).count()
