"""Reads of the library of Party documents (issue #9 scope 5).

Everything a person reads starts from ``Publication.objects.restrict(user, "view")``;
every staff role holds that grant over all units (org/roles.py: the library is shared
across the network), so what narrows it is the publication itself:

- public and internal publications: every reader;
- restricted ones: only a reader whose clearance reaches the classification, as for
  documents (``documents.selectors``; vn-rules.md §5.1), and never on a node connected
  to the Internet, where none may exist (vn-rules.md §5.2);
- withdrawn ones: only their keepers (``library.change_publication`` in scope).

Reading a restricted publication is audited (``publication.read``); public and internal
ones are not. ``publications_public`` is the system selector the portal will use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Q
from django.utils.translation import gettext as _

from lienthong.audit.services import record
from lienthong.core.errors import NotFound
from lienthong.documents.search import SearchResult, collection_search
from lienthong.documents.services.guard import node_accepts_classified
from lienthong.records.library.choices import PublicationStatus, Visibility
from lienthong.records.library.models import Publication, PublicationQuerySet, PublicationRelation
from lienthong.records.library.search import NAME

__all__ = [
    "LibraryFilters",
    "publication_get",
    "publication_list",
    "publication_relations",
    "publication_search",
    "publications_public",
    "readable",
]


def _clearance(user: Any) -> int:
    """The person's clearance (0 for anyone without one)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return int(getattr(user, "clearance", 0) or 0)


def readable(user: Any) -> PublicationQuerySet:
    """Every publication ``user`` may read (see the module docstring), unordered."""
    qs = cast(PublicationQuerySet, Publication.objects.restrict(user, "view"))
    level = _clearance(user) if node_accepts_classified() else 0
    qs = qs.filter(
        Q(visibility__in=[Visibility.PUBLIC, Visibility.INTERNAL], classification=0)
        | Q(visibility=Visibility.RESTRICTED, classification__gt=0, classification__lte=level)
    )
    keeps = Publication.objects.restrict(user, "change").values("pk")
    return qs.filter(Q(withdrawn_at__isnull=True) | Q(pk__in=keeps))


@dataclass(frozen=True)
class LibraryFilters:
    """What the list is narrowed to (None or "": no filter)."""

    document_type_id: int | None = None
    term: str = ""
    year: int | None = None
    issuer: str = ""
    """Any part of the issuing body's name, with or without diacritics."""
    tag: str = ""
    """A tag's name, with or without diacritics."""
    status: str = ""
    """A ``PublicationStatus`` value."""
    visibility: str = ""


def _filtered(qs: PublicationQuerySet, filters: LibraryFilters | None) -> PublicationQuerySet:
    from lienthong.core.text import fold

    qs = qs.with_status()
    if filters is None:
        return qs
    if filters.document_type_id is not None:
        qs = qs.filter(document_type_id=filters.document_type_id)
    if filters.term:
        qs = qs.filter(term=filters.term.strip().upper())
    if filters.year is not None:
        qs = qs.filter(issued_on__gte=dt.date(filters.year, 1, 1)).filter(
            issued_on__lte=dt.date(filters.year, 12, 31)
        )
    if filters.issuer:
        for word in fold(filters.issuer).split():
            qs = qs.filter(issuer_key__contains=word)
    if filters.tag:
        qs = qs.filter(tags__key=" ".join(fold(filters.tag).split()))
    if filters.status in PublicationStatus.values:
        qs = qs.of_status(filters.status)
    if filters.visibility in Visibility.values:
        qs = qs.filter(visibility=filters.visibility)
    return qs


def publication_list(*, user: Any, filters: LibraryFilters | None = None) -> PublicationQuerySet:
    """The publications ``user`` may read, filtered, newest first (with ``replaced``)."""
    qs = _filtered(readable(user), filters)
    return qs.select_related("document_type", "unit").order_by("-issued_on", "-pk")


def publication_search(
    *,
    user: Any,
    query: str,
    filters: LibraryFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Publication], SearchResult]:
    """Search the library (the documents' search facade, collection "library") within
    what ``user`` may read; best first, or newest first when nothing is typed.

    Returns:
        The page of publications (loaded through the same queryset again, so a stale
        index entry never shows what the person may not read) and the search result.
    """
    qs = publication_list(user=user, filters=filters)
    result = collection_search(NAME, queryset=qs, query=query, limit=limit, offset=offset)
    found = qs.in_bulk(list(result.ids))
    return [found[pk] for pk in result.ids if pk in found], result


def publication_get(*, user: Any, pk: Any) -> Publication:
    """One publication ``user`` may read; reading a restricted one is audited.

    Raises:
        NotFound: no such publication, or not one the person may read (pages answer 404).
    """
    try:
        publication = (
            readable(user)
            .with_status()
            .select_related("document_type", "unit", "issuer_unit", "file")
            .get(pk=pk)
        )
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This publication does not exist or is not yours to read.")) from None
    if publication.visibility == Visibility.RESTRICTED:
        record(
            actor=user,
            verb="publication.read",
            target=publication,
            data={"classification": publication.classification},
        )
    return publication


def publication_relations(
    *, user: Any, publication: Publication
) -> tuple[list[PublicationRelation], list[PublicationRelation]]:
    """How ``publication`` relates to others, as far as ``user`` may read them: (what it
    replaces, amends, guides, implements; what replaces, amends… it)."""
    visible = readable(user).values("pk")
    outgoing = list(
        PublicationRelation.objects.filter(source=publication, target__in=visible)
        .select_related("target", "target__document_type")
        .order_by("kind", "target__issued_on")
    )
    incoming = list(
        PublicationRelation.objects.filter(target=publication, source__in=visible)
        .select_related("source", "source__document_type")
        .order_by("kind", "source__issued_on")
    )
    return outgoing, incoming


def publications_public() -> PublicationQuerySet:
    """The public, not withdrawn publications, newest first: what the public portal may
    show to anyone (system use: no user, and no classified content ever,
    vn-rules.md §5.2 "posting secrets on the Internet")."""
    return (
        Publication.objects.with_status()
        .filter(visibility=Visibility.PUBLIC, classification=0, withdrawn_at__isnull=True)
        .select_related("document_type")
        .order_by("-issued_on", "-pk")
    )
