"""The member's photo on the record (Mẫu 2-HSĐV: a 3x4 cm colour portrait, vn-rules.md
§6.2; issue #9 scope 1).

What is kept is never the upload itself: the image is opened by Pillow (a file that is
not a JPEG or PNG image, or a decompression bomb, is refused), turned to RGB, brought
within ``MAX_SIDE`` at the 3:4 portrait's proportions, and saved again as JPEG, which
drops the camera's metadata (place, device, time). The result goes to the file store
like every file (content-addressed, checked on read).
"""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.documents.services import files
from lienthong.records.models import Member

__all__ = ["MAX_PHOTO_BYTES", "member_photo", "member_photo_remove", "member_photo_set"]

#: The largest upload taken (a phone's photo fits).
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: The kept image fits in this box (pixels; 3:4, about 400 dpi for 3x4 cm).
MAX_SIDE = (480, 640)
#: Pillow's guard against decompression bombs, for this use: 40 megapixels.
MAX_PIXELS = 40_000_000


def prepared(data: bytes) -> bytes:
    """The photo as kept: a JPEG within ``MAX_SIDE``, without metadata.

    Raises:
        InvalidInput: empty, too large, not a JPEG or PNG image, or unreadable.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidInput(_("The photo is empty."))
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            _("The photo is larger than %(limit)s MB.") % {"limit": MAX_PHOTO_BYTES // 1024**2}
        )
    if files.sniff(data) not in ("image/jpeg", "image/png"):
        raise InvalidInput(_("The photo must be a JPEG or PNG image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidInput(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            portrait = image.convert("RGB")
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(_("The photo cannot be read as an image.")) from exc
    portrait.thumbnail(MAX_SIDE)
    out = io.BytesIO()
    portrait.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue()


def _changeable(actor: Actor, member: Member) -> Member:
    found = Member.objects.restrict(actor, "change").filter(pk=member.pk).first()  # type: ignore[arg-type]
    if found is None:
        raise NotFound(_("This record does not exist or you may not change it."))
    return found


def member_photo_set(*, actor: Actor, member: Member, data: bytes) -> Member:
    """Put the photo on the record (replacing any); audited without the image.

    Raises:
        NotFound: the actor may not change this record.
        InvalidInput: not a usable image; nothing changes.
    """
    member = _changeable(actor, member)
    jpeg = prepared(data)
    with transaction.atomic():
        stored = files.file_store(data=jpeg, name="anh.jpg", expected="any")
        member.photo = stored
        member.save(update_fields=["photo", "updated_at"])
        record(actor=actor, verb="member.photo_set", target=member, data={"bytes": len(jpeg)})
    return member


def member_photo_remove(*, actor: Actor, member: Member) -> Member:
    """Take the photo off the record; audited.

    Raises:
        NotFound: the actor may not change this record.
    """
    member = _changeable(actor, member)
    if member.photo_id is None:
        return member
    with transaction.atomic():
        member.photo = None
        member.save(update_fields=["photo", "updated_at"])
        record(actor=actor, verb="member.photo_remove", target=member)
    return member


def member_photo(*, user: Any, pk: int) -> bytes:
    """The record's photo (JPEG) for a reader of the record. The image is part of the
    record page, whose read is audited (``member.read``): it is not audited again.

    Raises:
        NotFound: no such record, outside the reader's scope, or no photo.
    """
    member = Member.objects.restrict(user, "view").select_related("photo").filter(pk=pk).first()
    if member is None or member.photo is None:
        raise NotFound(_("This record has no photo, or you may not read it."))
    return files.file_read(member.photo)
