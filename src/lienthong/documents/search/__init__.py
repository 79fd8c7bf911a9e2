"""Full-text search over documents, behind one narrow facade (STYLE habit 19; issue #4, scope 7).

Callers use only what this package exports::

    from lienthong.documents.search import SearchFilters, get_backend, index_on_commit

    result = get_backend().search(user=request.user, query="quyet dinh quy che", limit=20)
    documents = documents_in_order(user=request.user, ids=result.ids)

The backend is chosen by the setting ``SEARCH_BACKEND`` (``LIENTHONG_SEARCH_BACKEND``):
``tantivy`` (default, embedded, index under ``DATA_DIR/search/``) or ``postgres``
(PostgreSQL full text, for several web servers sharing one database).

Other collections (the library of Party documents, issue #9 scope 5) are searched by the
same backend with the same analysis: a higher app registers a ``Collection`` from its
``AppConfig.ready()`` and calls ``collection_search``, ``collection_index_on_commit`` and
``collection_rebuild``; ``lienthong search_index --rebuild`` rebuilds every collection too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from lienthong.documents.search.analysis import parse_query
from lienthong.documents.search.base import (
    Collection,
    ProgressCallback,
    SearchBackend,
    SearchError,
    SearchFilters,
    SearchResult,
)

if TYPE_CHECKING:
    from lienthong.documents.models import Document

__all__ = [
    "BACKENDS",
    "Collection",
    "ProgressCallback",
    "SearchBackend",
    "SearchError",
    "SearchFilters",
    "SearchResult",
    "collection_index_on_commit",
    "collection_rebuild",
    "collection_search",
    "collections",
    "documents_in_order",
    "get_backend",
    "get_collection",
    "index_on_commit",
    "register_collection",
    "reset_backend",
]

#: The backends a setting may name.
BACKENDS = ("tantivy", "postgres")

_backend: SearchBackend | None = None
_backend_key: tuple[str, str] | None = None


def _make(name: str) -> SearchBackend:
    if name == "tantivy":
        from lienthong.documents.search.tantivy_backend import TantivyBackend

        return TantivyBackend()
    if name == "postgres":
        from lienthong.documents.search.postgres_backend import PostgresBackend

        return PostgresBackend()
    raise SearchError(
        _('Unknown search backend "%(name)s": use one of %(choices)s.')
        % {"name": name, "choices": ", ".join(BACKENDS)}
    )


def get_backend(name: str | None = None) -> SearchBackend:
    """Return the configured search backend (one instance per process and setting).

    Args:
        name: a backend name, to pick one other than the setting's (tests, benchmarks).

    Raises:
        SearchError: the setting names no known backend.
    """
    global _backend, _backend_key
    chosen: str = name or str(getattr(settings, "SEARCH_BACKEND", "tantivy"))
    key = (chosen, str(getattr(settings, "SEARCH_INDEX_DIR", "") or settings.DATA_DIR))
    if name is not None:
        return _make(chosen)
    if _backend is None or _backend_key != key:
        _backend = _make(chosen)
        _backend_key = key
    return _backend


def reset_backend() -> None:
    """Forget the cached backend (after a settings change in tests)."""
    global _backend, _backend_key
    _backend = None
    _backend_key = None


def index_on_commit(document_id: int) -> None:
    """Update the index for this document once the current transaction commits.

    Services call this after creating or changing a document (STYLE habit 10: the service
    calls the side effect explicitly); after a rollback nothing is enqueued.

    Args:
        document_id: the document's primary key.
    """
    from lienthong.core.tasks import enqueue_on_commit
    from lienthong.documents.search.tasks import update_document_index

    enqueue_on_commit(update_document_index, int(document_id))


def documents_in_order(*, user: Any, ids: tuple[int, ...] | list[int]) -> list[Document]:
    """Load the documents of a result page, in rank order, through ``restrict``.

    The backend already searched within the person's scope; loading through
    ``restrict`` again costs one query and keeps a stale index entry from ever showing
    a document the person may no longer view.

    Args:
        user: the person searching.
        ids: ``SearchResult.ids``.

    Returns:
        The documents, best first.
    """
    from lienthong.documents.models import Document

    found = Document.objects.restrict(user, "view").in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


# --- other collections -----------------------------------------------------------------

_collections: dict[str, Collection] = {}


def register_collection(collection: Collection) -> None:
    """Make ``collection`` searchable (called from the owning app's ``ready()``).

    Registering the same name again replaces the description (idempotent on reload).
    """
    _collections[collection.name] = collection


def collections() -> tuple[Collection, ...]:
    """The registered collections, by name."""
    return tuple(_collections[name] for name in sorted(_collections))


def get_collection(name: str) -> Collection:
    """The registered collection called ``name``.

    Raises:
        SearchError: no app registered it.
    """
    try:
        return _collections[name]
    except KeyError:
        raise SearchError(
            _('No search collection is called "%(name)s".') % {"name": name}
        ) from None


def collection_index_on_commit(name: str, object_id: int) -> None:
    """Update the collection's index for this object once the transaction commits
    (like ``index_on_commit``; nothing after a rollback).

    Args:
        name: the collection's name.
        object_id: the object's primary key.
    """
    from lienthong.core.tasks import enqueue_on_commit
    from lienthong.documents.search.tasks import update_collection_index

    enqueue_on_commit(update_collection_index, str(name), int(object_id))


def collection_search(
    name: str,
    *,
    queryset: Any,
    query: str,
    limit: int = 20,
    offset: int = 0,
    backend: SearchBackend | None = None,
) -> SearchResult:
    """Search a collection within ``queryset`` (what the person may read, filtered).

    With nothing typed, the queryset's own order is kept (no index is read).

    Args:
        name: the collection's name.
        queryset: the caller's restricted, filtered queryset of the collection's model.
        query: words with or without diacritics, and/or numbers ("57-NQ/TW").
        limit: page size.
        offset: hits to skip.
        backend: a backend other than the configured one (tests).

    Returns:
        The page of hits (primary keys, best first) and how many match.
    """
    import time

    collection = get_collection(name)
    if parse_query(query).is_empty:
        started = time.perf_counter()
        total = queryset.count()
        start, stop = max(0, int(offset)), max(0, int(offset)) + max(0, int(limit))
        ids = tuple(int(pk) for pk in queryset.values_list("pk", flat=True)[start:stop])
        return SearchResult(
            ids=ids, total=total, took_ms=round((time.perf_counter() - started) * 1000, 3)
        )
    chosen = backend or get_backend()
    return chosen.collection_search(
        collection, queryset=queryset, query=query, limit=limit, offset=offset
    )


def collection_rebuild(
    name: str, *, progress: ProgressCallback | None = None, backend: SearchBackend | None = None
) -> int:
    """Rebuild one collection's index from the database; return how many objects."""
    chosen = backend or get_backend()
    return chosen.collection_rebuild(get_collection(name), progress=progress)
