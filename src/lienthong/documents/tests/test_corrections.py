# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""Corrections (đính chính) and replacements (thay thế) of issued documents.

NĐ 30 Điều 18 (vn-rules.md §1.4): an error of content is fixed by a document of the same
form, which replaces the first; an error of form or procedure by a công văn. Services,
pages and the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.documents import services
from lienthong.documents.choices import DocumentState
from lienthong.documents.models import Document
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    office,
    pki,
    storage,
    write_draft,
)

API = "/api/v1/documents/"


def _through_signing(office: Office, document: Document) -> Document:
    services.document_submit(actor=office.specialist, document=document)
    services.document_approve(actor=office.leader, document=document)
    return services.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )


def _issue(office: Office, document: Document) -> Document:
    document = _through_signing(office, document)
    return services.document_issue(
        actor=office.clerk, document=document, second_factor_verified=True
    )


def _issued(office: Office, **overrides: Any) -> Document:
    """An issued Party công văn (Số 01-CV/TU, or the next number)."""
    return _issue(office, write_draft(office, **overrides))


def _snapshot(document: Document) -> tuple[Any, ...]:
    document.refresh_from_db()
    return (document.state, document.note, document.replaced_at, document.updated_at)


@pytest.fixture
def seen_by_hooks() -> Iterator[list[tuple[str, Any, Any]]]:
    """GIVEN an issued hook that records what it sees (link kind, original, its mark)."""
    seen: list[tuple[str, Any, Any]] = []

    def hook(document: Document) -> None:
        original = document.replaces or document.corrects
        if original is not None:
            original.refresh_from_db()
        seen.append(
            (
                document.link_kind,
                original.pk if original else None,
                original.replaced_at if original else None,
            )
        )

    services.issued_hooks.append(hook)
    yield seen
    services.issued_hooks.remove(hook)


# --- Services -----------------------------------------------------------------------


def test_a_replacement_once_issued_marks_the_original_replaced(
    office: Office, seen_by_hooks: list[tuple[str, Any, Any]]
) -> None:
    """GIVEN an issued công văn 01-CV/TU
    WHEN the specialist starts its replacement and it is approved, signed and issued
    THEN the draft is of the same type and unit, linked with ``replaces``; once issued as
    02-CV/TU the original is marked replaced with the note "Replaced by No. 02-CV/TU",
    both steps are audited, and the issued hook sees the link and the marked original."""
    original = _issued(office)

    draft = services.document_replace(
        actor=office.specialist,
        original=original,
        subject="V/v triển khai phần mềm lienthong (thay thế)",
        body="Nội dung đã sửa.",
        signer=office.leader,
        signer_position="Ban Thường vụ\nBí thư",
        competence="T/M",
        recipients_text="Các đảng ủy trực thuộc",
    )
    assert draft.state == DocumentState.DRAFT
    assert (draft.unit, draft.document_type, draft.replaces) == (
        office.unit,
        original.document_type,
        original,
    )
    assert draft.link_kind == "replaces"
    original.refresh_from_db()
    assert original.replaced_at is None  # nothing happens to it before the issue

    replacement = _issue(office, draft)

    assert replacement.number_display == "02-CV/TU"
    original.refresh_from_db()
    assert original.state == DocumentState.ISSUED
    assert original.replaced_at is not None
    assert original.state_label == "replaced"
    assert original.note == "Replaced by No. 02-CV/TU"
    assert seen_by_hooks[-1] == ("replaces", original.pk, original.replaced_at)
    marked = AuditEvent.objects.get(verb="document.replaced", target_id=str(original.pk))
    assert marked.data == {"by": replacement.pk, "number": "02-CV/TU"}
    created = AuditEvent.objects.get(verb="document.create", target_id=str(replacement.pk))
    assert created.data["replaces"] == original.pk


