"""Full-text search, run against both backends (issue #4, scope 7 and its acceptance).

The ``postgres`` backend runs only when the test database is PostgreSQL (a configuration
skip: CI runs the suite on both databases, so both backends are exercised).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from lienthong.documents.choices import Convention, Direction, DocumentState
from lienthong.documents.models import Document, DocumentType
from lienthong.documents.search import (
    SearchBackend,
    SearchError,
    SearchFilters,
    documents_in_order,
    get_backend,
    reset_backend,
)


@pytest.fixture(autouse=True)
def _index_dir(settings: Any, tmp_path: Path) -> Iterator[None]:
    """GIVEN a fresh index folder for every test."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    reset_backend()
    yield
    reset_backend()


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request: pytest.FixtureRequest, db: None) -> SearchBackend:
    """GIVEN each search backend in turn (postgres only on a PostgreSQL database)."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres search backend needs a PostgreSQL test database")
    return get_backend(request.param)


def _type(code: str, name: str, convention: str = Convention.PARTY) -> DocumentType:
    doc_type, _ = DocumentType.objects.get_or_create(
        convention=convention, name=name, defaults={"code": code}
    )
    return doc_type


def make_document(unit: Any, subject: str, **fields: Any) -> Document:
    """A saved document with sensible defaults (fixtures bypass services on purpose)."""
    from lienthong.org.tests.factories import UserFactory

    values: dict[str, Any] = {
        "unit": unit,
        "direction": Direction.OUTGOING,
        "state": DocumentState.ISSUED,
        "document_type": _type("CV", "Công văn"),
        "subject": subject,
        "created_by": UserFactory(),
    }
    values.update(fields)
    return Document.objects.create(**values)


def _reindex(backend: SearchBackend) -> None:
    """Bring the index up to date. PostgreSQL searches the rows themselves; its GIN index
    (``rebuild``) is DDL, tested on its own below with a committed database."""
    if backend.name == "tantivy":
        backend.rebuild()


def _search(backend: SearchBackend, user: Any, query: str, **kwargs: Any) -> tuple[int, ...]:
    return backend.search(user=user, query=query, **kwargs).ids


def test_query_without_diacritics_finds_the_subject_with_them(
    backend: SearchBackend, world: Any
) -> None:
    """GIVEN "Quyết định ban hành quy chế làm việc…" and an unrelated công văn
    WHEN clerk_a1 searches "quyet dinh ban hanh quy che" (no diacritics)
    THEN the decision is found and the công văn is not."""
    wanted = make_document(
        world.commune_a1, "Quyết định ban hành quy chế làm việc của Ban Chấp hành Đảng bộ"
    )
    make_document(world.commune_a1, "Công văn về việc triển khai công tác thi đua")
    _reindex(backend)

    result = backend.search(user=world.clerk_a1, query="quyet dinh ban hanh quy che")

    assert result.ids == (wanted.pk,)
    assert result.total == 1


def test_folded_query_finds_dang_and_exact_query_prefers_it(
    backend: SearchBackend, world: Any
) -> None:
    """GIVEN one document about "Đảng" and one about "đăng ký"
    WHEN searching "dang" THEN both are found;
    WHEN searching "Đảng" THEN the "Đảng" document ranks first."""
    party = make_document(world.commune_a1, "Về công tác xây dựng Đảng trong năm")
    register = make_document(world.commune_a1, "Về việc đăng ký thi đua trong năm")
    _reindex(backend)

    assert set(_search(backend, world.clerk_a1, "dang")) == {party.pk, register.pk}
    ranked = _search(backend, world.clerk_a1, "Đảng")
    assert ranked[0] == party.pk
    ranked_other = _search(backend, world.clerk_a1, "đăng")
    assert ranked_other[0] == register.pk


def test_document_number_is_found_whole(backend: SearchBackend, world: Any) -> None:
    """GIVEN 12-NQ/TU and look-alikes (112-NQ/TU, 12-NQ/TW, 12-CV/TU) and a State 15/QĐ-UBND
    WHEN searching "12-NQ/TU"
    THEN exactly that document is found; "15/qd-ubnd" (folded) finds the State one."""
    nq = _type("NQ", "Nghị quyết")
    wanted = make_document(
        world.commune_a1,
        "Nghị quyết về phát triển kinh tế",
        document_type=nq,
        code_number=12,
        code_notation="NQ/TU",
        number_year=2025,
        issuer_name="Tỉnh ủy Hà Nội",
    )
    for number, notation in ((112, "NQ/TU"), (12, "NQ/TW"), (12, "CV/TU")):
        make_document(
            world.commune_a1,
            "Nghị quyết về phát triển văn hóa",
            document_type=nq,
            code_number=number,
            code_notation=notation,
            number_year=2025,
            issuer_name="Tỉnh ủy Hà Nội",
        )
    state = make_document(
        world.commune_a1,
        "Quyết định phê duyệt kế hoạch",
        convention=Convention.STATE,
        document_type=_type("QĐ", "Quyết định", Convention.STATE),
        code_number=15,
        code_notation="QĐ-UBND",
        number_year=2025,
        issuer_name="Ủy ban nhân dân phường",
    )
    _reindex(backend)

    assert _search(backend, world.clerk_a1, "12-NQ/TU") == (wanted.pk,)
    assert _search(backend, world.clerk_a1, "15/qd-ubnd") == (state.pk,)
    assert _search(backend, world.clerk_a1, "15/QĐ-UBND kế hoạch") == (state.pk,)


def test_a_user_never_sees_a_hit_outside_their_scope(backend: SearchBackend, world: Any) -> None:
    """GIVEN the same subject in a document of commune_a1 and one of commune_b1
    WHEN clerk_a1, clerk_b1 and a person without a role search it
    THEN each clerk sees only their own unit's document, counted alone; the outsider nothing."""
    mine = make_document(world.commune_a1, "Báo cáo tình hình an ninh trật tự")
    theirs = make_document(world.commune_b1, "Báo cáo tình hình an ninh trật tự")
    _reindex(backend)

    result_a1 = backend.search(user=world.clerk_a1, query="bao cao an ninh")
    result_b1 = backend.search(user=world.clerk_b1, query="bao cao an ninh")
    result_out = backend.search(user=world.outsider, query="bao cao an ninh")

    assert (result_a1.ids, result_a1.total) == ((mine.pk,), 1)
    assert (result_b1.ids, result_b1.total) == ((theirs.pk,), 1)
    assert (result_out.ids, result_out.total) == ((), 0)
    # A unit filter cannot widen the scope either.
    widened = backend.search(
        user=world.clerk_a1,
        query="bao cao",
        filters=SearchFilters(unit_ids=[world.commune_b1.pk]),
    )
    assert (widened.ids, widened.total) == ((), 0)


