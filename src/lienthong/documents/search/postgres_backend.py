"""The shared search backend: PostgreSQL full text (issue #4, scope 7).

For several web servers sharing one database: the database is the index, so there is
nothing to keep in step between servers. ``index_document``/``remove_document`` have
nothing to do; ``rebuild`` (``lienthong search_index --rebuild``) adds a stored,
generated ``tsvector`` column and its GIN index when they are missing. Until then the
vector is computed on the fly (right, but slow beyond a few thousand documents).

The text vector is computed in SQL with the ``simple`` configuration over the exact form
(lower case, diacritics kept) and the folded form (``translate`` drops tones, đ → d,
without the ``unaccent`` extension). Rank: a match on the exact form counts
``EXACT_BOOST`` times more. The scope is ``Document.objects.restrict(user, "view")`` in
the same SQL statement.
"""

from __future__ import annotations

import time
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Lower, TruncDate
from django.utils.translation import gettext as _

from lienthong.core.text import fold
from lienthong.documents.search.analysis import number_parts, parse_query
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
    "INDEX_NAME",
    "VECTOR_COLUMN",
    "PostgresBackend",
    "create_index",
    "document_vector",
    "drop_index",
    "has_vector_column",
]

INDEX_NAME = "documents_document_search_gin"
#: The stored, generated tsvector column ``rebuild`` adds.
VECTOR_COLUMN = "search_vector"
EXACT_BOOST = 3.0
#: (weight, fields): subject weighs most, the body least (ts_rank weights A-D).
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("A", ("subject",)),
    ("B", ("issuer_name", "signer_name", "signer_position")),
    ("D", ("body", "text_content")),
)
_TEXT = TextField()


@cache
def _translations() -> tuple[str, str, str]:
    """(Vietnamese capitals with marks, their lower case, lower case folded).

    ``lower()`` follows the database's collation: under ``C`` it lowers ASCII only, so
    the Vietnamese capitals are lowered by ``translate``. Only Vietnamese letters are
    listed: PostgreSQL keeps an index expression in a catalogue row of at most 8 kB.
    """
    lower_letters = ["đ"]
    for vowel in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"):
            letter = unicodedata.normalize("NFC", vowel + tone)
            if not letter.isascii():
                lower_letters.append(letter)
    lower = "".join(lower_letters)
    return lower.upper(), lower, "".join(fold(ch) for ch in lower)


def _exact_sql(expression: Any) -> Func:
    upper, lower, _folded = _translations()
    return Func(
        Lower(expression), Value(upper), Value(lower), function="translate", output_field=_TEXT
    )


def _folded_sql(expression: Any) -> Func:
    upper, lower, folded = _translations()
    return Func(
        Lower(expression),
        Value(upper + lower),
        Value(folded + folded),
        function="translate",
        output_field=_TEXT,
    )


def _joined(fields: tuple[str, ...]) -> Any:
    parts: list[Any] = []
    for field in fields:
        if parts:
            parts.append(Value(" "))
        parts.append(Coalesce(Cast(F(field), _TEXT), Value(""), output_field=_TEXT))
    if len(parts) == 1:
        return parts[0]
    # ``||`` is immutable (``concat_ws`` is not), so the expression can be indexed.
    return Func(*parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=_TEXT)


def document_vector() -> SearchVector:
    """The tsvector of a document: exact and folded forms of every searched field.

    The same expression is used by queries and by the GIN index (``rebuild``), so the
    planner uses the index.
    """
    vector: Any = None
    for weight, fields in _GROUPS:
        text = _joined(fields)
        part = SearchVector(_exact_sql(text), _folded_sql(text), config="simple", weight=weight)
        vector = part if vector is None else vector + part
    return vector


def _notation_sql() -> Func:
    return _folded_sql(F("code_notation"))


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        raise SearchError(
            _(
                'The "postgres" search backend needs a PostgreSQL database; this node uses '
                "%(vendor)s. Set LIENTHONG_SEARCH_BACKEND=tantivy or move to PostgreSQL."
            )
            % {"vendor": connection.vendor}
        )


