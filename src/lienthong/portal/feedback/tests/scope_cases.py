"""How the shared permission matrix exercises citizens' feedback: a feedback routed to
the given unit, looked at through restrict and its staff page."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.urls import reverse
from django.utils import timezone

from lienthong.core.testing.matrix import ScopeCase
from lienthong.portal.feedback.models import Feedback, Topic

_numbers = itertools.count(1)


def _feedback_in(unit: Any) -> Feedback:
    n = next(_numbers)
    topic = Topic.objects.create(name=f"Chủ đề ma trận {n}", unit=unit)
    return Feedback.objects.create(
        code=f"GY-MATRIX{n:05d}",
        topic=topic,
        unit=unit,
        text="Góp ý thử quyền.",
        deadline=timezone.localdate() + dt.timedelta(days=15),
    )


SCOPE_CASES = [
    ScopeCase(
        model=Feedback,
        make=_feedback_in,
        page_url=lambda obj: reverse("feedback-detail", args=[obj.pk]),
    ),
]
