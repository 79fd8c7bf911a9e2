"""The member's photo (Mẫu 2-HSĐV, vn-rules.md §6.2): kept as a re-encoded JPEG without
the camera's metadata; only the record's keepers put it on, only its readers see it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents.tests.workflow_helpers import storage
from lienthong.records.models import Member
from lienthong.records.photos import member_photo, member_photo_remove, member_photo_set
from lienthong.records.services import member_create
from lienthong.records.tests.conftest import GOOD

pytestmark = pytest.mark.django_db

__all__ = ["storage"]


def _image(fmt: str = "JPEG", size: tuple[int, int] = (1200, 1600)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def record(party: dict[str, Any]) -> Member:
    return member_create(actor=party["commune_org"], unit=party["cell"], **GOOD)


def test_the_photo_is_kept_small_and_without_metadata(
    party: dict[str, Any], record: Member, storage: Any
) -> None:
    upload = _image()
    assert b"CameraMaker" in upload
    member_photo_set(actor=party["commune_org"], member=record, data=upload)
    kept = member_photo(user=party["province_org"], pk=record.pk)
    assert b"CameraMaker" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG"
        assert image.size == (480, 640)
    assert AuditEvent.objects.filter(verb="member.photo_set", target_id=str(record.pk)).exists()
    # A PNG is taken too, and replaces the photo.
    member_photo_set(actor=party["commune_org"], member=record, data=_image("PNG", (300, 400)))
    with Image.open(io.BytesIO(member_photo(user=party["commune_org"], pk=record.pk))) as image:
        assert image.size == (300, 400)
    member_photo_remove(actor=party["commune_org"], member=record)
    with pytest.raises(NotFound):
        member_photo(user=party["commune_org"], pk=record.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 not a photo", "JPEG or PNG"),
        (b"\xff\xd8\xff\xe0 broken jpeg", "cannot be read"),
    ],
)
def test_what_is_not_a_photo_is_refused_and_changes_nothing(
    party: dict[str, Any], record: Member, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        member_photo_set(actor=party["commune_org"], member=record, data=data)
    record.refresh_from_db()
    assert record.photo_id is None


def test_only_keepers_put_it_on_and_only_readers_see_it(
    world: Any, party: dict[str, Any], record: Member, storage: Any
) -> None:
    with pytest.raises(NotFound):
        member_photo_set(actor=world.clerk_a1, member=record, data=_image())
    member_photo_set(actor=party["commune_org"], member=record, data=_image())
    for outsider in (world.clerk_a1, party["other_commune_org"], party["office_specialist"]):
        with pytest.raises(NotFound):
            member_photo(user=outsider, pk=record.pk)
    # Through the pages: the upload form and the image address.
    keeper = Client(HTTP_ACCEPT_LANGUAGE="en")
    keeper.force_login(party["commune_org"])
    image_url = reverse("records-member-photo", args=[record.pk])
    assert keeper.get(image_url)["Content-Type"] == "image/jpeg"
    assert image_url in keeper.get(reverse("records-member", args=[record.pk])).content.decode()
    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(party["other_commune_org"])
    assert outsider.get(image_url).status_code == 404
    bad = keeper.post(
        reverse("records-member-photo-upload", args=[record.pk]),
        {"photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")},
    )
    assert bad.status_code == 200 and "JPEG or PNG" in bad.content.decode()
    good = keeper.post(
        reverse("records-member-photo-upload", args=[record.pk]),
        {"photo": SimpleUploadedFile("x.png", _image("PNG", (90, 120)), content_type="image/png")},
    )
    assert good.status_code == 302
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.force_login(world.clerk_a1)
    assert (
        stranger.post(
            reverse("records-member-photo-upload", args=[record.pk]),
            {"photo": SimpleUploadedFile("x.png", _image("PNG"), content_type="image/png")},
        ).status_code
        == 404
    )
