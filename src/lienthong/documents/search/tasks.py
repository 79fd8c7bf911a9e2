"""Background work of search: keep the index in step with the documents (issue #4, scope 7).

A task is an adapter (STYLE habit 8): it takes an id, loads, calls the backend. A document
that no longer exists is removed from the index, so a late task after a deletion is safe.
"""

from __future__ import annotations

import logging

from lienthong.core.tasks import task

__all__ = ["update_document_index"]

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
