"""How the shared permission matrix exercises the calendar's scoped model: a published
entry of the given unit, looked at through restrict and its page. (``Notification``
belongs to one person and is not unit-scoped: it declares no ``scope_path``, so the
matrix leaves it out; its pages are tested in ``test_notifications``.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from lienthong.core.testing.matrix import ScopeCase
from lienthong.portal.agenda.choices import EventKind, EventState
from lienthong.portal.agenda.models import Event


def _event_in(unit: Any) -> Event:
    start = timezone.now() + dt.timedelta(days=1)
    return Event.objects.create(
        unit=unit,
        title="Họp giao ban tuần",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        kind=EventKind.MEETING,
        state=EventState.PUBLISHED,
    )


SCOPE_CASES = [
    ScopeCase(
        model=Event,
        make=_event_in,
        page_url=lambda obj: reverse("agenda-event", args=[obj.pk]),
    ),
]
