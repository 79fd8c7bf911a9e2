"""The portal's services: the announcements' editorial workflow and putting issued
documents on the portal (issue #10 scope 1)."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.portal import selectors, services
from lienthong.portal.choices import AnnouncementState
from lienthong.portal.tests.conftest import announcement, issued_document

pytestmark = pytest.mark.django_db


def _write(people: dict[str, Any], world: Any, **values: Any) -> Any:
    fields = {"title": "Hội nghị trực tuyến về Đề án 06", "body": "Nội dung.\n\n\n\nTiếp theo."}
    fields.update(values)
    return services.announcement_create(actor=people["clerk"], unit=world.province_a, **fields)


def test_draft_is_not_public_until_published(world: Any, people: Any) -> None:
    """GIVEN a clerk's draft WHEN it is submitted by the clerk and published by the leader
    THEN only after publication is it among the public announcements, approved by the
    leader and dated; each step is audited."""
    draft = _write(people, world)
    assert draft.state == AnnouncementState.DRAFT
    assert draft.body == "Nội dung.\n\nTiếp theo."
    assert not selectors.announcements_public().filter(pk=draft.pk).exists()
    services.announcement_submit(actor=people["clerk"], announcement=draft)
    assert draft.state == AnnouncementState.SUBMITTED
    assert not selectors.announcements_public().filter(pk=draft.pk).exists()
    services.announcement_publish(actor=people["leader"], announcement=draft)
    draft.refresh_from_db()
    assert draft.state == AnnouncementState.PUBLISHED
    assert draft.approver == people["leader"]
    assert draft.published_at is not None
    assert selectors.announcements_public().filter(pk=draft.pk).exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"announcement.create", "announcement.submit", "announcement.publish"} <= verbs


def test_only_a_leader_publishes(world: Any, people: Any) -> None:
    """GIVEN a submitted announcement WHEN the clerk, the specialist or another
    province's leader tries to publish it THEN it is "not found" for them and stays
    submitted."""
    submitted = _write(people, world)
    services.announcement_submit(actor=people["clerk"], announcement=submitted)
    for who in ("clerk", "specialist", "leader_b"):
        with pytest.raises(NotFound):
            services.announcement_publish(actor=people[who], announcement=submitted)
    submitted.refresh_from_db()
    assert submitted.state == AnnouncementState.SUBMITTED


def test_publishing_needs_submission(world: Any, people: Any) -> None:
    """GIVEN a draft WHEN the leader publishes it directly THEN it is refused."""
    draft = _write(people, world)
    with pytest.raises(InvalidInput):
        services.announcement_publish(actor=people["leader"], announcement=draft)


def test_specialist_writes_and_submits(world: Any, people: Any) -> None:
    """GIVEN the specialist of province A WHEN they write and submit THEN it works; in
    province B they may not write."""
    made = services.announcement_create(
        actor=people["specialist"], unit=world.province_a, title="Tin", body="Nội dung"
    )
    services.announcement_submit(actor=people["specialist"], announcement=made)
    with pytest.raises(NotFound):
        services.announcement_create(
            actor=people["specialist"], unit=world.province_b, title="Tin", body="Nội dung"
        )


def test_published_announcement_cannot_be_changed(world: Any, people: Any) -> None:
    """GIVEN a published announcement WHEN the clerk changes its title THEN it is refused;
    a draft may be changed."""
    draft = _write(people, world)
    services.announcement_update(actor=people["clerk"], announcement=draft, title="Mới")
    assert draft.title == "Mới"
    assert draft.search_key == "moi"
    published = announcement(world.province_a)
    with pytest.raises(InvalidInput):
        services.announcement_update(actor=people["clerk"], announcement=published, title="X")


def test_missing_title_is_refused_by_field(world: Any, people: Any) -> None:
    """GIVEN no title WHEN creating THEN InvalidInput names the field, nothing saved."""
    with pytest.raises(InvalidInput) as caught:
        _write(people, world, title="   ")
    assert "title" in caught.value.extra["fields"]


def test_withdraw_hides_and_needs_a_reason(world: Any, people: Any) -> None:
    """GIVEN a published announcement WHEN the leader withdraws it without a reason THEN
    refused; with one THEN it leaves the public list and keeps the reason."""
    published = announcement(world.province_a)
    with pytest.raises(InvalidInput):
        services.announcement_withdraw(actor=people["leader"], announcement=published, reason=" ")
    with pytest.raises(NotFound):
        services.announcement_withdraw(actor=people["clerk"], announcement=published, reason="x")
    services.announcement_withdraw(
        actor=people["leader"], announcement=published, reason="Thông tin đã cũ"
    )
    assert published.state == AnnouncementState.WITHDRAWN
    assert published.withdrawn_reason == "Thông tin đã cũ"
    assert not selectors.announcements_public().filter(pk=published.pk).exists()


def test_clerk_publishes_an_issued_document(world: Any, people: Any) -> None:
    """GIVEN an issued, unclassified document of province A WHEN its clerk publishes it
    THEN it is a public document, once; unpublishing takes it off."""
    document = issued_document(world.province_a)
    published = services.document_publish(actor=people["clerk"], document=document)
    assert published.unit == world.province_a
    assert selectors.published_documents_public().filter(pk=published.pk).exists()
    with pytest.raises(InvalidInput):
        services.document_publish(actor=people["clerk"], document=document)
    services.document_unpublish(actor=people["clerk"], published=published)
    assert not selectors.published_documents_public().filter(pk=published.pk).exists()
    again = services.document_publish(actor=people["clerk"], document=document)
    assert again.pk != published.pk


def test_classified_document_is_refused(world: Any, people: Any, settings: Any) -> None:
    """GIVEN a classified (Mật) issued document, seen by a cleared clerk WHEN publishing
    THEN refused (vn-rules.md §5.2), nothing published."""
    from lienthong.org.models import Role, RoleGrant
    from lienthong.org.tests.factories import UserFactory, member

    role = Role.objects.create(code="cleared-clerk", name="Cleared", clearance=Clearance.SECRET)
    for permission in ("documents.view_document", "portal.add_publisheddocument"):
        RoleGrant.objects.create(role=role, permission=permission, scope="subtree")
    cleared = member(UserFactory(), world.province_a, "cleared-clerk")
    document = issued_document(world.province_a, classification=Clearance.CONFIDENTIAL)
    with pytest.raises(InvalidInput, match="classified"):
        services.document_publish(actor=cleared, document=document)
    assert not selectors.publishable_documents(user=cleared).filter(pk=document.pk).exists()


def test_draft_document_is_refused(world: Any, people: Any) -> None:
    """GIVEN a document still being drafted WHEN its clerk publishes it THEN refused."""
    document = issued_document(world.province_a, state="draft", with_pdf=False)
    with pytest.raises(InvalidInput, match="issued"):
        services.document_publish(actor=people["clerk"], document=document)


def test_other_units_document_is_not_found(world: Any, people: Any) -> None:
    """GIVEN an issued document of province A WHEN the clerk of province B or the
    province's specialist (no portal right) publishes it THEN "not found"."""
    document = issued_document(world.province_a)
    with pytest.raises(NotFound):
        services.document_publish(actor=people["clerk_b"], document=document)
    with pytest.raises(NotFound):
        services.document_publish(actor=people["specialist"], document=document)
    assert selectors.publishable_documents(user=people["clerk"]).filter(pk=document.pk).exists()
    assert not selectors.publishable_documents(user=people["clerk_b"]).exists()


def test_recalled_document_leaves_the_portal(world: Any, people: Any) -> None:
    """GIVEN a document on the portal WHEN it is recalled THEN the public no longer sees it."""
    from lienthong.documents.models import Document

    document = issued_document(world.province_a)
    published = services.document_publish(actor=people["clerk"], document=document)
    Document.objects.filter(pk=document.pk).update(state="recalled")
    assert not selectors.published_documents_public().filter(pk=published.pk).exists()