def test_a_correction_once_issued_notes_the_original(
    office: Office, seen_by_hooks: list[tuple[str, Any, Any]]
) -> None:
    """GIVEN an issued nghị quyết 01-NQ/TU
    WHEN a correction (a công văn) is drafted, approved, signed and issued
    THEN the original stays issued, not replaced, with the note "Corrected by No. …";
    the event is audited and the issued hook sees a "corrects" link."""
    original = _issued(
        office, document_type=office.party_resolution, subject="Nghị quyết về chuyển đổi số"
    )
    assert original.number_display == "01-NQ/TU"

    draft = services.document_correct(
        actor=office.specialist,
        original=original,
        document_type=office.party_letter,
        subject="V/v đính chính Nghị quyết số 01-NQ/TU",
        body="Đính chính lỗi thể thức tại trang 1.",
        signer=office.leader,
        signer_position="Ban Thường vụ\nBí thư",
        competence="T/M",
        recipients_text="Các đảng ủy trực thuộc",
    )
    assert (draft.corrects, draft.replaces, draft.link_kind) == (original, None, "corrects")

    correction = _issue(office, draft)

    original.refresh_from_db()
    assert original.state == DocumentState.ISSUED and original.replaced_at is None
    assert original.note == f"Corrected by No. {correction.number_display}"
    assert seen_by_hooks[-1] == ("corrects", original.pk, None)
    assert AuditEvent.objects.filter(verb="document.corrected", target_id=str(original.pk)).exists()


def test_refusals_change_nothing(office: Office, world: Any) -> None:
    """GIVEN an issued công văn, a draft and a nghị quyết of the province
    WHEN a correction or replacement is asked of a draft, by a person who cannot see the
    original, by a leader who sees it but does not draft, with the wrong type, or of a
    document already replaced
    THEN each is refused with its reason and no document is created or changed."""
    original = _issued(office)
    draft = write_draft(office, subject="V/v một dự thảo")
    before = (Document.objects.count(), _snapshot(original))
    text = {"subject": "V/v sửa", "body": "Nội dung."}

    with pytest.raises(InvalidInput, match="Only an issued document"):
        services.document_correct(
            actor=office.specialist, original=draft, document_type=office.party_letter, **text
        )
    with pytest.raises(NotFound):
        services.document_replace(actor=world.clerk_b1, original=original, **text)
    with pytest.raises(PermissionDenied, match="Only a person who drafts documents"):
        services.document_replace(actor=office.leader, original=original, **text)
    with pytest.raises(InvalidInput, match="is a công văn"):
        services.document_correct(
            actor=office.specialist,
            original=original,
            document_type=office.party_resolution,
            **text,
        )
    with pytest.raises(InvalidInput, match="same type as the original"):
        services.document_replace(
            actor=office.specialist,
            original=original,
            document_type=office.party_resolution,
            **text,
        )
    with pytest.raises(InvalidInput, match="either replaces or corrects"):
        services.document_draft_create(
            actor=office.specialist,
            unit=office.unit,
            document_type=office.party_letter,
            replaces=original,
            corrects=original,
            **text,
        )
    assert (Document.objects.count(), _snapshot(original)) == before

    Document.objects.filter(pk=original.pk).update(replaced_at=original.created_at)
    with pytest.raises(InvalidInput, match="already been replaced"):
        services.document_replace(actor=office.specialist, original=original, **text)
    with pytest.raises(InvalidInput, match="already been replaced"):
        services.document_correct(
            actor=office.specialist, original=original, document_type=office.party_letter, **text
        )
    assert Document.objects.count() == before[0]


