"""Full-text search over documents, behind one narrow facade (STYLE habit 19; issue #4, scope 7).

Callers use only what this package exports::

    from lienthong.documents.search import SearchFilters, get_backend, index_on_commit

    result = get_backend().search(user=request.user, query="quyet dinh quy che", limit=20)
    documents = documents_in_order(user=request.user, ids=result.ids)

The backend is chosen by the setting ``SEARCH_BACKEND`` (``LIENTHONG_SEARCH_BACKEND``):
``tantivy`` (default, embedded, index under ``DATA_DIR/search/``) or ``postgres``
(PostgreSQL full text, for several web servers sharing one database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from lienthong.documents.search.base import (
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
    "ProgressCallback",
    "SearchBackend",
    "SearchError",
    "SearchFilters",
    "SearchResult",
    "documents_in_order",
    "get_backend",
    "index_on_commit",
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
