"""The shared search backend: PostgreSQL full text (issue #4, scope 7).

For several web servers sharing one database: the database is the index, so there is
nothing to keep in step between servers. ``index_document``/``remove_document`` have
nothing to do; ``rebuild`` (``lienthong search_index --rebuild``) adds a stored,
generated ``tsvector`` column, its GIN index and a btree on ``(id, unit_id)`` when they
are missing. Until then the vector is computed on the fly (right, but slow beyond a few
thousand documents); the system check ``lienthong.documents.W001`` says so.

The text vector is computed in SQL with the ``simple`` configuration over the exact form
(lower case, diacritics kept) and the folded form (``translate`` drops tones, đ → d,
without the ``unaccent`` extension), so "dang" finds "Đảng". A query typed as a document
number ("12-NQ/TU") matches the number and notation whole.

**What is ranked, and what the total says** (bounded re-ranking; docs/benchmarks.md):

- Every match is in the person's scope: the units the permission engine allows
  (``allowed_units`` and ``scope_extra``, as ``restrict`` combines them) are a condition
  of every statement, never a filter applied afterwards.
- The *window* is the ``CANDIDATES`` (100) **most recently entered** matching documents
  (highest ids). Only the window is ranked: documents matching every word in its exact
  form (diacritics as typed) first — "Đảng" puts "Đảng" before "đăng" — then by
  ``ts_rank`` (subject weighs most, then signer and issuer, then body and text layer),
  then the newest. An older document, however relevant, is not ranked into the window.
- After the window, the remaining matches follow newest first; every match can be paged
  to, each once.
- ``total`` is exact when fewer than ``CANDIDATES`` match; otherwise it is
  ``CANDIDATES`` with ``total_capped`` ("more than 100"). Counting or ranking every
  match of a broad query read the vector of each hit: 1-7 s at 1,000,000 documents.
- With nothing typed (filters only) or only numbers: newest first by date, counted up to
  ``TOTAL_CAP``.

How the window is found without reading every hit is in ``_window_ids``.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Lower, TruncDate
from django.utils.translation import gettext as _

from lienthong.core.permissions import AllUnits, allowed_units, permission_name
from lienthong.core.text import fold
from lienthong.documents.search.analysis import number_parts, parse_query
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

__all__ = [
    "INDEX_NAME",
    "RECENT_INDEX_NAME",
    "VECTOR_COLUMN",
    "PostgresBackend",
    "collection_vector",
    "create_index",
    "document_vector",
    "drop_index",
    "has_vector_column",
    "missing_structures",
]

INDEX_NAME = "documents_document_search_gin"
#: The btree on (id, unit_id) that lets the newest documents of a scope be listed from
#: the index alone (``_walk``).
RECENT_INDEX_NAME = "documents_document_search_recent"
#: The stored, generated tsvector column ``rebuild`` adds.
VECTOR_COLUMN = "search_vector"
#: How many of the newest matches are ranked (see the module docstring).
CANDIDATES = 100
#: How many of the newest documents are tested first (``_window_ids``) ...
WALK = 1000
#: ... and at most in all before the older matches are taken from the GIN index.
MAX_WALK = 6000
#: Without words, documents are counted up to this many ("more than 10,000").
TOTAL_CAP = 10_000
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


def collection_vector(collection: Collection) -> SearchVector:
    """The tsvector of an object of ``collection``: the exact and folded forms of its
    fields, weighted as the collection says (the same expressions as documents)."""
    vector: Any = None
    for weight in WEIGHTS:
        fields = tuple(name for name, w in collection.fields if w == weight)
        if not fields:
            continue
        text = _joined(fields)
        part = SearchVector(_exact_sql(text), _folded_sql(text), config="simple", weight=weight)
        vector = part if vector is None else vector + part
    return vector


class PostgresBackend(SearchBackend):
    """Search with PostgreSQL full text, in the shared database."""

    name = "postgres"

    # --- other collections: the rows are the index, computed on the fly -----------------
    # A collection (the library) holds thousands of rows, not millions: the vector is
    # computed for the rows the caller's queryset allows, with no stored column.

    def collection_index(self, collection: Collection, objects: Sequence[Any]) -> None:
        """Nothing to do: the vector is an expression over the row itself."""

    def collection_remove(self, collection: Collection, object_id: int) -> None:
        """Nothing to do: a deleted row leaves the index with it."""

    def collection_rebuild(
        self, collection: Collection, progress: ProgressCallback | None = None
    ) -> int:
        """Nothing to build; count the collection's rows."""
        _require_postgres()
        total = int(collection.model._default_manager.count())
        if progress is not None:
            progress(total, total)
        return total

    def collection_search(
        self,
        collection: Collection,
        *,
        queryset: Any,
        query: str,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Match ``query`` within ``queryset`` (what the person may read): numbers whole
        (folded on both sides), every word in its exact or folded form; rows matching
        every word as typed first, then ``ts_rank``, then the newest."""
        _require_postgres()
        started = time.perf_counter()
        parsed = parse_query(query)
        qs: QuerySet[Any] = queryset
        for key in parsed.numbers:
            if not collection.number_key_field:
                return SearchResult(ids=(), total=0, took_ms=_ms(started))
            qs = qs.alias(search_number=_folded_sql(F(collection.number_key_field))).filter(
                search_number=fold(key)
            )
        if parsed.exact:
            words = _Words(parsed.exact, parsed.folded)
            exact: SearchQuery | None = None
            for word in parsed.exact:
                one = SearchQuery(word, config="simple", search_type="plain")
                exact = one if exact is None else exact & one
            qs = (
                qs.alias(search_vector=collection_vector(collection))
                .filter(search_vector=words.any_form())
                .annotate(
                    search_exact=ExpressionWrapper(
                        Q(search_vector=exact), output_field=BooleanField()
                    ),
                    search_rank=SearchRank(F("search_vector"), words.any_form()),
                )
                .order_by("-search_exact", "-search_rank", "-pk")
            )
        start = max(0, int(offset))
        stop = start + max(0, int(limit))
        ids = tuple(int(pk) for pk in qs.values_list("pk", flat=True)[start:stop])
        total = int(qs.order_by().count())
        return SearchResult(ids=ids, total=total, took_ms=_ms(started))

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
        """Every matching document in ``user``'s scope, unordered (numbers and words).

        The words' condition is ``search_vector @@ (exact | folded) & …``, answered by the
        GIN index; the ranking is in ``search``.
        """
        base, words = self._base(user=user, query=query, filters=filters)
        return base if words is None else _matching(base, words)

    def _base(
        self, *, user: Any, query: str, filters: SearchFilters | None
    ) -> tuple[QuerySet[Any], _Words | None]:
        """The scope, filters and numbers (no words yet), and the words typed, if any."""
        qs = _scoped(user)
        if filters is not None:
            qs = _apply_filters(qs, filters)
        parsed = parse_query(query)
        for key in parsed.numbers:
            parts = number_parts(key)
            if parts is None:  # pragma: no cover - parse_query gives only numbers
                continue
            number, _separator, notation = parts
            qs = qs.alias(search_notation=_notation_sql()).filter(
                code_number=number, search_notation=fold(notation)
            )
        if not parsed.exact:
            return qs, None
        return qs, _Words(parsed.exact, parsed.folded, with_numbers=bool(parsed.numbers))

    def search(
        self,
        *,
        user: Any,
        query: str,
        filters: SearchFilters | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Search within ``user``'s scope (see ``SearchBackend.search`` and the module)."""
        _require_postgres()
        started = time.perf_counter()
        base, words = self._base(user=user, query=query, filters=filters)
        if base.query.is_empty():  # nobody's scope, or an impossible filter
            return SearchResult(ids=(), total=0, took_ms=_ms(started))
        offset = max(0, int(offset))
        limit = max(0, int(limit))
        if words is None:
            # Nothing typed, or only numbers: the newest first, as a register lists them.
            ordered = base.order_by("-issued_date", "-created_at", "-pk")
            ids = _pks(ordered[offset : offset + limit])
            if len(ids) < limit and (ids or not offset):
                return SearchResult(ids=ids, total=offset + len(ids), took_ms=_ms(started))
            total, capped = _capped_count(base)
            return SearchResult(ids=ids, total=total, total_capped=capped, took_ms=_ms(started))
        candidates = _window_ids(base, words)
        ids_list: list[int] = []
        if offset < CANDIDATES:
            ids_list.extend(_ranked_page(candidates, words, offset, limit))
        if offset + limit > CANDIDATES and len(candidates) == CANDIDATES:
            # Beyond the window, the remaining matches follow newest first.
            newest = _matching(base, words).order_by("-pk")
            ids_list.extend(_pks(newest[max(offset, CANDIDATES) : offset + limit]))
        if len(candidates) < CANDIDATES:  # every match is in the window: the total is exact
            return SearchResult(ids=tuple(ids_list), total=len(candidates), took_ms=_ms(started))
        # Counting every match is what cost seconds (module docstring): "more than N".
        return SearchResult(
            ids=tuple(ids_list), total=CANDIDATES, total_capped=True, took_ms=_ms(started)
        )


class _Words:
    """The words of a query as ``tsquery`` expressions (Django's and raw SQL)."""

    def __init__(
        self, exact: tuple[str, ...], folded: tuple[str, ...], *, with_numbers: bool = False
    ) -> None:
        self.exact = exact
        self.folded = folded
        self.with_numbers = with_numbers
        """A document number was typed too: the matches are few, found by its condition."""

    def any_form(self) -> SearchQuery:
        """Every word, in its exact or its folded form."""
        combined: SearchQuery | None = None
        for exact, folded in zip(self.exact, self.folded, strict=True):
            either = SearchQuery(exact, config="simple", search_type="plain")
            if folded != exact:
                either = either | SearchQuery(folded, config="simple", search_type="plain")
            combined = either if combined is None else combined & either
        assert combined is not None  # a _Words always has a word
        return combined

    def sql(self, *, exact_only: bool) -> tuple[str, list[str]]:
        """The same ``tsquery`` as SQL text and its parameters."""
        parts: list[str] = []
        params: list[str] = []
        for exact, folded in zip(self.exact, self.folded, strict=True):
            if exact_only or folded == exact:
                parts.append("plainto_tsquery('simple', %s)")
                params.append(exact)
            else:
                parts.append("(plainto_tsquery('simple', %s) || plainto_tsquery('simple', %s))")
                params.extend((exact, folded))
        return "(" + " && ".join(parts) + ")", params


def _vector() -> Any:
    """The stored column once ``rebuild`` added it, else the expression itself."""
    if has_vector_column():
        return RawSQL(
            f'"documents_document"."{VECTOR_COLUMN}"', [], output_field=SearchVectorField()
        )
    return document_vector()


def _matching(base: QuerySet[Any], words: _Words) -> QuerySet[Any]:
    return base.alias(search_vector=_vector()).filter(search_vector=words.any_form())


def _window_ids(base: QuerySet[Any], words: _Words) -> list[int]:
    """The ids of the ``CANDIDATES`` newest matches (all when fewer match), newest first.

    Two ways to find them, each reading about one stored row per document; the cheaper
    one is chosen from what a first short walk saw. (The planner cannot choose well: it
    multiplies the frequencies of words that in fact come together, "phê duyệt", and then
    reads 40,000 rows through the GIN index where the 2,500 newest rows held the answer.)

    - *walk*: read the newest documents of the scope, newest first, and test their
      vectors (``WALK`` first, then as many more as the matches seen so far predict);
    - *bitmap*: collect the older matches through the GIN index (and the unit index for a
      scope), read them and keep the newest.
    """
    if words.with_numbers:  # no index walks the numbers: let the planner combine them
        return list(_pks(_matching(base, words).order_by("-pk")[:CANDIDATES]))
    size = WALK
    rows = _walk(base, words, upper=None, size=size)
    found = [pk for pk, hit in rows if hit]
    seen = len(rows)
    newest_id = rows[0][0] if rows else 0
    # A walk shorter than asked reached the scope's oldest document: all were tested.
    while len(found) < CANDIDATES and len(rows) == size:
        upper = rows[-1][0]
        # The walks sampled the newest documents of the scope. In rows read (each costs
        # about the same: one stored vector, or one heap page for the bitmap):
        # - walking on: the matches still wanted over the match rate seen, plus the
        #   entries of other units passed in the (id, unit_id) index (1/50 each);
        # - the bitmap: every older document matching the words, whatever its unit (when
        #   the planner underestimates the words it does not intersect with the units).
        rate = len(found) / seen
        density = seen / max(newest_id - upper + 1, 1)
        to_walk = (CANDIDATES - len(found)) / rate if rate else float("inf")
        walk_cost = to_walk * (1 + 0.02 / min(density, 1.0))
        to_read = max(rate, 1 / seen) * max(upper - 1, 0)
        if walk_cost > to_read or seen >= MAX_WALK:
            found.extend(_bitmap(base.filter(pk__lt=upper), words, CANDIDATES - len(found)))
            return found
        size = min(int(to_walk * 1.5) + 50, MAX_WALK - seen)
        rows = _walk(base, words, upper=upper, size=size)
        found.extend(pk for pk, hit in rows if hit)
        seen += len(rows)
    return found[:CANDIDATES]


def _walk(
    base: QuerySet[Any], words: _Words, *, upper: int | None, size: int
) -> list[tuple[int, bool]]:
    """The ``size`` newest documents of ``base`` below ``upper``: (id, matches), newest first.

    The ids come first, from the ``(id, unit_id)`` index alone (``RECENT_INDEX_NAME``:
    the unit is tested in the index, no row is read for another unit's document); only
    then are those documents read and their vectors matched. In one flat statement
    PostgreSQL would test the text first (it thinks the list of units costs more) and
    read the vector of every document of every unit it walks past.
    """
    qs = base if upper is None else base.filter(pk__lt=upper)
    newest = qs.order_by("-pk")
    any_sql, any_params = words.sql(exact_only=False)
    if has_vector_column():
        ids_sql, ids_params = newest.values("pk")[:size].query.sql_with_params()
        sql = (
            f'SELECT d.id, d."{VECTOR_COLUMN}" @@ {any_sql} FROM ({ids_sql}) AS w (id) '
            "JOIN documents_document AS d ON d.id = w.id ORDER BY d.id DESC"
        )
    else:  # before ``search_index --rebuild``: the vector is computed for these rows
        rows = newest.annotate(v=document_vector()).values_list("pk", "v")[:size]
        ids_sql, ids_params = rows.query.sql_with_params()
        sql = f"SELECT w.id, w.v @@ {any_sql} FROM ({ids_sql}) AS w (id, v) ORDER BY w.id DESC"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*any_params, *ids_params])
        return [(int(pk), bool(hit)) for pk, hit in cursor.fetchall()]