class PostgresBackend(SearchBackend):
    """Search with PostgreSQL full text, in the shared database."""

    name = "postgres"

    def index_document(self, document: Document) -> None:
        """Nothing to do: the vector is an expression over the row itself."""

    def remove_document(self, document_id: int) -> None:
        """Nothing to do: a deleted row leaves the index with it."""

    def rebuild(self, progress: ProgressCallback | None = None) -> int:
        """Create the stored vector column and its GIN index if missing; count documents."""
        from lienthong.documents.models import Document

        _require_postgres()
        create_index()
        total = Document.objects.count()
        if progress is not None:
            progress(total, total)
        return total

    def _queryset(
        self, *, user: Any, query: str, filters: SearchFilters | None
    ) -> QuerySet[Any] | None:
        from lienthong.documents.models import Document

        qs: QuerySet[Any] = Document.objects.restrict(user, "view")
        if filters is not None:
            qs = _apply_filters(qs, filters)
        parsed = parse_query(query)
        if parsed.is_empty:
            return qs.annotate(rank=Value(0.0, output_field=FloatField())).order_by(
                "-issued_date", "-created_at", "-pk"
            )
        for key in parsed.numbers:
            parts = number_parts(key)
            if parts is None:  # pragma: no cover - parse_query gives only numbers
                continue
            number, _separator, notation = parts
            qs = qs.alias(search_notation=_notation_sql()).filter(
                code_number=number, search_notation=fold(notation)
            )
        if not parsed.exact:
            return qs.annotate(rank=Value(1.0, output_field=FloatField())).order_by(
                "-issued_date", "-pk"
            )
        any_form: SearchQuery | None = None
        exact_only: SearchQuery | None = None
        for exact, folded in zip(parsed.exact, parsed.folded, strict=True):
            either = SearchQuery(exact, config="simple", search_type="plain")
            if folded != exact:
                either = either | SearchQuery(folded, config="simple", search_type="plain")
            one = SearchQuery(exact, config="simple", search_type="plain")
            any_form = either if any_form is None else any_form & either
            exact_only = one if exact_only is None else exact_only & one
        assert any_form is not None and exact_only is not None  # parsed.exact is not empty
        vector: Any = (
            RawSQL(f'"documents_document"."{VECTOR_COLUMN}"', [], output_field=SearchVectorField())
            if has_vector_column()
            else document_vector()
        )
        return (
            qs.alias(search_vector=vector)
            .filter(search_vector=any_form)
            .annotate(
                rank=SearchRank(F("search_vector"), any_form)
                + Value(EXACT_BOOST) * SearchRank(F("search_vector"), exact_only)
            )
            .order_by("-rank", "-pk")
        )

    def search(
        self,
        *,
        user: Any,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Search within ``user``'s scope (see ``SearchBackend.search``)."""
        _require_postgres()
        started = time.perf_counter()
        qs = self._queryset(user=user, query=query, filters=filters)
        if qs is None:
            return SearchResult(ids=(), total=0, took_ms=_ms(started))
        offset = max(0, int(offset))
        limit = max(0, int(limit))
        ids = tuple(int(pk) for pk in qs.values_list("pk", flat=True)[offset : offset + limit])
        total = qs.order_by().count() if (offset or len(ids) == limit) else offset + len(ids)
        return SearchResult(ids=ids, total=total, took_ms=_ms(started))


def _apply_filters(qs: QuerySet[Any], filters: SearchFilters) -> QuerySet[Any]:
    condition = Q()
    if filters.document_type_id is not None:
        condition &= Q(document_type_id=filters.document_type_id)
    if filters.state:
        condition &= Q(state=filters.state)
    if filters.direction:
        condition &= Q(direction=filters.direction)
    if filters.classification is not None:
        condition &= Q(classification=filters.classification)
    if filters.unit_ids is not None:
        condition &= Q(unit_id__in=list(filters.unit_ids))
    qs = qs.filter(condition)
    if filters.date_from is not None or filters.date_to is not None:
        qs = qs.alias(search_day=Coalesce(F("issued_date"), TruncDate("created_at")))
        if filters.date_from is not None:
            qs = qs.filter(search_day__gte=filters.date_from)
        if filters.date_to is not None:
            qs = qs.filter(search_day__lte=filters.date_to)
    return qs


def has_vector_column() -> bool:
    """Tell whether ``rebuild`` added the stored vector column (checked until it has)."""
    global _column_seen
    if _column_seen:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'documents_document' AND column_name = %s "
            "AND table_schema = current_schema()",
            [VECTOR_COLUMN],
        )
        _column_seen = cursor.fetchone() is not None
    return _column_seen


_column_seen = False


def create_index() -> bool:
    """Add the stored vector column and its GIN index to the documents table if missing.

    The column is ``GENERATED ALWAYS AS (document_vector()) STORED``: PostgreSQL keeps it
    in step on every insert and update, whatever writes the row, and ranking reads it
    instead of recomputing the vector of every hit (22 s instead of ~0.1 s for a query
    with 40,000 hits over 1,000,000 documents, docs/benchmarks.md). Django does not know
    the column; a migration that changes the type of a searched column must run
    ``drop_index()`` first and ``lienthong search_index --rebuild`` after.

    Returns:
        True when something was created now.
    """
    from django.db.models.sql import Query

    from lienthong.documents.models import Document

    _require_postgres()
    created = False
    table = connection.ops.quote_name(Document._meta.db_table)
    column = connection.ops.quote_name(VECTOR_COLUMN)
    if not has_vector_column():
        query = Query(Document, alias_cols=False)
        compiler = query.get_compiler(connection=connection)
        expression = document_vector().resolve_expression(query, allow_joins=False)
        sql, params = compiler.compile(expression)
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector "
                f"GENERATED ALWAYS AS ({sql}) STORED",
                params,
            )
        created = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
        if cursor.fetchone() is None:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            try:
                cursor.execute(f"CREATE INDEX {INDEX_NAME} ON {table} USING gin ({column})")
            finally:
                cursor.execute("RESET maintenance_work_mem")
            created = True
    return created


def drop_index() -> None:
    """Drop the stored vector column and its index (before a migration that needs it)."""
    global _column_seen
    _require_postgres()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
        cursor.execute(f"ALTER TABLE documents_document DROP COLUMN IF EXISTS {VECTOR_COLUMN}")
    _column_seen = False


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