def test_an_original_replaced_meanwhile_stops_the_second_replacement(office: Office) -> None:
    """GIVEN two replacements of one document drafted side by side, the first issued
    WHEN the clerk issues the second
    THEN it is refused ("already been replaced"): it keeps no number and stays signed,
    and the original keeps its first mark."""
    original = _issued(office)
    fields = {
        "subject": "V/v thay thế",
        "body": "Nội dung.",
        "signer": office.leader,
        "signer_position": "Ban Thường vụ\nBí thư",
        "competence": "T/M",
        "recipients_text": "Các đảng ủy trực thuộc",
    }
    first = services.document_replace(actor=office.specialist, original=original, **fields)
    second = services.document_replace(actor=office.specialist, original=original, **fields)
    _issue(office, first)
    second = _through_signing(office, second)
    marked = _snapshot(original)

    with pytest.raises(InvalidInput, match="already been replaced"):
        services.document_issue(actor=office.clerk, document=second, second_factor_verified=True)

    second.refresh_from_db()
    assert second.state == DocumentState.SIGNED and second.code_number is None
    assert _snapshot(original) == marked


def test_a_recalled_original_stops_its_correction(office: Office) -> None:
    """GIVEN a correction signed and waiting for issue
    WHEN the original is recalled meanwhile and the clerk issues the correction
    THEN the issue is refused and nothing is numbered."""
    original = _issued(office)
    draft = services.document_correct(
        actor=office.specialist,
        original=original,
        document_type=office.party_letter,
        subject="V/v đính chính",
        body="Nội dung.",
        signer=office.leader,
        signer_position="Ban Thường vụ\nBí thư",
        competence="T/M",
        recipients_text="Các đảng ủy trực thuộc",
    )
    draft = _through_signing(office, draft)
    services.document_recall(actor=office.clerk, document=original, reason="Sai đối tượng")

    with pytest.raises(InvalidInput, match="can no longer be corrected or replaced"):
        services.document_issue(actor=office.clerk, document=draft, second_factor_verified=True)

    draft.refresh_from_db()
    original.refresh_from_db()
    assert draft.state == DocumentState.SIGNED and draft.code_number is None
    assert original.state == DocumentState.RECALLED and original.note == ""


# --- Pages --------------------------------------------------------------------------


def _client(user: Any, *, verified: bool = False) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _form_post(office: Office, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "document_type": office.party_letter.pk,
        "subject": "V/v đính chính Công văn số 01-CV/TU",
        "body": "Đính chính lỗi thể thức.",
        "priority": 0,
        "classification": 0,
        "competence": "T/M",
        "signer": office.leader.pk,
        "signer_position": "Ban Thường vụ\nBí thư",
        "recipients_text": "Các đảng ủy trực thuộc",
    }
    values.update(overrides)
    return values


