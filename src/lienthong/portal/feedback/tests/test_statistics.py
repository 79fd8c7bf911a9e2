"""The figures for Reports (issue #10 scope 2): received, answered, answered on time and
overdue, in all, by topic and by unit, within what the reader may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from lienthong.portal.feedback.models import Feedback
from lienthong.portal.feedback.selectors import feedback_statistics
from lienthong.portal.feedback.services import feedback_answer
from lienthong.portal.feedback.tests.conftest import make_feedback

pytestmark = pytest.mark.django_db


def _shift(feedback: Any, *, received_days_ago: int, deadline_days: int) -> None:
    received = timezone.now() - dt.timedelta(days=received_days_ago)
    Feedback.objects.filter(pk=feedback.pk).update(
        received_at=received,
        deadline=timezone.localdate(received) + dt.timedelta(days=deadline_days),
    )
    feedback.refresh_from_db()


def test_statistics_count_received_answered_on_time_and_overdue(
    world: Any, topics: Any, people: Any
) -> None:
    """GIVEN in commune A1: one answered on time, one answered after its deadline, one
    overdue and open, one open within its deadline; in commune B1 one open; and one in
    A1 received before the period
    WHEN the leader of province A and the central administrator ask for the period
    THEN the leader counts 4 received, 2 answered, 1 on time, 1 overdue, all in A1 and
    its topic; the administrator also counts B1, by unit and topic."""
    from lienthong.portal.feedback.models import Topic

    topic_a1_other = Topic.objects.create(name="Giáo dục", unit=world.commune_a1)
    on_time = make_feedback(topics["a1"])
    feedback_answer(actor=people["specialist"], feedback=on_time, answer="Đã trả lời.")
    late = make_feedback(topics["a1"])
    _shift(late, received_days_ago=20, deadline_days=10)
    feedback_answer(actor=people["specialist"], feedback=late, answer="Trả lời muộn.")
    overdue = make_feedback(topic_a1_other)
    _shift(overdue, received_days_ago=15, deadline_days=10)
    make_feedback(topics["a1"])
    make_feedback(topics["b1"])
    old = make_feedback(topics["a1"])
    _shift(old, received_days_ago=400, deadline_days=10)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=30), today

    stats = feedback_statistics(user=people["leader"], unit=None, start=start, end=end)

    assert (stats.received, stats.answered, stats.answered_on_time, stats.overdue_open) == (
        4,
        2,
        1,
        1,
    )
    assert stats.on_time_rate == 0.5
    by_topic = {
        row.name: (row.received, row.answered, row.answered_on_time, row.overdue_open)
        for row in stats.by_topic
    }
    assert by_topic == {"Thủ tục hành chính": (3, 2, 1, 0), "Giáo dục": (1, 0, 0, 1)}
    assert [(row.name, row.received) for row in stats.by_unit] == [(world.commune_a1.name, 4)]

    everything = feedback_statistics(user=world.admin_central, unit=None, start=start, end=end)
    assert everything.received == 5
    assert {row.name: row.received for row in everything.by_unit} == {
        world.commune_a1.name: 4,
        world.commune_b1.name: 1,
    }
    province_b = feedback_statistics(
        user=world.admin_central, unit=world.province_b, start=start, end=end
    )
    assert province_b.received == 1
    assert feedback_statistics(user=world.outsider, unit=None, start=start, end=end).received == 0


def test_the_figures_page(topics: Any, people: Any) -> None:
    """GIVEN one feedback WHEN the specialist opens the figures THEN they show it."""
    from django.test import Client

    make_feedback(topics["a1"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["specialist"])

    page = client.get(reverse("feedback-statistics")).content.decode()

    assert "Thủ tục hành chính" in page
    assert "Answered on time" in page