def _bitmap(older: QuerySet[Any], words: _Words, count: int) -> list[int]:
    """The ``count`` newest matches of ``older``, collected through the indexes."""
    rest = _matching(older, words).order_by("-pk")[:count]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan')"
        )
        saved = cursor.fetchone() or ("on", "on")
        # A bitmap of the GIN index (and the unit index): never a walk of the pk index
        # testing every row's vector, which the planner picks when it overestimates.
        cursor.execute(
            "SELECT set_config('enable_indexscan', 'off', true), "
            "set_config('enable_seqscan', 'off', true)"
        )
        try:
            return list(_pks(rest))
        finally:
            cursor.execute(
                "SELECT set_config('enable_indexscan', %s, true), "
                "set_config('enable_seqscan', %s, true)",
                list(saved),
            )


def _ranked_page(candidates: list[int], words: _Words, offset: int, limit: int) -> list[int]:
    """Rank the window: exact-form matches first, then ``ts_rank``, then the newest."""
    if not candidates or not limit:
        return []
    any_sql, any_params = words.sql(exact_only=False)
    exact_sql, exact_params = words.sql(exact_only=True)
    vector = f'"documents_document"."{VECTOR_COLUMN}"' if has_vector_column() else None
    if vector is None:
        from lienthong.documents.models import Document

        qs = Document.objects.filter(pk__in=candidates).annotate(v=document_vector())
        inner_sql, inner_params = qs.values_list("pk", "v").query.sql_with_params()
    else:
        inner_sql = f"SELECT id, {vector} FROM documents_document WHERE id = ANY(%s)"
        inner_params = (candidates,)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id FROM ({inner_sql}) AS c (id, v) "
            f"ORDER BY (c.v @@ {exact_sql}) DESC, ts_rank(c.v, {any_sql}) DESC, c.id DESC "
            "LIMIT %s OFFSET %s",
            [*inner_params, *exact_params, *any_params, limit, offset],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _capped_count(qs: QuerySet[Any]) -> tuple[int, bool]:
    """Count the matches up to ``TOTAL_CAP``: (count, True when there are more)."""
    found = int(qs.order_by()[: TOTAL_CAP + 1].count())
    if found > TOTAL_CAP:
        return TOTAL_CAP, True
    return found, False


