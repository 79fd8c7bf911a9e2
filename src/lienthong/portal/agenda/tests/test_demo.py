"""The demo calendar (``lienthong load_demo_agenda``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.mark.django_db
def test_demo_needs_the_demo_accounts() -> None:
    """GIVEN no demo units WHEN the command runs THEN a one-line error."""
    with pytest.raises(CommandError):
        call_command("load_demo_agenda")


@pytest.mark.django_db
def test_demo_loads_this_week_once(world: Any) -> None:
    """GIVEN the Hà Nội unit and the demo clerk and leader WHEN the demo loads twice
    THEN five published entries this week, one online, and notifications; the second
    run changes nothing."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.demo import HANOI
    from lienthong.org.tests.factories import UserFactory, member
    from lienthong.portal.agenda.choices import EventState
    from lienthong.portal.agenda.demo import demo_agenda_load
    from lienthong.portal.agenda.models import Event, Notification

    world.province_a.source_key = HANOI
    world.province_a.save()
    member(UserFactory(username="vanthu.hanoi"), world.province_a, RoleCode.CLERK)
    member(UserFactory(username="lanhdao.hanoi"), world.province_a, RoleCode.LEADER)
    report = demo_agenda_load()
    assert report.events == 5 and report.notifications > 0
    assert Event.objects.filter(state=EventState.PUBLISHED).count() == 5
    assert Event.objects.exclude(online_meeting_url="").count() == 1
    assert Notification.objects.exists()
    assert demo_agenda_load().skipped
