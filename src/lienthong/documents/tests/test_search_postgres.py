"""The PostgreSQL search backend's bounded ranking and capped total (issue #4, scope 7).

Runs only on the PostgreSQL pass of the suite (a configuration skip, as in test_search.py).
Every test runs twice: with the vector computed on the fly (before
``search_index --rebuild``) and with the stored column and its GIN index. The window of
ranked candidates and the counting cap are made small so a few documents exercise them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from lienthong.documents.search import SearchFilters, get_backend
from lienthong.documents.search import postgres_backend as pg
from lienthong.documents.search.base import SearchBackend
from lienthong.documents.tests.test_search import make_document

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the postgres search backend needs PostgreSQL"
)


def _create_index() -> None:
    """``create_index`` inside the test's transaction. ALTER TABLE refuses to run while
    deferred foreign-key checks of earlier inserts are pending: run them first."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        pg.create_index()
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _drop_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        pg.drop_index()
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture(params=["computed", "stored"])
def backend(request: pytest.FixtureRequest, db: None) -> Iterator[SearchBackend]:
    """GIVEN the postgres backend, with the vector computed on the fly, then stored
    (``create_index`` in the test's transaction; dropped again before it rolls back)."""
    if request.param == "stored":
        _create_index()
    try:
        yield get_backend("postgres")
    finally:
        if request.param == "stored":
            _drop_index()


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a window of 3 ranked candidates, a walk of the 4 newest documents of a scope,
    and totals without words counted up to 5."""
    monkeypatch.setattr(pg, "CANDIDATES", 3)
    monkeypatch.setattr(pg, "WALK", 4)
    monkeypatch.setattr(pg, "TOTAL_CAP", 5)


def test_exact_diacritics_rank_first_even_among_newer_and_denser_folded_hits(
    backend: SearchBackend, world: Any
) -> None:
    """GIVEN an older document about "Đảng" and newer ones where only the folded form
    matches, several times ("đăng ký", "đang đăng")
    WHEN searching "Đảng" THEN the "Đảng" document comes first, then the others;
    WHEN searching "dang" (no diacritics) THEN all of them are found."""
    party = make_document(world.commune_a1, "Về công tác xây dựng Đảng")
    folded = [
        make_document(world.commune_a1, "Đăng ký thi đua, đăng ký đang đăng") for _ in range(3)
    ]

    ranked = backend.search(user=world.clerk_a1, query="Đảng")
    plain = backend.search(user=world.clerk_a1, query="dang")

    assert ranked.ids[0] == party.pk
    assert set(ranked.ids[1:]) == {d.pk for d in folded}
    assert (ranked.total, ranked.total_capped) == (4, False)
    assert set(plain.ids) == {party.pk, *(d.pk for d in folded)}


def test_scope_and_filters_hold_inside_the_window_and_the_count(
    backend: SearchBackend, world: Any, small_window: None
) -> None:
    """GIVEN more matching documents in commune_b1 (newer) than the window holds, and two
    in commune_a1
    WHEN clerk_a1 searches THEN exactly the two of commune_a1 come, counted as 2: the
    scope is inside the query, so the other unit's documents never fill the window;
    WHEN clerk_a1 asks for commune_b1 with a unit filter THEN nothing."""
    mine = {make_document(world.commune_a1, f"Kế hoạch tuyên truyền {i}").pk for i in range(2)}
    for i in range(6):
        make_document(world.commune_b1, f"Kế hoạch tuyên truyền {i}")

    result = backend.search(user=world.clerk_a1, query="ke hoach tuyen truyen")
    widened = backend.search(
        user=world.clerk_a1,
        query="ke hoach",
        filters=SearchFilters(unit_ids=[world.commune_b1.pk]),
    )
    nobody = backend.search(user=world.outsider, query="ke hoach")

    assert set(result.ids) == mine
    assert (result.total, result.total_capped) == (2, False)
    assert (widened.ids, widened.total) == ((), 0)
    assert (nobody.ids, nobody.total) == ((), 0)


def test_total_is_capped_and_pages_run_past_the_window(
    backend: SearchBackend, world: Any, small_window: None
) -> None:
    """GIVEN seven matching documents (window 3), one of them an old exact match
    WHEN clerk_a1 pages through them two at a time
    THEN the total says "more than 3" (the window is full: nothing more is counted),
    every document comes exactly once, and after the window the rest follow newest first."""
    exact = make_document(world.commune_a1, "Báo cáo công tác Đảng")
    others = [make_document(world.commune_a1, f"Báo cáo đăng ký số {i}") for i in range(6)]

    pages = [
        backend.search(user=world.clerk_a1, query="báo cáo đảng", limit=2, offset=offset)
        for offset in (0, 2, 4, 6, 8)
    ]
    seen = [pk for page in pages for pk in page.ids]

    assert all((page.total, page.total_capped) == (3, True) for page in pages)
    assert sorted(seen) == sorted([exact.pk, *(d.pk for d in others)])
    newest_three = [d.pk for d in reversed(others)][:3]
    # The window (the three newest matches) holds no exact match: ranked by ts_rank, then
    # newest; after it, the remaining matches newest first — the old exact one last.
    assert set(seen[:3]) == set(newest_three)
    assert seen[3:] == [*[d.pk for d in reversed(others)][3:], exact.pk]


def test_exact_match_inside_the_window_ranks_first(
    backend: SearchBackend, world: Any, small_window: None
) -> None:
    """GIVEN four matches; of the three newest (the window), the oldest is the only exact one
    WHEN searching "Đảng" THEN it is first of the window, and the total is "more than 3"."""
    make_document(world.commune_a1, "Đăng ký cũ")
    exact = make_document(world.commune_a1, "Xây dựng Đảng")
    newer = [make_document(world.commune_a1, f"Đăng ký mới {i}") for i in range(2)]

    result = backend.search(user=world.clerk_a1, query="Đảng", limit=3)

    assert result.ids[0] == exact.pk
    assert set(result.ids[1:]) == {d.pk for d in newer}
    assert (result.total, result.total_capped) == (3, True)


def test_old_match_behind_newer_documents_of_the_scope_is_found(
    backend: SearchBackend, world: Any, small_window: None
) -> None:
    """GIVEN in commune_a1 two old matches, then five newer documents that do not match
    (more than the walk of 4 newest), and a newer match in commune_b1
    WHEN clerk_a1 searches THEN both old matches come (newest first among equals), counted
    exactly: the walk finds none, the older documents are searched through the indexes."""
    old = [make_document(world.commune_a1, f"Quy chế làm việc {i}") for i in range(2)]
    for i in range(5):
        make_document(world.commune_a1, f"Thông báo lịch họp {i}")
    make_document(world.commune_b1, "Quy chế làm việc")

    result = backend.search(user=world.clerk_a1, query="quy che lam viec")

    assert result.ids == (old[1].pk, old[0].pk)
    assert (result.total, result.total_capped) == (2, False)


def test_numbers_are_found_whole_and_empty_query_totals_are_capped(
    backend: SearchBackend, world: Any, small_window: None
) -> None:
    """GIVEN 12-NQ/TU, look-alikes (112-NQ/TU, 12-NQ/TW) and other documents, seven in all
    WHEN searching "12-NQ/TU" THEN only that document, counted exactly;
    WHEN searching nothing THEN the newest first and a capped total "more than 5"."""
    wanted = make_document(
        world.commune_a1, "Nghị quyết", code_number=12, code_notation="NQ/TU", number_year=2025
    )
    for number, notation in ((112, "NQ/TU"), (12, "NQ/TW")):
        make_document(
            world.commune_a1,
            "Nghị quyết",
            code_number=number,
            code_notation=notation,
            number_year=2025,
        )
    latest = [make_document(world.commune_a1, f"Thông báo {i}") for i in range(4)]

    by_number = backend.search(user=world.clerk_a1, query="12-NQ/TU")
    by_number_and_word = backend.search(user=world.clerk_a1, query="12-nq/tu nghị quyết")
    listing = backend.search(user=world.clerk_a1, query="", limit=2)

    assert (by_number.ids, by_number.total, by_number.total_capped) == ((wanted.pk,), 1, False)
    assert by_number_and_word.ids == (wanted.pk,)
    assert listing.ids == (latest[3].pk, latest[2].pk)
    assert (listing.total, listing.total_capped) == (5, True)


def test_sparse_matches_are_found_by_walking_on(
    backend: SearchBackend, world: Any, small_window: None
) -> None:
    """GIVEN (window 3, first walk 4) matches spread among non-matching documents: one in
    the four newest, three more further back
    WHEN clerk_a1 searches THEN the window holds the three newest matches and the total
    says "more than 3": the walk went on where the first walk's match rate said."""
    matches: list[Any] = []
    for i in range(4):
        matches.append(make_document(world.commune_a1, f"Phòng cháy chữa cháy {i}"))
        for j in range(3):
            make_document(world.commune_a1, f"Lịch công tác tuần {i}.{j}")

    result = backend.search(user=world.clerk_a1, query="phong chay chua chay", limit=10)

    assert set(result.ids[:3]) == {d.pk for d in matches[1:]}
    assert result.ids[3:] == (matches[0].pk,)
    assert (result.total, result.total_capped) == (3, True)


def test_resolved_scope_is_exactly_what_restrict_allows(world: Any) -> None:
    """GIVEN documents in the central unit, both provinces and their communes
    WHEN the backend resolves each person's scope into a list of units
    THEN it holds exactly the documents ``Document.objects.restrict(user, "view")`` gives."""
    from lienthong.documents.models import Document

    for unit in (world.central, world.province_a, world.commune_a1, world.commune_b1):
        make_document(unit, "Thông báo")
    people = (world.clerk_a1, world.leader_a, world.admin_central, world.outsider)

    for person in people:
        expected = set(Document.objects.restrict(person, "view").values_list("pk", flat=True))
        assert set(pg._scoped(person).values_list("pk", flat=True)) == expected, person