def _pks(qs: QuerySet[Any]) -> tuple[int, ...]:
    return tuple(int(pk) for pk in qs.values_list("pk", flat=True))


def _scoped(user: Any) -> QuerySet[Any]:
    """The documents ``user`` may view, with the units as a list of constants.

    ``Document.objects.restrict`` expresses the scope as ``unit_id IN (SELECT … FROM
    org_unit WHERE path LIKE …)``; PostgreSQL then plans the join before it knows how many
    units match, and at a million documents picked a GIN scan per unit (1.8 s for one
    query). The same permission engine (``allowed_units``, ``scope_extra``, exactly as
    ``restrict`` combines them) resolved into ``unit_id IN (1, 2, …)`` lets the planner
    intersect the unit index with the GIN index. The condition is still part of the one
    statement that ranks and pages; ``documents_in_order`` loads the page through
    ``restrict`` again.
    """
    from lienthong.documents.models import Document

    qs: QuerySet[Any] = Document.objects.all()
    units = allowed_units(user, permission_name(Document, "view"))
    if isinstance(units, AllUnits):
        return qs
    condition: Q | None = None
    if units is not None:
        condition = Q(unit_id__in=sorted(int(pk) for pk in units.values_list("pk", flat=True)))
    extra = getattr(Document, "scope_extra", None)
    usable = user is not None and user.is_authenticated and getattr(user, "is_active", False)
    if extra is not None and usable:
        own = extra(user, "view")
        if own is not None:
            condition = own if condition is None else condition | own
    if condition is None:
        return qs.none()
    return qs.filter(condition)


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


