"""Notifications: in-app, immediate e-mail, the daily digest through a real SMTP server
on loopback, and the pages (issue #10 scope 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from lienthong.portal.agenda.choices import EmailFrequency, NotificationKind
from lienthong.portal.agenda.models import Notification
from lienthong.portal.agenda.services import (
    notification_preference_set,
    notifications_digest_send,
    notify,
)
from lienthong.portal.agenda.tests.conftest import Mailbox, client_for

pytestmark = pytest.mark.django_db


def _people(world: Any) -> tuple[Any, Any]:
    world.leader_a.email = "lanhdao@hanoi.dcs.vn"
    world.leader_a.save(update_fields=["email"])
    world.clerk_a1.email = "vanthu@hoankiem.dcs.vn"
    world.clerk_a1.save(update_fields=["email"])
    return world.leader_a, world.clerk_a1


def test_digest_reaches_the_smtp_server_in_vietnamese(
    world: Any, smtp: Mailbox, settings: Any
) -> None:
    """GIVEN the leader (daily digest, the default) with two unread notifications of
    today, one read, and one of three days ago, and the clerk who chose "never"
    WHEN the digest runs THEN the local SMTP server received one message, to the
    leader, with a Vietnamese subject and the two unread texts only; a second run sends
    nothing."""
    leader, clerk = _people(world)
    notification_preference_set(user=clerk, frequency=EmailFrequency.NONE)
    first = notify(users=[leader, clerk], kind=NotificationKind.GENERAL, text="Lịch họp đã đổi")
    notify(users=[leader], kind=NotificationKind.GENERAL, text="Có văn bản mới cần xử lý", url="/")
    read = notify(users=[leader], kind=NotificationKind.GENERAL, text="Thông báo đã đọc")
    Notification.objects.filter(pk=read[0].pk).update(read_at=timezone.now())
    old = notify(users=[leader], kind=NotificationKind.GENERAL, text="Thông báo cũ")
    Notification.objects.filter(pk=old[0].pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    assert first

    from lienthong.portal.agenda.tasks import digest_daily

    assert digest_daily.call() == 1
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["lanhdao@hanoi.dcs.vn"]
    subject = " ".join(str(message["Subject"]).split())
    with translation.override("vi"):
        expected = translation.gettext("Your notifications of %(day)s") % {
            "day": timezone.localdate().strftime("%d/%m/%Y")
        }
    assert subject == f"[{settings.NODE_NAME}] {expected}"
    assert "Thông báo" in subject  # Vietnamese (the catalogue holds the digest's words)
    body = message.get_content()  # type: ignore[attr-defined]
    assert "Lịch họp đã đổi" in body and "Có văn bản mới cần xử lý" in body
    assert "Thông báo đã đọc" not in body and "Thông báo cũ" not in body
    assert notifications_digest_send() == 0


def test_immediate_preference_sends_at_once(world: Any, smtp: Mailbox, settings: Any) -> None:
    """GIVEN the leader chose "immediately" WHEN notified (tasks run in the caller)
    THEN the SMTP server got the text at once, and the digest leaves it out."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "intake"],
        }
    }
    leader, _clerk = _people(world)
    notification_preference_set(user=leader, frequency=EmailFrequency.IMMEDIATELY)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        notify(users=[leader], kind=NotificationKind.GENERAL, text="Họp khẩn lúc 14 giờ")
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["lanhdao@hanoi.dcs.vn"]
    assert "Họp khẩn lúc 14 giờ" in message.get_content()  # type: ignore[attr-defined]
    assert notifications_digest_send() == 0


def test_notification_pages_belong_to_their_owner(world: Any) -> None:
    """GIVEN notifications of the leader and of the clerk WHEN the clerk opens the list
    THEN only theirs; opening the leader's is 404; "all read" marks only theirs."""
    leader, clerk = world.leader_a, world.clerk_a1
    mine = notify(users=[clerk], kind=NotificationKind.GENERAL, text="Của văn thư", url="/lich/")
    theirs = notify(users=[leader], kind=NotificationKind.GENERAL, text="Của lãnh đạo")
    notify(users=[clerk], kind=NotificationKind.GENERAL, text="Thứ hai của văn thư")
    client = client_for(clerk)
    page = client.get(reverse("agenda-notifications"))
    body = page.content.decode()
    assert f'id="notification-{mine[0].pk}"' in body
    assert f'id="notification-{theirs[0].pk}"' not in body
    assert 'id="nav-unread"' in body
    assert client.post(reverse("agenda-notification-open", args=[theirs[0].pk])).status_code == 404
    opened = client.post(reverse("agenda-notification-open", args=[mine[0].pk]))
    assert opened.status_code == 302 and opened["Location"] == "/lich/"
    assert Notification.objects.get(pk=mine[0].pk).read_at is not None
    client.post(reverse("agenda-notifications-read"))
    assert not Notification.objects.filter(user=clerk, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    assert 'id="nav-unread"' not in client.get(reverse("agenda-notifications")).content.decode()


def test_preference_page(world: Any) -> None:
    """GIVEN the clerk WHEN they choose "immediately" THEN it is saved."""
    from lienthong.portal.agenda.models import NotificationPreference

    client = client_for(world.clerk_a1)
    assert NotificationPreference.frequency_of(world.clerk_a1) == EmailFrequency.DAILY
    client.post(reverse("agenda-notifications"), {"email_frequency": "immediately"})
    assert NotificationPreference.frequency_of(world.clerk_a1) == EmailFrequency.IMMEDIATELY


def test_unread_count_is_one_query(world: Any, django_assert_max_num_queries: Any) -> None:
    """GIVEN a logged-in person WHEN the context processor's count is read THEN one query."""
    from django.test import RequestFactory

    from lienthong.portal.agenda.context_processors import notifications

    notify(users=[world.clerk_a1], kind=NotificationKind.GENERAL, text="Một")
    request = RequestFactory().get("/")
    request.user = world.clerk_a1
    context = notifications(request)
    with django_assert_max_num_queries(1):
        assert int(str(context["UNREAD_NOTIFICATIONS"])) == 1
    anonymous = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    assert notifications(anonymous) == {}
