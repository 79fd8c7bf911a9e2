"""The calendar pages and the home page panels (issue #10 scopes 3, 4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lienthong.portal.agenda.choices import EventState
from lienthong.portal.agenda.models import Event
from lienthong.portal.agenda.selectors import Week
from lienthong.portal.agenda.tests.conftest import at, client_for, make_event, pdf_bytes

pytestmark = pytest.mark.django_db

WEEK = Week(2026, 48)  # Monday 23/11/2026 to Sunday 29/11/2026


def _row(body: str, day: dt.date) -> str:
    found = re.search(rf'<tr id="day-{day:%Y-%m-%d}".*?</tr>', body, re.S)
    assert found, day
    return found.group(0)


def test_week_puts_entries_in_their_day_and_hides_other_provinces(world: Any) -> None:
    """GIVEN entries of commune A1 on Tuesday and Thursday of week 48, a draft, and an
    entry of commune B1 on Tuesday WHEN the clerk of A1 opens the week THEN each entry
    is in its day's row, the other province's is absent; a specialist of A1 does not
    see the draft."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    tuesday, thursday = WEEK.monday + dt.timedelta(days=1), WEEK.monday + dt.timedelta(days=3)
    council = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        title="Họp Đảng ủy phường",
        starts_at=at(tuesday, 8),
        ends_at=at(tuesday, 10),
        online_meeting_url="https://hop.tu.hanoi.dcs.vn/phong-1",
    )
    visit = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        title="Kiểm tra cơ sở",
        starts_at=at(thursday, 14),
        ends_at=at(thursday, 16),
    )
    draft = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        publish=False,
        title="Dự thảo lịch",
        starts_at=at(thursday, 8),
        ends_at=at(thursday, 9),
    )
    other = make_event(
        world.commune_b1,
        actor=world.clerk_b1,
        title="Họp xã Nghi Lộc",
        starts_at=at(tuesday, 8),
        ends_at=at(tuesday, 9),
    )
    page = client_for(world.clerk_a1).get(
        reverse("agenda-week"), {"don-vi": world.commune_a1.pk, "tuan": "2026-W48"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="event-{council.pk}"' in _row(body, tuesday)
    assert f'id="event-{visit.pk}"' in _row(body, thursday)
    assert f'id="event-{visit.pk}"' not in _row(body, tuesday)
    assert f'id="event-{draft.pk}"' in _row(body, thursday)
    assert f'id="event-{other.pk}"' not in body
    assert 'href="https://hop.tu.hanoi.dcs.vn/phong-1"' in body
    assert "<iframe" not in body
    assert "23/11/2026" in body and "29/11/2026" in body

    specialist = member(UserFactory(), world.commune_a1, RoleCode.SPECIALIST)
    seen = client_for(specialist).get(
        reverse("agenda-week"), {"don-vi": world.commune_a1.pk, "tuan": "2026-W48"}
    )
    assert f'id="event-{council.pk}"' in seen.content.decode()
    assert f'id="event-{draft.pk}"' not in seen.content.decode()


def test_week_of_another_province_is_404_and_no_right_is_403(world: Any) -> None:
    """GIVEN the clerk of A1 WHEN they ask for B1's week THEN 404; an outsider gets 403."""
    client = client_for(world.clerk_a1)
    assert client.get(reverse("agenda-week"), {"don-vi": world.commune_b1.pk}).status_code == 404
    assert client_for(world.outsider).get(reverse("agenda-week")).status_code == 403


def test_week_filtered_by_leader(world: Any) -> None:
    """GIVEN two entries of province A, the leader attending one WHEN the week is
    filtered by the leader THEN only that one shows."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    clerk = member(UserFactory(), world.province_a, RoleCode.CLERK)
    monday = WEEK.monday
    with_leader = make_event(
        world.province_a,
        actor=clerk,
        leaders=[world.leader_a],
        starts_at=at(monday, 8),
        ends_at=at(monday, 9),
    )
    without = make_event(
        world.province_a, actor=clerk, starts_at=at(monday, 10), ends_at=at(monday, 11)
    )
    body = (
        client_for(clerk)
        .get(
            reverse("agenda-week"),
            {"don-vi": world.province_a.pk, "tuan": "2026-W48", "lanh-dao": world.leader_a.pk},
        )
        .content.decode()
    )
    assert f'id="event-{with_leader.pk}"' in body
    assert f'id="event-{without.pk}"' not in body


def test_print_page_has_the_weekly_layout(world: Any) -> None:
    """GIVEN an entry on Wednesday of week 48 WHEN the printable week is opened THEN it
    has the print stylesheet, the title, the unit's name and the week's dates, and the
    entry in Wednesday's rows."""
    wednesday = WEEK.monday + dt.timedelta(days=2)
    event = make_event(
        world.commune_a1,
        actor=world.clerk_a1,
        title="Hội nghị sơ kết",
        place="Hội trường",
        participants="Các chi bộ",
        starts_at=at(wednesday, 14),
        ends_at=at(wednesday, 16),
    )
    page = client_for(world.clerk_a1).get(
        reverse("agenda-week-print"), {"don-vi": world.commune_a1.pk, "tuan": "2026-W48"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'media="print"' in body and "agenda-print.css" in body
    assert "Work calendar of the week" in body
    assert world.commune_a1.name.upper() in body
    assert "from 23/11/2026 to 29/11/2026" in body
    assert f'id="print-{wednesday:%Y-%m-%d}-{event.pk}"' in body
    assert "Hội trường" in body and "Các chi bộ" in body
    assert "<script" not in body.split("</head>")[1]
    assert "style=" not in body


def test_new_entry_page_saves_a_draft_and_reports_errors(world: Any) -> None:
    """GIVEN the clerk of A1 WHEN they post an entry with an http:// link THEN the form
    comes back with the error beside the field; with https THEN a draft is saved."""
    client = client_for(world.clerk_a1)
    data = {
        "unit": world.commune_a1.pk,
        "title": "Họp chi bộ",
        "kind": "meeting",
        "starts_at": "2026-11-24T08:00",
        "ends_at": "2026-11-24T10:00",
        "reminder_minutes": "30",
        "online_meeting_url": "http://hop.example/1",
    }
    refused = client.post(reverse("agenda-new"), data)
    assert refused.status_code == 200
    assert 'id="id_online_meeting_url-errors"' in refused.content.decode()
    assert not Event.objects.exists()
    data["online_meeting_url"] = "https://hop.example/1"
    saved = client.post(reverse("agenda-new"), data)
    assert saved.status_code == 302
    event = Event.objects.get()
    assert event.state == EventState.DRAFT and event.reminder_minutes == 30
    assert client.post(reverse("agenda-publish", args=[event.pk])).status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED


def test_cancel_page(world: Any) -> None:
    """GIVEN a published entry WHEN its keeper cancels it with a reason THEN it is
    cancelled and the page says so; another commune's clerk gets 404."""
    event = make_event(world.commune_a1, actor=world.clerk_a1)
    url = reverse("agenda-cancel", args=[event.pk])
    assert client_for(world.clerk_a2).post(url, {"reason": "x"}).status_code == 404
    response = client_for(world.clerk_a1).post(url, {"reason": "Hoãn"}, follow=True)
    assert 'id="event-cancelled"' in response.content.decode()
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED


def test_minutes_upload_accepts_only_a_pdf(world: Any) -> None:
    """GIVEN yesterday's meeting WHEN a text file is uploaded as minutes THEN refused
    beside the field; a PDF THEN attached and served to a reader of the entry, 404 for
    another commune."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    event = make_event(
        world.commune_a1, actor=world.clerk_a1, starts_at=at(yesterday, 8), ends_at=at(yesterday, 9)
    )
    client = client_for(world.clerk_a1)
    url = reverse("agenda-minutes-upload", args=[event.pk])
    bad = client.post(url, {"file": SimpleUploadedFile("bb.pdf", b"hello", "application/pdf")})
    assert bad.status_code == 200 and 'id="id_file-errors"' in bad.content.decode()
    good = client.post(
        url, {"file": SimpleUploadedFile("bien-ban.pdf", pdf_bytes(), "application/pdf")}
    )
    assert good.status_code == 302
    served = client.get(reverse("agenda-minutes", args=[event.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served.content.startswith(b"%PDF-")
    other = client_for(world.clerk_b1).get(reverse("agenda-minutes", args=[event.pk]))
    assert other.status_code == 404


def test_home_shows_my_work_and_this_weeks_calendar(world: Any) -> None:
    """GIVEN the leader of province A assigned an overdue incoming document and an entry
    of province A this week WHEN they open the home page THEN "to handle" and "overdue"
    count 1 and the entry is in the week panel; the memberships still show."""
    from lienthong.documents.choices import HandlingRole
    from lienthong.documents.models import Assignment
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member
    from lienthong.portal.agenda.tests.conftest import make_document

    document = make_document(world.province_a, subject="Về việc báo cáo")
    Assignment.objects.create(
        document=document,
        role=HandlingRole.LEAD,
        assignee=world.leader_a,
        assigned_by=world.leader_a,
        deadline=timezone.localdate() - dt.timedelta(days=3),
    )
    clerk = member(UserFactory(), world.province_a, RoleCode.CLERK)
    now = timezone.localtime()
    event = make_event(
        world.province_a,
        actor=clerk,
        title="Họp Ban Thường vụ",
        starts_at=now.replace(hour=8, minute=0, second=0, microsecond=0),
        ends_at=now.replace(hour=23, minute=0, second=0, microsecond=0),
        leaders=[world.leader_a],
    )
    page = client_for(world.leader_a).get(reverse("home"))
    assert page.status_code == 200
    body = page.content.decode()
    handle = re.search(r'<li id="work-handle">.*?</li>', body, re.S)
    overdue = re.search(r'<li id="work-overdue">.*?</li>', body, re.S)
    assert handle and "<strong>1</strong>" in handle.group(0)
    assert overdue and "<strong>1</strong>" in overdue.group(0)
    calendar = re.search(r'<section class="panel" id="home-calendar".*?</section>', body, re.S)
    assert calendar and f'id="event-{event.pk}"' in calendar.group(0)
    assert 'id="home-notices"' in body
    assert world.province_a.name in body  # the memberships panel
    assert 'id="nav-unread"' in body  # the publication told the leader


def test_home_of_a_person_without_role_still_renders(world: Any) -> None:
    """GIVEN a person with no role WHEN they open home THEN 200, no work or calendar panel."""
    body = client_for(world.outsider).get(reverse("home")).content.decode()
    assert 'id="home-work"' not in body and 'id="home-calendar"' not in body
