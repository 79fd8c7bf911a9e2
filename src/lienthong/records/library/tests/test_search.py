"""Searching the library through the documents' search facade (issue #9 scope 5), run
against both backends as the documents' search tests are (documents/tests/test_search.py):
the ``postgres`` backend runs only when the test database is PostgreSQL (a configuration
skip: CI runs the suite on both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from lienthong.core.choices import Clearance
from lienthong.documents.search import (
    SearchBackend,
    collection_rebuild,
    get_backend,
    reset_backend,
)
from lienthong.records.library.choices import Visibility
from lienthong.records.library.search import NAME
from lienthong.records.library.selectors import LibraryFilters, publication_search
from lienthong.records.library.tests.conftest import make, party_type, sample

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request: pytest.FixtureRequest, db: None, settings: Any) -> Iterator[SearchBackend]:
    """GIVEN each search backend in turn (postgres only on a PostgreSQL database), as the
    configured one (the selectors use the configured backend)."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres search backend needs a PostgreSQL test database")
    settings.SEARCH_BACKEND = request.param
    reset_backend()
    yield get_backend(request.param)
    reset_backend()


def _reindex(backend: SearchBackend) -> None:
    """Bring the index up to date (PostgreSQL searches the rows themselves)."""
    collection_rebuild(NAME, backend=backend)


def _found(user: Any, query: str, **filters: Any) -> tuple[int, ...]:
    rows, result = publication_search(
        user=user, query=query, filters=LibraryFilters(**filters) if filters else None
    )
    assert [p.pk for p in rows] == list(result.ids)
    return result.ids


def test_query_without_diacritics_finds_the_title_with_them(
    backend: SearchBackend, world: Any, people: Any
) -> None:
    """GIVEN "Nghị quyết … chuyển đổi số quốc gia" and an unrelated Chỉ thị
    WHEN a specialist of another commune searches "nghi quyet chuyen doi so"
    THEN the resolution is found, and the Chỉ thị is not."""
    wanted = make(world.commune_a1, title="Nghị quyết về chuyển đổi số quốc gia")
    make(
        world.commune_a1,
        document_type=party_type("Chỉ thị"),
        number=5,
        notation="CT/TW",
        title="Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    _reindex(backend)

    assert _found(people["specialist"], "nghi quyet chuyen doi so") == (wanted.pk,)
    assert _found(people["specialist"], "Chuyển đổi số") == (wanted.pk,)


def test_search_never_returns_what_the_reader_may_not_read(
    backend: SearchBackend, settings: Any, world: Any, people: Any
) -> None:
    """GIVEN a dedicated node, an internal and a Mật publication about "kiểm tra, giám sát"
    and an internal one withdrawn
    WHEN the specialist (no clearance) and the leader (Mật) search "kiem tra giam sat"
    THEN the specialist finds the internal one only, and the total counts only it; the
    leader finds both; nobody but the keeper finds the withdrawn one."""
    from lienthong.records.library.services import publication_withdraw

    settings.NETWORK_PROFILE = "dedicated"
    internal = make(world.commune_a1, number=1, title="Về công tác kiểm tra, giám sát")
    secret = make(
        world.commune_a1,
        number=2,
        title="Về công tác kiểm tra, giám sát đặc biệt",
        visibility=Visibility.RESTRICTED,
        classification=Clearance.CONFIDENTIAL,
    )
    gone = make(world.commune_a1, number=3, title="Kiểm tra, giám sát (nhập nhầm)")
    publication_withdraw(actor=people["clerk"], publication=gone, reason="Nhập nhầm")
    _reindex(backend)

    rows, result = publication_search(user=people["specialist"], query="kiem tra giam sat")
    assert [p.pk for p in rows] == [internal.pk]
    assert result.total == 1
    assert set(_found(people["leader"], "kiem tra giam sat")) == {internal.pk, secret.pk}
    assert set(_found(people["clerk"], "kiem tra giam sat")) == {internal.pk, gone.pk}
    assert _found(people["outsider"], "kiem tra giam sat") == ()


def test_number_is_found_whole_and_filters_apply(
    backend: SearchBackend, world: Any, people: Any
) -> None:
    """GIVEN 57-NQ/TW, 157-NQ/TW and 57-KL/TW WHEN searching "57-NQ/TW" or "57-nq/tw"
    THEN exactly 57-NQ/TW is found; a year filter that excludes it finds nothing."""
    wanted = make(world.commune_a1, number=57)
    make(world.commune_a1, number=157)
    make(
        world.commune_a1,
        document_type=party_type("Kết luận"),
        number=57,
        notation="KL/TW",
    )
    _reindex(backend)

    assert _found(people["specialist"], "57-NQ/TW") == (wanted.pk,)
    assert _found(people["specialist"], "57-nq/tw") == (wanted.pk,)
    assert _found(people["specialist"], "57-NQ/TW", year=2019) == ()


def test_the_pdf_text_and_tags_are_searched(
    backend: SearchBackend, world: Any, people: Any
) -> None:
    """GIVEN a publication whose words are only in its PDF's text layer and one whose word
    is only a tag WHEN searching those words THEN each is found."""
    in_pdf = make(world.commune_a1, number=1, pdf=sample("Ha tang so va du lieu mo"))
    tagged = make(world.commune_a1, number=2, tags=["Cải cách hành chính"])
    _reindex(backend)

    assert _found(people["specialist"], "du lieu mo") == (in_pdf.pk,)
    assert _found(people["specialist"], "cai cach hanh chinh") == (tagged.pk,)


def test_creating_indexes_on_commit(
    settings: Any, world: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN the tantivy backend and tasks that run at once
    WHEN a clerk enters a publication and the transaction commits
    THEN it is found without any rebuild."""
    settings.SEARCH_BACKEND = "tantivy"
    settings.TASKS = IMMEDIATE
    reset_backend()
    with django_capture_on_commit_callbacks(execute=True):
        wanted = make(world.commune_a1, actor=people["clerk"], title="Về xây dựng Đảng")

    assert _found(people["specialist"], "xay dung dang") == (wanted.pk,)


def test_rebuild_command_rebuilds_the_library_too(world: Any, people: Any) -> None:
    """GIVEN a publication never indexed WHEN ``lienthong search_index --rebuild`` runs
    THEN it reports the library and the publication is found."""
    import io
    import json

    from django.core.management import call_command

    wanted = make(world.commune_a1, title="Về công tác dân vận")
    out = io.StringIO()
    call_command("search_index", "--rebuild", "--json", stdout=out)

    assert json.loads(out.getvalue())["collections"] == {"library": 1}
    assert _found(people["specialist"], "dan van") == (wanted.pk,)
