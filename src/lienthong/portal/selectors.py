"""Reads of the public portal (issue #10 scope 1).

Two kinds of reader:

- **anyone** (the public pages): the selectors without ``user`` below are the system's
  own, and what they return is exactly what may be shown to anybody: published
  announcements; documents on the portal that are still issued and unclassified; the
  library's public, not withdrawn publications (``records.library.selectors.
  publications_public``). Everything else answers "not found", for staff too.
- **staff** (the portal's back office): the selectors taking ``user`` start from
  ``restrict(user, action)``.

The public lists are cheap on purpose (a few queries, no N+1): the portal's home and
document pages are benchmarked at 300 requests/s or more (issue #10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.core.text import fold_terms
from lienthong.documents.choices import Direction, DocumentState, FileKind
from lienthong.documents.models import Document, DocumentFile, DocumentType
from lienthong.portal.choices import AnnouncementState
from lienthong.portal.models import Announcement, PublishedDocument
from lienthong.records.library.models import Publication
from lienthong.records.library.selectors import publications_public

__all__ = [
    "PUBLICATION",
    "PUBLISHED",
    "PublicItem",
    "announcement_get",
    "announcement_list",
    "announcement_public_get",
    "announcements_public",
    "announcements_search",
    "item_from_publication",
    "item_from_published",
    "public_document_types",
    "public_document_years",
    "public_documents",
    "public_documents_search",
    "publication_public_get",
    "publishable_documents",
    "published_document_get",
    "published_document_list",
    "published_document_public_get",
    "published_documents_public",
    "signed_file",
]

#: The two kinds of public document, as the list tells them apart.
PUBLICATION = "publication"
PUBLISHED = "document"


# --- Anyone ----------------------------------------------------------------------------


def announcements_public() -> QuerySet[Announcement]:
    """The published announcements, newest first (system use: shown to anyone)."""
    return (
        Announcement.objects.filter(state=AnnouncementState.PUBLISHED)
        .select_related("unit")
        .order_by("-published_at", "-pk")
    )


def announcement_public_get(pk: Any) -> Announcement:
    """One published announcement (system use).

    Raises:
        NotFound: no such announcement, or not published (a draft, a withdrawn one).
    """
    try:
        return announcements_public().get(pk=pk)
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This announcement does not exist.")) from None


def announcements_search(query: str, *, limit: int = 20) -> list[Announcement]:
    """Published announcements whose title or summary holds every word of ``query``,
    with or without diacritics (system use)."""
    terms = fold_terms(query)
    if not terms:
        return []
    qs = announcements_public()
    for term in terms[:10]:
        qs = qs.filter(search_key__contains=term)
    return list(qs[:limit])


def published_documents_public() -> QuerySet[PublishedDocument]:
    """The documents on the portal, newest first (system use): not taken off, and still
    issued and unclassified (a recalled document leaves the portal by itself)."""
    return (
        PublishedDocument.objects.filter(
            withdrawn_at__isnull=True,
            document__direction=Direction.OUTGOING,
            document__state=DocumentState.ISSUED,
            document__classification=0,
        )
        .select_related("document", "document__document_type", "document__unit")
        .order_by("-document__issued_date", "-pk")
    )


def published_document_public_get(pk: Any) -> PublishedDocument:
    """One document on the portal (system use).

    Raises:
        NotFound: no such entry, taken off, or its document no longer public.
    """
    try:
        return published_documents_public().get(pk=pk)
    except (PublishedDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This document does not exist.")) from None


def publication_public_get(pk: Any) -> Publication:
    """One public publication of the library (system use).

    Raises:
        NotFound: no such publication, or not public, or withdrawn.
    """
    try:
        return publications_public().select_related("issuer_unit", "file").get(pk=pk)
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This document does not exist.")) from None


def signed_file(document: Document) -> DocumentFile | None:
    """The latest signed original of a document, if it has one (system use)."""
    return (
        DocumentFile.objects.filter(document=document, kind=FileKind.SIGNED)
        .select_related("stored")
        .order_by("-version", "-pk")
        .first()
    )


@dataclass(frozen=True)
class PublicItem:
    """One public document, whichever kind, as the lists show it."""

    kind: str
    """``PUBLICATION`` (the library) or ``PUBLISHED`` (an issued document)."""
    pk: int
    number: str
    day: dt.date | None
    issuer: str
    type_name: str
    subject: str
    url: str
    pdf_url: str
    """"" when there is no PDF."""


def item_from_publication(publication: Publication) -> PublicItem:
    """A publication of the library as a public list shows it."""
    return PublicItem(
        kind=PUBLICATION,
        pk=publication.pk,
        number=publication.number_display,
        day=publication.issued_on,
        issuer=publication.issuer_name,
        type_name=publication.document_type.name,
        subject=publication.title,
        url=reverse("portal-publication", args=[publication.pk]),
        pdf_url=(
            reverse("portal-publication-pdf", args=[publication.pk]) if publication.file_id else ""
        ),
    )


def item_from_published(published: PublishedDocument) -> PublicItem:
    """A document on the portal as a public list shows it."""
    document = published.document
    return PublicItem(
        kind=PUBLISHED,
        pk=published.pk,
        number=document.number_display,
        day=document.issued_date,
        issuer=document.issuer_name or document.unit.name,
        type_name=document.document_type.name,
        subject=document.subject,
        url=reverse("portal-document", args=[published.pk]),
        pdf_url=(
            reverse("portal-document-pdf", args=[published.pk]) if document.has_signed_file else ""
        ),
    )


def _filtered_publications(year: int | None, type_id: int | None) -> QuerySet[Publication]:
    qs = publications_public()
    if year is not None:
        qs = qs.filter(issued_on__year=year)
    if type_id is not None:
        qs = qs.filter(document_type_id=type_id)
    return qs


def _filtered_published(year: int | None, type_id: int | None) -> QuerySet[PublishedDocument]:
    qs = published_documents_public()
    if year is not None:
        qs = qs.filter(document__issued_date__year=year)
    if type_id is not None:
        qs = qs.filter(document__document_type_id=type_id)
    return qs


def _items(keys: list[tuple[str, int]]) -> list[PublicItem]:
    """The items of ``keys`` (kind, pk), in that order: one query per kind."""
    publication_ids = [pk for kind, pk in keys if kind == PUBLICATION]
    published_ids = [pk for kind, pk in keys if kind == PUBLISHED]
    found: dict[tuple[str, int], PublicItem] = {}
    if publication_ids:
        for publication in publications_public().filter(pk__in=publication_ids):
            found[(PUBLICATION, publication.pk)] = item_from_publication(publication)
    if published_ids:
        for published in published_documents_public().filter(pk__in=published_ids):
            found[(PUBLISHED, published.pk)] = item_from_published(published)
    return [found[key] for key in keys if key in found]


def public_documents(
    *,
    year: int | None = None,
    type_id: int | None = None,
    limit: int = 20,
    offset: int = 0,
    count: bool = True,
) -> tuple[list[PublicItem], int]:
    """The public documents of both kinds, newest first (system use).

    One query orders the two kinds together (a UNION of their keys), one more per kind
    loads the page's rows, and one counts them (``count``).

    Args:
        year: only documents of that year.
        type_id: only documents of that ``documents.DocumentType``.
        limit, offset: the page.
        count: also count every match (else the total is -1).

    Returns:
        The page of items and the number of matches.
    """
    kind = CharField(max_length=12)
    publications = (
        _filtered_publications(year, type_id)
        .order_by()
        .annotate(kind=Value(PUBLICATION, output_field=kind), day=F("issued_on"))
        .values_list("kind", "pk", "day")
    )
    published = (
        _filtered_published(year, type_id)
        .order_by()
        .annotate(kind=Value(PUBLISHED, output_field=kind), day=F("document__issued_date"))
        .values_list("kind", "pk", "day")
    )
    union = publications.union(published, all=True)
    keys = [
        (str(k), int(pk)) for k, pk, _day in union.order_by("-day", "-pk")[offset : offset + limit]
    ]
    total = union.count() if count else -1
    return _items(keys), total


def public_document_years() -> list[int]:
    """The years of the public documents, latest first (for the list's filter)."""
    years = {d.year for d in publications_public().order_by().dates("issued_on", "year")}
    years |= {
        d.year
        for d in published_documents_public().order_by().dates("document__issued_date", "year")
    }
    return sorted(years, reverse=True)


def public_document_types() -> QuerySet[DocumentType]:
    """The document types of the public documents (for the list's filter)."""
    used = publications_public().order_by().values("document_type_id")
    used_too = published_documents_public().order_by().values("document__document_type_id")
    return DocumentType.objects.filter(Q(pk__in=used) | Q(pk__in=used_too)).order_by("name", "pk")


def public_documents_search(query: str, *, limit: int = 20) -> list[PublicItem]:
    """Public documents of both kinds matching ``query`` (system use), newest first.

    Documents on the portal match when their number, subject and issuing body hold every
    word (folded: with or without diacritics); the library's publications are searched
    by the documents' search facade within ``publications_public()`` (its collection
    folds the same way, and matches numbers such as "57-NQ/TW" whole).
    """
    from lienthong.documents.search import collection_search
    from lienthong.records.library.search import NAME

    terms = fold_terms(query)
    if not terms:
        return []
    qs = published_documents_public()
    for term in terms[:10]:
        qs = qs.filter(search_key__contains=term)
    items = [item_from_published(p) for p in qs[:limit]]
    publications = publications_public()
    result = collection_search(NAME, queryset=publications, query=query, limit=limit)
    found = publications.in_bulk(list(result.ids))
    items += [item_from_publication(found[pk]) for pk in result.ids if pk in found]
    items.sort(key=lambda item: item.day or dt.date.min, reverse=True)
    return items


# --- Staff -----------------------------------------------------------------------------


def announcement_list(*, user: Any, state: str = "") -> QuerySet[Announcement]:
    """The announcements of the units ``user`` may see, newest first."""
    qs = Announcement.objects.restrict(user, "view")
    if state in AnnouncementState.values:
        qs = qs.filter(state=state)
    return qs.select_related("unit", "author", "approver").order_by("-updated_at", "-pk")


def announcement_get(*, user: Any, pk: Any, action: str = "view") -> Announcement:
    """One announcement ``user`` may ``action``.

    Raises:
        NotFound: no such announcement within the person's scope.
    """
    try:
        return (
            Announcement.objects.restrict(user, action)
            .select_related("unit", "author", "approver")
            .get(pk=pk)
        )
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This announcement does not exist or is not yours to see.")) from None


def published_document_list(*, user: Any) -> QuerySet[PublishedDocument]:
    """The documents the units of ``user`` put on the portal (also those taken off)."""
    return (
        PublishedDocument.objects.restrict(user, "view")
        .select_related("document", "document__document_type", "unit", "published_by")
        .order_by("withdrawn_at", "-published_at", "-pk")
    )


def published_document_get(*, user: Any, pk: Any, action: str = "view") -> PublishedDocument:
    """One entry of the portal's documents ``user`` may ``action``.

    Raises:
        NotFound: no such entry within the person's scope.
    """
    try:
        return (
            PublishedDocument.objects.restrict(user, action)
            .select_related("document", "unit")
            .get(pk=pk)
        )
    except (PublishedDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This document does not exist or is not yours to see.")) from None


def publishable_documents(*, user: Any) -> QuerySet[Document]:
    """The documents ``user`` may put on the portal now: issued, unclassified, seen by
    them, of a unit where they hold ``portal.add_publisheddocument``, not on it yet."""
    from lienthong.documents.selectors import document_list
    from lienthong.portal.services import ADD_DOCUMENT

    where = allowed_units(user, ADD_DOCUMENT)
    if where is None:
        return Document.objects.none()
    qs = document_list(user=user).filter(
        direction=Direction.OUTGOING, state=DocumentState.ISSUED, classification=0
    )
    if not isinstance(where, AllUnits):
        qs = qs.filter(unit__in=where)
    on_portal = PublishedDocument.objects.filter(withdrawn_at__isnull=True).values("document_id")
    return qs.exclude(pk__in=on_portal).order_by("-issued_date", "-pk")
