"""The rules of the work calendar's services (issue #10 scope 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from lienthong.audit.models import AuditEvent
from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.portal.agenda.choices import EventKind, EventState, NotificationKind
from lienthong.portal.agenda.models import Event, Notification
from lienthong.portal.agenda.services import (
    event_cancel,
    event_create,
    event_minutes_attach,
    event_update,
    events_remind,
)
from lienthong.portal.agenda.tests.conftest import at, make_document, make_event, pdf_bytes

pytestmark = pytest.mark.django_db


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def test_an_entry_must_end_after_it_starts(world: Any) -> None:
    """GIVEN the clerk of A1 WHEN an entry ends before it starts THEN refused, nothing
    written."""
    with pytest.raises(InvalidInput) as caught:
        event_create(
            actor=world.clerk_a1,
            unit=world.commune_a1,
            title="Họp",
            starts_at=at(_tomorrow(), 10),
            ends_at=at(_tomorrow(), 9),
            kind=EventKind.MEETING,
        )
    assert "ends_at" in caught.value.extra["fields"]
    assert not Event.objects.exists()


def test_the_online_link_must_be_https(world: Any) -> None:
    """GIVEN an http:// meeting link WHEN the entry is saved THEN refused; an https://
    link is kept."""
    with pytest.raises(InvalidInput) as caught:
        make_event(
            world.commune_a1, actor=world.clerk_a1, online_meeting_url="http://hop.example/p1"
        )
    assert "online_meeting_url" in caught.value.extra["fields"]
    event = make_event(
        world.commune_a1, actor=world.clerk_a1, online_meeting_url="https://hop.example/p1"
    )
    assert event.online_meeting_url == "https://hop.example/p1"


def test_all_day_entry_covers_whole_days(world: Any) -> None:
    """GIVEN an all-day trip from 10:00 to 11:00 WHEN saved THEN it runs 00:00 to 23:59:59."""
    event = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        all_day=True,
        kind=EventKind.TRIP,
        starts_at=at(_tomorrow(), 10),
        ends_at=at(_tomorrow(), 11),
    )
    local_start = timezone.localtime(event.starts_at)
    local_end = timezone.localtime(event.ends_at)
    assert (local_start.hour, local_start.minute) == (0, 0)
    assert (local_end.hour, local_end.minute) == (23, 59)


def test_only_the_units_keepers_write_its_calendar(world: Any) -> None:
    """GIVEN the clerk of B1 WHEN they put an entry in A1's calendar THEN not found."""
    with pytest.raises(NotFound):
        make_event(world.commune_a1, actor=world.clerk_b1)


def test_a_document_the_creator_cannot_read_is_refused(world: Any) -> None:
    """GIVEN a Mật document of A1 and the clerk of A1 (no clearance) WHEN they attach it
    THEN refused; an unclassified one is attached."""
    secret = make_document(world.commune_a1, classification=Clearance.CONFIDENTIAL)
    plain = make_document(world.commune_a1)
    with pytest.raises(InvalidInput) as caught:
        make_event(world.commune_a1, actor=world.clerk_a1, documents=[secret])
    assert "documents" in caught.value.extra["fields"]
    event = make_event(world.commune_a1, actor=world.clerk_a1, documents=[plain])
    assert list(event.documents.all()) == [plain]


def test_another_units_document_is_refused(world: Any) -> None:
    """GIVEN a document of B1 WHEN the clerk of A1 attaches it THEN refused."""
    other = make_document(world.commune_b1)
    with pytest.raises(InvalidInput):
        make_event(world.commune_a1, actor=world.clerk_a1, documents=[other])