def test_pages_and_totals_count_only_the_scope(backend: SearchBackend, world: Any) -> None:
    """GIVEN five matching documents in commune_a1 and five in commune_b1
    WHEN clerk_a1 pages through them two at a time
    THEN the total is five and the pages hold the five, each once."""
    mine = {make_document(world.commune_a1, f"Kế hoạch tuyên truyền số {i}").pk for i in range(5)}
    for i in range(5):
        make_document(world.commune_b1, f"Kế hoạch tuyên truyền số {i}")
    _reindex(backend)

    seen: list[int] = []
    for offset in (0, 2, 4):
        page = backend.search(user=world.clerk_a1, query="ke hoach", limit=2, offset=offset)
        assert page.total == 5
        seen.extend(page.ids)

    assert sorted(seen) == sorted(mine)


def test_filters_narrow_by_type_period_state_and_direction(
    backend: SearchBackend, world: Any
) -> None:
    """GIVEN documents that differ by type, date, state and direction
    WHEN searching with each filter
    THEN only the documents that satisfy it are found."""
    report = _type("BC", "Báo cáo")
    old = make_document(
        world.commune_a1, "Báo cáo tổng kết công tác", issued_date=dt.date(2024, 12, 20)
    )
    new = make_document(
        world.commune_a1,
        "Báo cáo sơ kết công tác",
        issued_date=dt.date(2025, 6, 1),
        document_type=report,
    )
    incoming = make_document(
        world.commune_a1,
        "Báo cáo kết quả công tác",
        issued_date=dt.date(2025, 7, 1),
        direction=Direction.INCOMING,
        state=DocumentState.REGISTERED,
    )
    _reindex(backend)
    user = world.clerk_a1

    def ids(**filters: Any) -> set[int]:
        return set(_search(backend, user, "cong tac", filters=SearchFilters(**filters)))

    assert ids() == {old.pk, new.pk, incoming.pk}
    assert ids(document_type_id=report.pk) == {new.pk}
    assert ids(date_from=dt.date(2025, 1, 1)) == {new.pk, incoming.pk}
    assert ids(date_to=dt.date(2025, 6, 30)) == {old.pk, new.pk}
    assert ids(state=DocumentState.REGISTERED) == {incoming.pk}
    assert ids(direction=Direction.OUTGOING) == {old.pk, new.pk}
    assert ids(unit_ids=[world.commune_a1.pk]) == {old.pk, new.pk, incoming.pk}


