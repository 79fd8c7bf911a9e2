"""How the shared permission matrix exercises the library's scoped model: an internal
publication kept by the given unit, looked at through restrict and its page."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.urls import reverse

from lienthong.core.testing.matrix import ScopeCase
from lienthong.records.library.choices import Visibility
from lienthong.records.library.models import Publication

_numbers = itertools.count(1)


def _publication_in(unit: Any) -> Publication:
    from lienthong.documents.models import DocumentType
    from lienthong.documents.types_data import builtin_types_load

    if not DocumentType.objects.exists():
        builtin_types_load(DocumentType)
    return Publication.objects.create(
        unit=unit,
        document_type=DocumentType.objects.get(convention="party", name="Kết luận"),
        number=next(_numbers),
        notation="KL/TW",
        issued_on=dt.date(2021, 10, 25),
        issuer_name="Ban Chấp hành Trung ương",
        title="Về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị",
        visibility=Visibility.INTERNAL,
    )


SCOPE_CASES = [
    ScopeCase(
        model=Publication,
        make=_publication_in,
        page_url=lambda obj: reverse("library-publication", args=[obj.pk]),
        # The library is read across the network (org/roles.py); its visibility and
        # clearance rules are tested in library/tests.
        network_wide=True,
    ),
]