def test_publish_tells_the_leaders_and_cancel_tells_them_again(world: Any) -> None:
    """GIVEN a draft of province A with its leader attending WHEN the clerk publishes it
    THEN the leader gets a notification; WHEN it is cancelled THEN the leader gets
    another, the state is cancelled, the reason kept and it can no longer change."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    clerk = member(UserFactory(), world.province_a, RoleCode.CLERK)
    event = make_event(world.province_a, actor=clerk, leaders=[world.leader_a])
    assert Notification.objects.filter(
        user=world.leader_a, kind=NotificationKind.EVENT_PUBLISHED
    ).exists()
    event_cancel(actor=clerk, event=event, reason="Lãnh đạo đi công tác")
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    assert event.cancelled_reason == "Lãnh đạo đi công tác"
    assert Notification.objects.filter(
        user=world.leader_a, kind=NotificationKind.EVENT_CANCELLED
    ).exists()
    with pytest.raises(InvalidInput):
        event_update(actor=clerk, event=event, title="Khác")
    with pytest.raises(InvalidInput):
        event_cancel(actor=clerk, event=event, reason="lần nữa")
    verbs = set(AuditEvent.objects.filter(target_id=str(event.pk)).values_list("verb", flat=True))
    assert {"event.create", "event.publish", "event.cancel"} <= verbs


def test_cancel_needs_a_reason(world: Any) -> None:
    """GIVEN an entry WHEN it is cancelled without a reason THEN refused."""
    event = make_event(world.commune_a1, actor=world.clerk_a1)
    with pytest.raises(InvalidInput):
        event_cancel(actor=world.clerk_a1, event=event, reason="  ")


def test_minutes_must_be_a_pdf_of_a_meeting_that_started(world: Any) -> None:
    """GIVEN a meeting of yesterday and one of tomorrow WHEN minutes are attached THEN a
    text file is refused, a PDF is kept; tomorrow's meeting has no minutes yet."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        starts_at=at(yesterday, 8),
        ends_at=at(yesterday, 10),
    )
    with pytest.raises(InvalidInput):
        event_minutes_attach(
            actor=world.clerk_a1, event=past, data=b"not a pdf at all", name="bien-ban.pdf"
        )
    past.refresh_from_db()
    assert past.minutes is None
    event_minutes_attach(actor=world.clerk_a1, event=past, data=pdf_bytes(), name="bien-ban.pdf")
    past.refresh_from_db()
    assert past.minutes is not None and past.minutes_name == "bien-ban.pdf"
    future = make_event(world.commune_a1, actor=world.clerk_a1)
    with pytest.raises(InvalidInput):
        event_minutes_attach(actor=world.clerk_a1, event=future, data=pdf_bytes(), name="b.pdf")


def test_reminder_goes_once_to_the_leaders_and_the_creator(world: Any) -> None:
    """GIVEN a published entry of province A starting in 30 minutes, reminder 60, with
    the leader attending, created by a provincial clerk, and a draft starting as soon
    WHEN the reminder task runs twice THEN the leader and the clerk get one reminder
    each, nobody else, and nothing for the draft."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    clerk = member(UserFactory(), world.province_a, RoleCode.CLERK)
    start = timezone.now() + dt.timedelta(minutes=30)
    event = make_event(
        world.province_a,
        actor=clerk,
        leaders=[world.leader_a],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        reminder_minutes=60,
    )
    make_event(
        world.province_a,
        actor=clerk,
        publish=False,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    later = make_event(
        world.province_a,
        actor=clerk,
        starts_at=start + dt.timedelta(hours=5),
        ends_at=start + dt.timedelta(hours=6),
    )
    from lienthong.portal.agenda.tasks import reminders_sweep

    reminders_sweep.call()
    reminders_sweep.call()
    reminders = Notification.objects.filter(kind=NotificationKind.EVENT_REMINDER)
    assert sorted(reminders.values_list("user_id", flat=True)) == sorted(
        [world.leader_a.pk, clerk.pk]
    )
    assert all(event.title in n.text for n in reminders)
    event.refresh_from_db()
    later.refresh_from_db()
    assert event.reminded_at is not None and later.reminded_at is None
    assert events_remind() == 0


def test_moving_the_start_arms_the_reminder_again(world: Any) -> None:
    """GIVEN a reminded entry WHEN its start moves THEN it will be reminded again."""
    start = timezone.now() + dt.timedelta(minutes=10)
    event = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    assert events_remind() == 1
    event.refresh_from_db()
    event_update(
        actor=world.clerk_a1,
        event=event,
        starts_at=start + dt.timedelta(minutes=20),
        ends_at=start + dt.timedelta(hours=2),
    )
    event.refresh_from_db()
    assert event.reminded_at is None
    assert events_remind() == 1
