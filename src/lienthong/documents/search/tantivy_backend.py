"""The embedded search backend: a tantivy index under ``DATA_DIR/search/`` (issue #4, scope 7).

This module is the only importer of ``tantivy`` (STYLE habit 19).

Each text field is indexed twice, exact and folded (see ``analysis``); a query word
matches either form and an exact-form match scores ``EXACT_BOOST`` times more, so "dang"
finds "Đảng" while "Đảng" ranks "Đảng" above "đăng". Document numbers are one keyword
each. The person's scope becomes a term-set clause on ``unit_id`` that every hit must
satisfy, so counts and pages hold only what they may see.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tantivy
from django.conf import settings
from django.utils.translation import gettext as _

from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.core.text import fold
from lienthong.documents.search.analysis import (
    SearchRecord,
    exact_tokens,
    folded_tokens,
    number_key,
    parse_query,
    record_from_document,
)
from lienthong.documents.search.base import (
    WEIGHTS,
    Collection,
    ProgressCallback,
    SearchBackend,
    SearchError,
    SearchFilters,
    SearchResult,
)

if TYPE_CHECKING:
    from lienthong.documents.models import Document

__all__ = ["TantivyBackend"]

#: Bump when the schema changes: a new version lives in a new folder and needs a rebuild.
SCHEMA_VERSION = 1
#: How much more an exact-diacritic match weighs than a folded one.
EXACT_BOOST = 3.0
#: Text fields and their weight in the score.
TEXT_FIELDS: dict[str, float] = {
    "subject": 3.0,
    "number_text": 2.0,
    "issuer": 1.5,
    "signer": 1.5,
    "body": 1.0,
}
#: The score of each weight of a collection's fields (``Collection.fields``).
COLLECTION_WEIGHTS: dict[str, float] = {"A": 3.0, "B": 1.5, "C": 1.2, "D": 1.0}
#: Bump when a collection's schema changes (a new folder, rebuilt by search_index).
COLLECTION_SCHEMA_VERSION = 1
_WRITER_HEAP = 64 * 1024 * 1024
_WRITER_ATTEMPTS = 50


def _build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("unit_id", indexed=True, fast=True)
    builder.add_unsigned_field("type_id", indexed=True, fast=True)
    builder.add_unsigned_field("classification", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_text_field("state", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("direction", tokenizer_name="raw", index_option="basic")
    # Document numbers, whole: exact and folded keys (12-nq/tu; 66-qđ/tw and 66-qd/tw).
    builder.add_text_field("number", tokenizer_name="raw", index_option="basic")
    for field in TEXT_FIELDS:
        # Tokens come from ``analysis`` joined by spaces; tantivy only splits on them.
        builder.add_text_field(field, tokenizer_name="whitespace")
        builder.add_text_field(f"{field}_f", tokenizer_name="whitespace")
    return builder.build()


def _collection_schema() -> tantivy.Schema:
    """Every collection has the same shape: an id, a number keyword and one exact and
    one folded text field per weight (the same analysis as documents)."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("number", tokenizer_name="raw", index_option="basic")
    for weight in WEIGHTS:
        builder.add_text_field(weight.lower(), tokenizer_name="whitespace")
        builder.add_text_field(f"{weight.lower()}_f", tokenizer_name="whitespace")
    return builder.build()


def _collection_document(collection: Collection, obj: Any) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", int(obj.pk))
    key = str(getattr(obj, collection.number_key_field, "") or "")
    if key:
        doc.add_text("number", key)
        if fold(key) != key:
            doc.add_text("number", fold(key))
    texts: dict[str, list[str]] = {weight: [] for weight in WEIGHTS}
    for field, weight in collection.fields:
        value = getattr(obj, field, "")
        if value:
            texts[weight].append(str(value))
    for weight, parts in texts.items():
        text = "\n".join(parts)
        if text:
            doc.add_text(weight.lower(), " ".join(exact_tokens(text)))
            doc.add_text(f"{weight.lower()}_f", " ".join(folded_tokens(text)))
    return doc


def _day(value: dt.date) -> int:
    return value.toordinal()


def _tantivy_document(record: SearchRecord) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", record.id)
    doc.add_unsigned("unit_id", record.unit_id)
    doc.add_unsigned("type_id", record.document_type_id)
    doc.add_unsigned("classification", record.classification)
    doc.add_integer("day", _day(record.day))
    doc.add_text("state", record.state)
    doc.add_text("direction", record.direction)
    key = number_key(record.number) if record.number else ""
    if key:
        doc.add_text("number", key)
        folded_key = fold(key)
        if folded_key != key:
            doc.add_text("number", folded_key)
    values = {
        "subject": record.subject,
        "number_text": record.number,
        "issuer": record.issuer,
        "signer": record.signer,
        "body": record.body,
    }
    for field, text in values.items():
        if text:
            doc.add_text(field, " ".join(exact_tokens(text)))
            doc.add_text(f"{field}_f", " ".join(folded_tokens(text)))
    return doc


