"""The public pages of the portal (issue #10 scope 1): anonymous, GET only, no session,
no cookie, cached for a minute under the portal version (``portal.cache``).

What is shown comes from the selectors without a user (``portal.selectors``), which
return only what anybody may read; anything else, a draft included, answers 404 even to
a logged-in member of staff. The views never touch ``request.user`` or the session, so a
cached page is the same for everyone.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lienthong.core.errors import NotFound
from lienthong.documents.services.files import file_read
from lienthong.portal import selectors
from lienthong.portal.cache import PORTAL_CACHE_SECONDS, portal_cached

__all__ = [
    "announcement_detail",
    "announcements",
    "document_detail",
    "document_pdf",
    "documents",
    "home",
    "publication_detail",
    "publication_pdf",
    "search",
]

HOME_SIZE = 10
PAGE_SIZE = 20
PAGE_PARAM = "trang"
YEAR_PARAM = "nam"
TYPE_PARAM = "loai"
QUERY_PARAM = "q"
FIRST_YEAR, LAST_YEAR = 1930, 2200


def _int(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _page(request: HttpRequest) -> int:
    return _int(request.GET.get(PAGE_PARAM, ""), 1, 10_000) or 1


def _pages(number: int, total: int) -> dict[str, Any]:
    count = max(1, math.ceil(total / PAGE_SIZE))
    return {
        "number": number,
        "count": count,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < count else None,
        "total": total,
    }


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    ascii_name = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name
    )
    response["Content-Disposition"] = f'inline; filename="{ascii_name}"'
    response["Cache-Control"] = f"public, max-age={PORTAL_CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@portal_cached
def home(request: HttpRequest) -> HttpResponse:
    """The portal's home: the latest announcements and the latest public documents."""
    items, _total = selectors.public_documents(limit=HOME_SIZE, count=False)
    return render(
        request,
        "portal/home.html",
        {
            "announcements": list(selectors.announcements_public()[:HOME_SIZE]),
            "documents": items,
        },
    )


@require_safe
@portal_cached
def announcements(request: HttpRequest) -> HttpResponse:
    """Every published announcement, newest first, 20 a page."""
    number = _page(request)
    qs = selectors.announcements_public()
    total = qs.count()
    rows = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    return render(
        request,
        "portal/announcements.html",
        {"rows": rows, "pages": _pages(number, total), "query": ""},
    )


@require_safe
@portal_cached
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One published announcement."""
    try:
        announcement = selectors.announcement_public_get(pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "portal/announcement.html", {"announcement": announcement})


@require_safe
@portal_cached
def documents(request: HttpRequest) -> HttpResponse:
    """The public documents of both kinds, filtered by year and type, 20 a page."""
    year = _int(request.GET.get(YEAR_PARAM, ""), FIRST_YEAR, LAST_YEAR)
    type_id = _int(request.GET.get(TYPE_PARAM, ""), 1, 10**9)
    number = _page(request)
    items, total = selectors.public_documents(
        year=year, type_id=type_id, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    params = {YEAR_PARAM: year, TYPE_PARAM: type_id}
    return render(
        request,
        "portal/documents.html",
        {
            "items": items,
            "pages": _pages(number, total),
            "year": year,
            "type_id": type_id,
            "years": selectors.public_document_years(),
            "types": selectors.public_document_types(),
            "query": urlencode({k: v for k, v in params.items() if v is not None}),
        },
    )


@require_safe
@portal_cached
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An issued document on the portal: number, date, issuing unit, subject, PDF."""
    try:
        published = selectors.published_document_public_get(pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/document.html",
        {"item": selectors.item_from_published(published), "document": published.document},
    )


@require_safe
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest signed original of a document on the portal."""
    try:
        published = selectors.published_document_public_get(pk)
    except NotFound as exc:
        raise Http404 from exc
    row = selectors.signed_file(published.document)
    if row is None:
        raise Http404
    try:
        data = file_read(row.stored)
    except NotFound as exc:
        raise Http404 from exc
    return _pdf(data, row.name or f"van-ban-{published.pk}.pdf")


@require_safe
@portal_cached
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A public publication of the library of Party documents."""
    try:
        publication = selectors.publication_public_get(pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/document.html",
        {"item": selectors.item_from_publication(publication), "publication": publication},
    )


@require_safe
def publication_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of a public, not withdrawn publication of the library."""
    try:
        publication = selectors.publication_public_get(pk)
    except NotFound as exc:
        raise Http404 from exc
    if publication.file is None:
        raise Http404
    try:
        data = file_read(publication.file)
    except NotFound as exc:
        raise Http404 from exc
    return _pdf(data, publication.file_name or f"van-kien-{publication.pk}.pdf")


@require_safe
@portal_cached
def search(request: HttpRequest) -> HttpResponse:
    """Search announcements and public documents, with or without diacritics."""
    query = " ".join(request.GET.get(QUERY_PARAM, "").split())[:200]
    return render(
        request,
        "portal/search.html",
        {
            "q": query,
            "announcements": selectors.announcements_search(query) if query else [],
            "items": selectors.public_documents_search(query) if query else [],
        },
    )
