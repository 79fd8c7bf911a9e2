"""The portal's back office: writing, submitting, publishing and withdrawing
announcements, and putting documents on the portal (issue #10 scope 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from lienthong.portal.choices import AnnouncementState
from lienthong.portal.models import Announcement, PublishedDocument
from lienthong.portal.tests.conftest import announcement, issued_document

pytestmark = pytest.mark.django_db


def test_office_writes_and_leader_publishes_through_the_pages(
    client: Any, world: Any, people: Any
) -> None:
    """GIVEN the clerk of province A WHEN they write and submit an announcement and the
    leader publishes it through the back office THEN it is published and on the portal."""
    client.force_login(people["clerk"])
    response = client.post(
        reverse("portal-staff-new"),
        {
            "unit": world.province_a.pk,
            "title": "Ra mắt ứng dụng công dân số",
            "summary": "",
            "body": "Đoạn một.\n\nĐoạn hai.",
        },
    )
    made = Announcement.objects.get()
    assert response.status_code == 302
    assert made.author == people["clerk"]
    page = client.get(reverse("portal-staff-announcement", args=[made.pk])).content.decode()
    assert 'id="announcement-submit"' in page
    assert 'id="announcement-publish"' not in page
    client.post(reverse("portal-staff-submit", args=[made.pk]))
    assert client.post(reverse("portal-staff-publish", args=[made.pk])).status_code == 404
    client.force_login(people["leader"])
    page = client.get(reverse("portal-staff-announcement", args=[made.pk])).content.decode()
    assert 'id="announcement-publish"' in page
    client.post(reverse("portal-staff-publish", args=[made.pk]))
    made.refresh_from_db()
    assert made.state == AnnouncementState.PUBLISHED
    client.post(reverse("portal-staff-withdraw", args=[made.pk]), {"reason": "Đã cũ"})
    made.refresh_from_db()
    assert made.state == AnnouncementState.WITHDRAWN


def test_staff_list_by_state_and_scope(client: Any, world: Any, people: Any) -> None:
    """GIVEN announcements of provinces A and B WHEN the clerk of A opens the back office
    THEN only A's show, filtered by state."""
    announcement(world.province_a, state="draft", title="Nháp của Hà Nội")
    announcement(world.province_a, title="Tin của Hà Nội")
    announcement(world.province_b, title="Tin của Nghệ An")
    client.force_login(people["clerk"])
    html = client.get(reverse("portal-staff")).content.decode()
    assert "Nháp của Hà Nội" in html and "Tin của Hà Nội" in html
    assert "Tin của Nghệ An" not in html
    drafts = client.get(reverse("portal-staff"), {"trang-thai": "draft"}).content.decode()
    assert "Nháp của Hà Nội" in drafts and "Tin của Hà Nội" not in drafts


def test_edit_refused_field_and_published(client: Any, world: Any, people: Any) -> None:
    """GIVEN a draft WHEN the clerk empties its title THEN the form says so; a published
    announcement cannot be edited."""
    draft = announcement(world.province_a, state="draft")
    client.force_login(people["clerk"])
    response = client.post(
        reverse("portal-staff-edit", args=[draft.pk]), {"title": "", "body": "x"}
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    published = announcement(world.province_a)
    response = client.get(reverse("portal-staff-edit", args=[published.pk]))
    assert response.status_code == 302


def test_back_office_needs_a_role(client: Any, world: Any, people: Any) -> None:
    """GIVEN someone without a role WHEN they open the back office THEN 403; anonymous
    visitors are sent to log in."""
    assert client.get(reverse("portal-staff")).status_code == 302
    client.force_login(people["outsider"])
    assert client.get(reverse("portal-staff")).status_code == 403
    assert client.get(reverse("portal-staff-new")).status_code == 403


def test_clerk_publishes_a_document_through_the_page(client: Any, world: Any, people: Any) -> None:
    """GIVEN an issued document of province A WHEN its clerk picks it in the back office
    THEN it is on the portal, and can be taken off; the clerk of B never sees it."""
    document = issued_document(world.province_a, subject="Về Đề án 06 của Thành ủy")
    client.force_login(people["clerk_b"])
    assert "Về Đề án 06" not in client.get(reverse("portal-staff-documents")).content.decode()
    client.force_login(people["clerk"])
    page = client.get(reverse("portal-staff-documents")).content.decode()
    assert "Về Đề án 06 của Thành ủy" in page
    response = client.post(reverse("portal-staff-documents"), {"document": document.pk})
    assert response.status_code == 302
    published = PublishedDocument.objects.get()
    client.force_login(people["clerk_b"])
    assert client.post(reverse("portal-staff-unpublish", args=[published.pk])).status_code == 404
    client.force_login(people["clerk"])
    client.post(reverse("portal-staff-unpublish", args=[published.pk]))
    published.refresh_from_db()
    assert published.withdrawn_at is not None