def _open_index(path: Path, schema: Any) -> tantivy.Index:
    """Open (or create) the tantivy index at ``path``; shared by the documents' index and
    the other collections' (a clear error when the directory or its files are unusable).

    Raises:
        SearchError: the index cannot be opened.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        return tantivy.Index(schema, path=str(path), reuse=True)
    except (OSError, ValueError) as exc:
        raise SearchError(
            _("The search index at %(path)s cannot be opened: %(error)s")
            % {"path": path, "error": exc}
        ) from exc


class TantivyBackend(SearchBackend):
    """Search with an embedded tantivy index (the default backend).

    Args:
        path: the index folder; default ``SEARCH_INDEX_DIR`` or ``DATA_DIR/search``.
    """

    name = "tantivy"

    def __init__(self, path: Path | str | None = None) -> None:
        base = Path(
            path
            or getattr(settings, "SEARCH_INDEX_DIR", None)
            or Path(settings.DATA_DIR) / "search"
        )
        self.path = base / f"tantivy-v{SCHEMA_VERSION}"
        self.schema = _build_schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()
        self._collections: dict[str, _CollectionIndex] = {}

    # --- other collections ----------------------------------------------------------

    def _collection(self, collection: Collection) -> _CollectionIndex:
        found = self._collections.get(collection.name)
        if found is None:
            with self._lock:
                found = self._collections.get(collection.name)
                if found is None:
                    folder = self.path.parent / (f"{collection.name}-v{COLLECTION_SCHEMA_VERSION}")
                    found = _CollectionIndex(folder)
                    self._collections[collection.name] = found
        return found

    def collection_index(self, collection: Collection, objects: Sequence[Any]) -> None:
        """Add or replace these objects of ``collection`` (one commit)."""
        self._collection(collection).write(collection, objects, replace=True)

    def collection_remove(self, collection: Collection, object_id: int) -> None:
        """Delete one object of ``collection`` from its index."""
        self._collection(collection).remove(int(object_id))

    def collection_rebuild(
        self, collection: Collection, progress: ProgressCallback | None = None
    ) -> int:
        """Replace the collection's index by what the database holds, in one commit."""
        objects = collection.model._default_manager.all().order_by("pk")
        total = objects.count()

        def rows() -> Iterator[Any]:
            for done, obj in enumerate(objects.iterator(chunk_size=2000), start=1):
                yield obj
                if progress is not None:
                    progress(done, total)

        return self._collection(collection).write(collection, rows(), replace=False, clear=True)

    def collection_search(
        self,
        collection: Collection,
        *,
        queryset: Any,
        query: str,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Search the collection's index, only among the ids of ``queryset`` (what the
        person may read, filtered): a term-set clause every hit must satisfy, so the total
        and the pages count nothing else."""
        started = time.perf_counter()
        allowed = [int(pk) for pk in queryset.order_by().values_list("pk", flat=True)]
        index = self._collection(collection)
        text = index.text_query(query)
        if not allowed or text is None:
            return SearchResult(ids=(), total=0, took_ms=_ms(started))
        scope = tantivy.Query.term_set_query(index.schema, "id", allowed)
        combined = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, text),
                (tantivy.Occur.Must, tantivy.Query.const_score_query(scope, 0.0)),
            ]
        )
        index.index.reload()
        searcher = index.index.searcher()
        limit = max(0, int(limit))
        found = searcher.search(combined, max(limit, 1), count=True, offset=max(0, int(offset)))
        hits = found.hits[:limit]
        ids = searcher.fast_field_values("id", [address for _score, address in hits])
        return SearchResult(
            ids=tuple(int(i) for i in ids if i is not None),
            total=int(getattr(found, "count", 0) or 0),
            took_ms=_ms(started),
        )

    # --- index ------------------------------------------------------------------------

    @property
    def index(self) -> tantivy.Index:
        """The tantivy index, opened (or created) on first use."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = _open_index(self.path, self.schema)
        return self._index

    def _writer(self, heap: int = _WRITER_HEAP, threads: int = 0) -> Any:
        # One writer at a time across processes (tantivy's lock file): wait a little for
        # another writer (the task worker, a rebuild) to finish.
        for attempt in range(_WRITER_ATTEMPTS):
            try:
                return self.index.writer(heap, threads)
            except ValueError:
                if attempt == _WRITER_ATTEMPTS - 1:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")  # pragma: no cover

    def index_document(self, document: Document) -> None:
        """Add or replace ``document`` in the index (one commit)."""
        self.index_records([record_from_document(document)])

    def index_records(self, records: Iterable[SearchRecord], *, replace: bool = True) -> int:
        """Add or replace these records in one commit.

        Args:
            records: index records (from documents, or generated by the benchmark).
            replace: delete earlier versions of the same ids first.

        Returns:
            How many records were written.
        """
        writer = self._writer()
        count = 0
        try:
            for record in records:
                if replace:
                    writer.delete_documents_by_query(self._term("id", record.id))
                writer.add_document(_tantivy_document(record))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        return count

    def remove_document(self, document_id: int) -> None:
        """Delete the document with this primary key from the index."""
        writer = self._writer()
        try:
            # By query: ``delete_documents_by_term`` takes a Python int as i64, not u64.
            writer.delete_documents_by_query(self._term("id", int(document_id)))
            writer.commit()
        finally:
            writer.wait_merging_threads()
        self.index.reload()

    def clear(self) -> None:
        """Empty the index."""
        writer = self._writer()
        try:
            writer.delete_all_documents()
            writer.commit()
        finally:
            writer.wait_merging_threads()
        self.index.reload()

    def rebuild(self, progress: ProgressCallback | None = None) -> int:
        """Replace the whole index by what the database holds, in one commit.

        Searches keep answering from the old index until the commit.
        """
        from lienthong.documents.models import Document

        documents = Document.objects.all().order_by("pk")
        total = documents.count()

        def records() -> Iterator[SearchRecord]:
            for done, document in enumerate(documents.iterator(chunk_size=2000), start=1):
                yield record_from_document(document)
                if progress is not None:
                    progress(done, total)

        writer = self._writer()
        count = 0
        try:
            writer.delete_all_documents()
            for record in records():
                writer.add_document(_tantivy_document(record))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        return count

    def document_count(self) -> int:
        """How many documents the index holds."""
        self.index.reload()
        return int(self.index.searcher().num_docs)

    # --- search -----------------------------------------------------------------------

    def _term(self, field: str, value: Any, boost: float = 1.0) -> Any:
        query = tantivy.Query.term_query(self.schema, field, value)
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def _text_query(self, query: str) -> Any | None:
        parsed = parse_query(query)
        if parsed.is_empty:
            return None
        must: list[Any] = []
        for key in parsed.numbers:
            # The number whole, or the same number quoted in a text ("Thực hiện Nghị quyết
            # số 12-NQ/TU…") as a phrase, never its pieces alone.
            should = [self._term("number", key, 10.0), self._term("number", fold(key), 5.0)]
            exact: list[str | tuple[int, str]] = list(exact_tokens(key))
            folded: list[str | tuple[int, str]] = list(folded_tokens(key))
            for field in ("subject", "body"):
                if len(exact) > 1:
                    should.append(tantivy.Query.phrase_query(self.schema, field, exact))
                    should.append(tantivy.Query.phrase_query(self.schema, f"{field}_f", folded))
            must.append(_any(should))
        for exact_word, folded_word in zip(parsed.exact, parsed.folded, strict=True):
            should = []
            for field, weight in TEXT_FIELDS.items():
                should.append(self._term(field, exact_word, weight * EXACT_BOOST))
                should.append(self._term(f"{field}_f", folded_word, weight))
            must.append(_any(should))
        return _all(must)

    def _filter_queries(self, filters: SearchFilters | None) -> list[Any]:
        if filters is None:
            return []
        clauses: list[Any] = []
        if filters.document_type_id is not None:
            clauses.append(self._term("type_id", int(filters.document_type_id)))
        if filters.state:
            clauses.append(self._term("state", str(filters.state)))
        if filters.direction:
            clauses.append(self._term("direction", str(filters.direction)))
        if filters.classification is not None:
            clauses.append(self._term("classification", int(filters.classification)))
        if filters.unit_ids is not None:
            clauses.append(
                tantivy.Query.term_set_query(
                    self.schema, "unit_id", [int(u) for u in filters.unit_ids]
                )
            )
        if filters.date_from is not None or filters.date_to is not None:
            clauses.append(
                tantivy.Query.range_query(
                    self.schema,
                    "day",
                    tantivy.FieldType.Integer,
                    _day(filters.date_from) if filters.date_from else None,
                    _day(filters.date_to) if filters.date_to else None,
                )
            )
        return clauses

    def _scope_query(self, user: Any) -> Any:
        """The clause every hit of ``user`` must satisfy; True: no limit; False: nothing."""
        from lienthong.documents.models import Document

        units = allowed_units(user, "documents.view_document")
        if isinstance(units, AllUnits):
            return True
        clauses: list[Any] = []
        if units is not None:
            # Evaluated once per request: the pk list of the units in scope.
            unit_ids = [int(pk) for pk in units.values_list("pk", flat=True)]
            if unit_ids:
                clauses.append(tantivy.Query.term_set_query(self.schema, "unit_id", unit_ids))
        # Mirror ``restrict``: a model's own extra condition (if it ever declares one)
        # adds the documents it grants, by id.
        extra = getattr(Document, "scope_extra", None)
        if extra is not None and getattr(user, "is_authenticated", False):
            condition = extra(user, "view")
            if condition is not None:
                ids = [
                    int(pk)
                    for pk in Document.objects.filter(condition).values_list("pk", flat=True)
                ]
                if ids:
                    clauses.append(tantivy.Query.term_set_query(self.schema, "id", ids))
        if not clauses:
            return False
        return _any(clauses)

    def search(
        self,
        *,
        user: Any,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Search the index within ``user``'s scope (see ``SearchBackend.search``)."""
        started = time.perf_counter()
        scope = self._scope_query(user)
        if scope is False:
            return SearchResult(ids=(), total=0, took_ms=_ms(started))
        text = self._text_query(query)
        clauses: list[tuple[Any, Any]] = []
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        if scope is not True:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(scope, 0.0)))
        for clause in self._filter_queries(filters):
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0)))
        if not clauses:
            combined = tantivy.Query.all_query()
        elif len(clauses) == 1 and text is not None:
            combined = text
        else:
            combined = tantivy.Query.boolean_query(clauses)
        self.index.reload()
        searcher = self.index.searcher()
        limit = max(0, int(limit))
        offset = max(0, int(offset))
        if text is None:
            # Nothing typed: the newest documents first.
            found = searcher.search(
                combined, max(limit, 1), count=True, order_by_field="day", offset=offset
            )
        else:
            found = searcher.search(combined, max(limit, 1), count=True, offset=offset)
        hits = found.hits[:limit]
        ids = searcher.fast_field_values("id", [address for _score, address in hits])
        return SearchResult(
            ids=tuple(int(i) for i in ids if i is not None),
            total=int(getattr(found, "count", 0) or 0),
            took_ms=_ms(started),
        )


