"""The library in the documents' search (issue #9 scope 5): one more ``Collection`` of
the same facade and backends (``lienthong.documents.search``: tantivy embedded or
PostgreSQL full text), with the same Vietnamese analysis, so "nghi quyet" finds
"Nghị quyết" and "57-NQ/TW" is matched whole. No search engine of our own.

Who may read what is the selectors' business: a search runs within the queryset
``selectors.publication_list`` gives (restrict, visibility, clearance, filters).
"""

from __future__ import annotations

from lienthong.documents.search import Collection, collection_index_on_commit
from lienthong.records.library.models import Publication

__all__ = ["COLLECTION", "NAME", "index_on_commit"]

NAME = "library"

#: What is searched and how much it weighs: the number, the trích yếu and the tags most,
#: the issuing body and the term next, the text of the PDF least.
COLLECTION = Collection(
    name=NAME,
    model=Publication,
    fields=(
        ("title", "A"),
        ("notation", "A"),
        ("tags_text", "B"),
        ("issuer_name", "B"),
        ("term", "C"),
        ("text_content", "D"),
    ),
    number_key_field="number_key",
)


def index_on_commit(publication_id: int) -> None:
    """Update the search index for this publication once the transaction commits."""
    collection_index_on_commit(NAME, publication_id)