def test_correct_from_the_document_page(office: Office) -> None:
    """GIVEN an issued công văn
    WHEN the specialist opens it, follows "Correct (đính chính)" and saves the form
    THEN the form came prefilled (a subject naming 01-CV/TU, only công văn types, the
    signer), the new draft's page links to the original ("Corrects") and the
    original's page lists the correction ("Corrected by"); a leader, who does not
    draft, sees neither button and is turned back from the form."""
    original = _issued(office)
    specialist = _client(office.specialist)
    page = specialist.get(f"/van-ban/{original.pk}/").content.decode()
    assert 'id="correct-document"' in page and 'id="replace-document"' in page

    form = specialist.get(f"/van-ban/{original.pk}/dinh-chinh/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'id="linked-original"' in html and "01-CV/TU" in html
    assert form.context["form"].initial["subject"].startswith("Correction of ")
    assert form.context["form"].initial["signer"] == office.leader.pk
    types = list(form.context["form"].fields["document_type"].queryset)
    assert types and all(t.is_letter for t in types)

    response = specialist.post(f"/van-ban/{original.pk}/dinh-chinh/", _form_post(office))
    correction = Document.objects.get(corrects=original)
    assert response.status_code == 302 and response["Location"] == f"/van-ban/{correction.pk}/"
    new_page = specialist.get(f"/van-ban/{correction.pk}/").content.decode()
    assert 'id="link-original"' in new_page and f"/van-ban/{original.pk}/" in new_page
    old_page = specialist.get(f"/van-ban/{original.pk}/").content.decode()
    assert 'id="link-corrected-by"' in old_page and f"/van-ban/{correction.pk}/" in old_page

    leader = _client(office.leader)
    assert 'id="correct-document"' not in leader.get(f"/van-ban/{original.pk}/").content.decode()
    refused = leader.get(f"/van-ban/{original.pk}/dinh-chinh/", follow=True)
    assert "Not done: Only a person who drafts documents" in refused.content.decode()
    assert Document.objects.filter(corrects=original).count() == 1


def test_replace_from_the_document_page_and_the_lists_show_it(office: Office) -> None:
    """GIVEN an issued công văn
    WHEN the specialist replaces it through the page (the form prefilled with its type,
    subject and text) and the replacement is issued
    THEN the original's page says it is replaced and links to 02-CV/TU, has no more
    buttons to correct or replace it, and the clerk's list shows it as "replaced"."""
    original = _issued(office)
    specialist = _client(office.specialist)
    form = specialist.get(f"/van-ban/{original.pk}/thay-the/")
    initial = form.context["form"].initial
    assert (initial["document_type"], initial["subject"], initial["body"]) == (
        original.document_type_id,
        original.subject,
        original.body,
    )
    assert [t.pk for t in form.context["form"].fields["document_type"].queryset] == [
        original.document_type_id
    ]
    specialist.post(
        f"/van-ban/{original.pk}/thay-the/",
        _form_post(office, subject=original.subject, body="Nội dung đúng."),
    )
    replacement = _issue(office, Document.objects.get(replaces=original))

    page = specialist.get(f"/van-ban/{original.pk}/").content.decode()
    assert 'id="replaced-notice"' in page and "Replaced by 02-CV/TU" in page
    assert 'id="link-replaced-by"' in page and f"/van-ban/{replacement.pk}/" in page
    assert 'id="correct-document"' not in page and 'id="replace-document"' not in page
    clerk_page = _client(office.clerk).get("/van-ban/van-thu/").content.decode()
    assert 'class="badge state-replaced">replaced</span>' in clerk_page
    again = specialist.get(f"/van-ban/{original.pk}/thay-the/", follow=True)
    assert "already been replaced" in again.content.decode()


# --- API ----------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_correct_and_replace_through_the_api(office: Office) -> None:
    """GIVEN an issued công văn and a draft
    WHEN the specialist posts to .../correct/ and .../replace/ of the issued one, and to
    .../replace/ of the draft
    THEN the first two answer 201 with the linked drafts ("corrects", "replaces"; the
    replacement of the original's type by default); the original's detail lists both;
    the draft's replacement is refused with 400 and its reason."""
    original = _issued(office)
    draft = write_draft(office, subject="V/v dự thảo")
    client = _api(office.specialist)
    body = {
        "subject": "V/v đính chính",
        "body": "Nội dung.",
        "signer": office.leader.pk,
        "signer_position": "Ban Thường vụ\nBí thư",
        "competence": "T/M",
        "recipients_text": "Các đảng ủy trực thuộc",
    }

    corrected = client.post(
        f"{API}{original.pk}/correct/",
        {**body, "document_type": office.party_letter.pk},
        format="json",
    )
    replaced = client.post(f"{API}{original.pk}/replace/", body, format="json")
    refused = client.post(f"{API}{draft.pk}/replace/", body, format="json")

    assert corrected.status_code == 201, corrected.json()
    assert corrected.json()["corrects"] == original.pk
    assert corrected.json()["link_kind"] == "corrects"
    assert replaced.status_code == 201, replaced.json()
    assert replaced.json()["replaces"] == original.pk
    assert replaced.json()["document_type"] == original.document_type_id
    detail = client.get(f"{API}{original.pk}/").json()
    assert detail["corrected_by"] == [corrected.json()["id"]]
    assert detail["replaced_by"] == [replaced.json()["id"]]
    assert detail["replaced_at"] is None
    assert refused.status_code == 400
    assert "Only an issued document" in refused.json()["detail"]
    assert _api(office.leader).post(f"{API}{original.pk}/replace/", body).status_code == 403