class _CollectionIndex:
    """The tantivy index of one other collection, in its own folder beside the
    documents' (``DATA_DIR/search/<name>-v1``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _collection_schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> tantivy.Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = _open_index(self.path, self.schema)
        return self._index

    def _writer(self) -> Any:
        for attempt in range(_WRITER_ATTEMPTS):
            try:
                return self.index.writer(_WRITER_HEAP, 0)
            except ValueError:
                if attempt == _WRITER_ATTEMPTS - 1:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")  # pragma: no cover

    def _term(self, field: str, value: Any, boost: float = 1.0) -> Any:
        query = tantivy.Query.term_query(self.schema, field, value)
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def write(
        self,
        collection: Collection,
        objects: Iterable[Any],
        *,
        replace: bool,
        clear: bool = False,
    ) -> int:
        writer = self._writer()
        count = 0
        try:
            if clear:
                writer.delete_all_documents()
            for obj in objects:
                if replace:
                    writer.delete_documents_by_query(self._term("id", int(obj.pk)))
                writer.add_document(_collection_document(collection, obj))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        return count

    def remove(self, object_id: int) -> None:
        writer = self._writer()
        try:
            writer.delete_documents_by_query(self._term("id", object_id))
            writer.commit()
        finally:
            writer.wait_merging_threads()
        self.index.reload()

    def text_query(self, query: str) -> Any | None:
        """The same matching as documents: numbers whole (or as a phrase in the text),
        each word exact (boosted) or folded, in any weighted field."""
        parsed = parse_query(query)
        if parsed.is_empty:
            return None
        must: list[Any] = []
        for key in parsed.numbers:
            should = [self._term("number", key, 10.0), self._term("number", fold(key), 5.0)]
            exact: list[str | tuple[int, str]] = list(exact_tokens(key))
            folded: list[str | tuple[int, str]] = list(folded_tokens(key))
            if len(exact) > 1:
                for weight in WEIGHTS:
                    field = weight.lower()
                    should.append(tantivy.Query.phrase_query(self.schema, field, exact))
                    should.append(tantivy.Query.phrase_query(self.schema, f"{field}_f", folded))
            must.append(_any(should))
        for exact_word, folded_word in zip(parsed.exact, parsed.folded, strict=True):
            should = []
            for weight, score in COLLECTION_WEIGHTS.items():
                field = weight.lower()
                should.append(self._term(field, exact_word, score * EXACT_BOOST))
                should.append(self._term(f"{field}_f", folded_word, score))
            must.append(_any(should))
        return _all(must)


def _any(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _all(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
