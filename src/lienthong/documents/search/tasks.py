"""Background work of search: keep the index in step with the documents (issue #4, scope 7).

A task is an adapter (STYLE habit 8): it takes an id, loads, calls the backend. A document
that no longer exists is removed from the index, so a late task after a deletion is safe.
"""

from __future__ import annotations

import logging

from lienthong.core.tasks import task

__all__ = ["update_collection_index", "update_document_index"]

logger = logging.getLogger(__name__)


@task()
def update_document_index(document_id: int) -> bool:
    """Index the document with this id, or remove it from the index when it is gone.

    Args:
        document_id: the document's primary key.

    Returns:
        True when the document was indexed, False when it was removed.
    """
    from lienthong.documents.models import Document
    from lienthong.documents.search import get_backend

    backend = get_backend()
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        backend.remove_document(document_id)
        logger.info("search index: document %s removed", document_id)
        return False
    backend.index_document(document)
    return True


@task()
def update_collection_index(name: str, object_id: int) -> bool:
    """Index one object of a registered collection, or remove it when it is gone.

    Args:
        name: the collection's name (``Collection.name``).
        object_id: the object's primary key.

    Returns:
        True when the object was indexed, False when it was removed.
    """
    from lienthong.documents.search import get_backend, get_collection

    collection = get_collection(name)
    backend = get_backend()
    found = collection.model._default_manager.filter(pk=object_id).first()
    if found is None:
        backend.collection_remove(collection, object_id)
        logger.info("search index: %s %s removed", name, object_id)
        return False
    backend.collection_index(collection, [found])
    return True