def missing_structures(using: Any = None) -> list[str]:
    """Name what ``rebuild`` creates and the database lacks (for the system check).

    Args:
        using: a database connection (default: ``connection``); it must be PostgreSQL
            and the documents table must exist.

    Returns:
        The missing column and index names, in creation order; empty when all exist.
    """
    db = using if using is not None else connection
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'documents_document' AND column_name = %s "
            "AND table_schema = current_schema()",
            [VECTOR_COLUMN],
        )
        missing = [] if cursor.fetchone() is not None else [VECTOR_COLUMN]
        for name in (INDEX_NAME, RECENT_INDEX_NAME):
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE indexname = %s AND schemaname = current_schema()",
                [name],
            )
            if cursor.fetchone() is None:
                missing.append(name)
    return missing


def create_index() -> bool:
    """Add the stored vector column, its GIN index and the (id, unit_id) index if missing.

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
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [RECENT_INDEX_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE INDEX {RECENT_INDEX_NAME} ON {table} (id, unit_id)")
            created = True
    return created


def drop_index() -> None:
    """Drop the stored vector column and the indexes ``create_index`` added.

    Run it before a migration that changes a searched column, and
    ``lienthong search_index --rebuild`` after.
    """
    global _column_seen
    _require_postgres()
    _column_seen = False
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {RECENT_INDEX_NAME}")
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
        cursor.execute(f"ALTER TABLE documents_document DROP COLUMN IF EXISTS {VECTOR_COLUMN}")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
