"""How the shared permission matrix exercises the portal's scoped models: an
announcement of the given unit (seen through restrict and its back-office page) and a
document of that unit put on the portal (seen through restrict)."""

from __future__ import annotations

import itertools
from typing import Any

from django.urls import reverse
from django.utils import timezone

from lienthong.core.testing.matrix import ScopeCase
from lienthong.portal.models import Announcement, PublishedDocument

_numbers = itertools.count(1)


def _announcement_in(unit: Any) -> Announcement:
    return Announcement.objects.create(unit=unit, title="Thông báo", body="Nội dung")


def _published_in(unit: Any) -> PublishedDocument:
    from lienthong.documents.models import Document, DocumentType
    from lienthong.documents.types_data import builtin_types_load
    from lienthong.org.tests.factories import UserFactory

    if not DocumentType.objects.exists():
        builtin_types_load(DocumentType)
    number = next(_numbers)
    document = Document.objects.create(
        unit=unit,
        direction="outgoing",
        convention="party",
        state="issued",
        document_type=DocumentType.objects.get(convention="party", code="NQ"),
        subject="Về chuyển đổi số",
        code_number=number,
        code_notation="NQ/TU",
        number_year=2025,
        issuer_name=unit.name,
        created_by=UserFactory(),
    )
    return PublishedDocument.objects.create(
        document=document, unit=unit, published_at=timezone.now()
    )


SCOPE_CASES = [
    ScopeCase(
        model=Announcement,
        make=_announcement_in,
        page_url=lambda obj: reverse("portal-staff-announcement", args=[obj.pk]),
    ),
    ScopeCase(model=PublishedDocument, make=_published_in),
]
