"""Stamp images: a person's handwritten signature and a unit's seal, drawn by visible
signatures (vn-rules.md §1.9, NĐ 30 Phụ lục I: the signature in blue, the seal in red,
transparent PNG)."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.trust.models import StampImage

__all__ = ["MAX_STAMP_BYTES", "check_png", "stamp_image_upload"]

#: The largest image accepted (a seal at 600 dpi is well under this).
MAX_STAMP_BYTES = 1024 * 1024
#: The largest side in pixels (a decompression bomb would be refused before decoding).
MAX_STAMP_PIXELS = 4000


def check_png(data: bytes) -> tuple[int, int]:
    """Check that ``data`` really is a PNG image of a sensible size; return its size.

    The format is sniffed by Pillow from the bytes, never trusted from the file name or
    the browser's content type.

    Raises:
        InvalidInput: too large, not a PNG, or damaged.
    """
    if len(data) > MAX_STAMP_BYTES:
        raise InvalidInput(_("The image is larger than 1 MB."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise InvalidInput(_("The image must be a PNG file."))
            width, height = image.size
            if max(width, height) > MAX_STAMP_PIXELS:
                raise InvalidInput(_("The image is too large: at most 4000 pixels a side."))
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(_("The image must be a PNG file.")) from exc
    return width, height


def stamp_image_upload(
    *,
    actor: Actor,
    kind: str,
    data: bytes,
    holder_user: Any = None,
    holder_unit: Any = None,
) -> StampImage:
    """Store a new signature or seal image and retire the holder's previous one.

    Args:
        actor: who uploads.
        kind: ``StampImage.Kind.SIGNATURE`` (needs ``holder_user``) or ``SEAL``
            (needs ``holder_unit``).
        data: the PNG file.
        holder_user: the person whose signature it is.
        holder_unit: the unit whose seal it is.

    Raises:
        InvalidInput: not a PNG, too large, or no holder for the kind.
    """
    width, height = check_png(data)
    if kind == StampImage.Kind.SIGNATURE:
        holder_unit = None
    else:
        holder_user = None
    with transaction.atomic():
        stamp = StampImage(kind=kind, holder_user=holder_user, holder_unit=holder_unit)
        holder = holder_user if holder_user is not None else holder_unit
        if holder is None:
            raise InvalidInput(_("This image has no holder."))
        stamp.image.save(f"{kind}-{holder.pk}.png", ContentFile(data), save=False)
        try:
            stamp.full_clean()
        except ValidationError as exc:
            stamp.image.delete(save=False)
            raise InvalidInput(_("This image has no holder.")) from exc
        StampImage.objects.filter(
            kind=kind, holder_user=holder_user, holder_unit=holder_unit, is_active=True
        ).update(is_active=False)
        stamp.save()
        record(
            actor=actor,
            verb="stamp.upload",
            target=stamp,
            unit_id=holder_unit.pk if holder_unit is not None else None,
            data={"kind": kind, "width": width, "height": height},
        )
    return stamp