def test_empty_query_lists_the_scope_newest_first(backend: SearchBackend, world: Any) -> None:
    """GIVEN two documents of commune_a1 and one of commune_b1
    WHEN clerk_a1 searches with nothing typed
    THEN the two of commune_a1 come, the newer first."""
    older = make_document(world.commune_a1, "Thông báo cũ", issued_date=dt.date(2025, 1, 1))
    newer = make_document(world.commune_a1, "Thông báo mới", issued_date=dt.date(2025, 3, 1))
    make_document(world.commune_b1, "Thông báo khác", issued_date=dt.date(2025, 2, 1))
    _reindex(backend)

    result = backend.search(user=world.clerk_a1, query="  ")

    assert result.ids == (newer.pk, older.pk)
    assert result.total == 2


def test_signer_issuer_and_text_layer_are_searched(backend: SearchBackend, world: Any) -> None:
    """GIVEN a document whose words are only in its signer, issuing body and PDF text layer
    WHEN searching those words without diacritics
    THEN it is found each time."""
    document = make_document(
        world.commune_a1,
        "Thông báo",
        signer_name="Nguyễn Văn Thắng",
        issuer_name="Ban Tuyên giáo và Dân vận",
        text_content="Nội dung trang một: phòng chống thiên tai và tìm kiếm cứu nạn.",
    )
    _reindex(backend)

    for query in ("nguyen van thang", "tuyen giao dan van", "thien tai cuu nan"):
        assert _search(backend, world.clerk_a1, query) == (document.pk,), query


def test_documents_in_order_keeps_rank_and_scope(world: Any) -> None:
    """GIVEN hits from a search and one id outside clerk_a1's scope
    WHEN the page is loaded with documents_in_order
    THEN the documents come in rank order and the foreign one is dropped."""
    first = make_document(world.commune_a1, "Một")
    second = make_document(world.commune_a1, "Hai")
    foreign = make_document(world.commune_b1, "Ba")

    loaded = documents_in_order(user=world.clerk_a1, ids=(second.pk, foreign.pk, first.pk))

    assert [d.pk for d in loaded] == [second.pk, first.pk]


def test_unknown_backend_is_refused_clearly(settings: Any) -> None:
    """GIVEN LIENTHONG_SEARCH_BACKEND=elastic WHEN the backend is asked for
    THEN a SearchError names the valid choices."""
    settings.SEARCH_BACKEND = "elastic"
    reset_backend()
    with pytest.raises(SearchError, match="tantivy, postgres"):
        get_backend()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the refusal on SQLite")
def test_postgres_backend_refuses_sqlite(world: Any) -> None:
    """GIVEN a SQLite database WHEN the postgres backend is used
    THEN it refuses with a clear message naming the fix."""
    backend = get_backend("postgres")
    with pytest.raises(SearchError, match="PostgreSQL"):
        backend.search(user=world.clerk_a1, query="dang")
    with pytest.raises(SearchError, match="LIENTHONG_SEARCH_BACKEND=tantivy"):
        backend.rebuild()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL database")
def test_postgres_rebuild_creates_the_index_the_query_uses(transactional_db: None) -> None:
    """GIVEN a PostgreSQL database WHEN the postgres backend rebuilds
    THEN the stored vector column and its GIN index exist (created once), a search plans
    through the index and finds a new row at once; after drop_index it still finds it."""
    from lienthong.documents.search.postgres_backend import (
        INDEX_NAME,
        create_index,
        drop_index,
        has_vector_column,
    )

    backend = get_backend("postgres")
    backend.rebuild()
    assert create_index() is False, "created twice"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
        assert cursor.fetchone() is not None
    from lienthong.org.tests.factories import UserFactory

    superuser = UserFactory(is_superuser=True)
    qs = backend._queryset(user=superuser, query="xay dung dang", filters=None)  # type: ignore[attr-defined]
    assert qs is not None
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = qs.explain()
        cursor.execute("RESET enable_seqscan")
    assert INDEX_NAME in plan
    assert has_vector_column()
    # The stored column is computed by PostgreSQL on insert: a new row is found at once.
    from lienthong.org.tests.factories import UnitFactory

    document = make_document(UnitFactory(), "Về công tác xây dựng Đảng")
    assert backend.search(user=superuser, query="xay dung dang").ids == (document.pk,)
    drop_index()
    assert not has_vector_column()
    assert backend.search(user=superuser, query="xay dung dang").ids == (document.pk,)
