"""The search backend interface (STYLE habit 19: a narrow in-house facade).

Callers use ``lienthong.documents.search.get_backend()`` and these types only; no other
module imports tantivy or PostgreSQL's full-text functions.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lienthong.core.errors import ApplicationError

if TYPE_CHECKING:
    from lienthong.documents.models import Document

__all__ = [
    "WEIGHTS",
    "Collection",
    "ProgressCallback",
    "SearchBackend",
    "SearchError",
    "SearchFilters",
    "SearchResult",
]

#: Called during a rebuild with (documents done, documents in all).
ProgressCallback = Callable[[int, int], None]


class SearchError(ApplicationError):
    """The search backend cannot serve (misconfigured, index locked, wrong database)."""


@dataclass(frozen=True)
class SearchFilters:
    """Filters that narrow a search; every field is optional (None: no filter)."""

    document_type_id: int | None = None
    """Only documents of this type."""
    date_from: dt.date | None = None
    """Documents dated (or created, when undated) on or after this day."""
    date_to: dt.date | None = None
    """Documents dated on or before this day."""
    unit_ids: Sequence[int] | None = None
    """Only documents of these units (still within the person's scope)."""
    state: str | None = None
    """A ``DocumentState`` value."""
    direction: str | None = None
    """A ``Direction`` value."""
    classification: int | None = None
    """A ``Clearance`` value."""


#: The weights a collection's fields may carry (PostgreSQL's A-D), best first.
WEIGHTS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Collection:
    """A second searched collection, beside the documents (the library of Party
    documents, issue #9 scope 5), with the same analysis (``analysis``: exact and folded
    words, numbers matched whole) in the same backend.

    A higher app describes its model and registers it from its ``AppConfig.ready()``
    (``register_collection``, DESIGN.md "hooks"); this package never imports that app.
    Who may read what stays with the caller: a search takes the caller's queryset of
    what the person may read (already narrowed by ``restrict``, visibility and
    clearance) and the backend matches only within it.
    """

    name: str
    """A short key ("library"): the index folder and the task argument."""
    model: type[Any]
    """The model; every field below is one of its text columns."""
    fields: tuple[tuple[str, str], ...]
    """(column, weight A-D): the text searched, the first weight ranks highest."""
    number_key_field: str = ""
    """The column holding ``analysis.number_key`` of the number ("57-nq/tw"), matched
    whole when a number is typed."""


@dataclass(frozen=True)
class SearchResult:
    """One page of hits."""

    ids: tuple[int, ...]
    """Document primary keys, best first."""
    total: int
    """How many documents match in all (within the person's scope); a lower bound when
    ``total_capped``."""
    took_ms: float
    """Time spent in the backend, in milliseconds."""
    total_capped: bool = False
    """True when the backend stopped counting at ``total``: "more than ``total``"
    documents match (the PostgreSQL backend counts at most ``TOTAL_CAP``)."""


class SearchBackend(abc.ABC):
    """What a search engine must offer lienthong."""

    #: The value of ``LIENTHONG_SEARCH_BACKEND`` that selects this backend.
    name: str = ""

    @abc.abstractmethod
    def index_document(self, document: Document) -> None:
        """Add ``document`` to the index, or replace what the index holds about it."""

    @abc.abstractmethod
    def remove_document(self, document_id: int) -> None:
        """Forget the document with this primary key (nothing happens if unknown)."""

    @abc.abstractmethod
    def search(
        self,
        *,
        user: Any,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Find the documents ``user`` may view that match ``query``, best first.

        The person's scope is part of the query itself (issue #4 scope 7), so ``total``
        and pages count only what they may see.

        Args:
            user: the person searching (``request.user``).
            query: words typed with or without diacritics, and/or document numbers.
            filters: narrowing filters.
            limit: page size.
            offset: hits to skip.

        Returns:
            The page of hits.
        """

    # --- other collections (``Collection``) ------------------------------------------

    @abc.abstractmethod
    def collection_index(self, collection: Collection, objects: Sequence[Any]) -> None:
        """Add or replace these objects of ``collection`` in the index."""

    @abc.abstractmethod
    def collection_remove(self, collection: Collection, object_id: int) -> None:
        """Forget the object with this primary key (nothing happens if unknown)."""

    @abc.abstractmethod
    def collection_search(
        self,
        collection: Collection,
        *,
        queryset: Any,
        query: str,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Find the objects of ``queryset`` that match ``query`` (words or numbers), best
        first. ``queryset`` is what the person may read: nothing outside it is counted or
        returned.
        """

    @abc.abstractmethod
    def collection_rebuild(
        self, collection: Collection, progress: ProgressCallback | None = None
    ) -> int:
        """Rebuild the collection's index from the database; return how many objects."""

    @abc.abstractmethod
    def rebuild(self, progress: ProgressCallback | None = None) -> int:
        """Rebuild the whole index from the database.

        Args:
            progress: called with (done, total) as documents are indexed.

        Returns:
            The number of documents indexed.
        """
