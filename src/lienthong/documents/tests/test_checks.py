"""System checks of the search configuration (documents/checks.py; issue #4, scope 7).

The PostgreSQL cases run only on the PostgreSQL pass of the suite, the SQLite ones only on
SQLite (a configuration skip, as in test_search.py).
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from lienthong.documents.checks import check_search_backend_database, check_search_index_present

ON_POSTGRES = connection.vendor == "postgresql"


def _ids(messages: list[Any]) -> set[str]:
    return {message.id for message in messages}


@pytest.mark.skipif(ON_POSTGRES, reason="checks the refusal on a database that is not PostgreSQL")
def test_postgres_backend_on_sqlite_is_an_error_at_start_up(settings: Any) -> None:
    """GIVEN LIENTHONG_SEARCH_BACKEND=postgres on a SQLite database
    WHEN the system checks run (as every command does when it starts)
    THEN lienthong.documents.E001 stops it, naming the database and both ways out."""
    settings.SEARCH_BACKEND = "postgres"

    problems = check_search_backend_database()
    with pytest.raises(SystemCheckError) as info:
        call_command("check", stdout=StringIO(), stderr=StringIO())

    assert _ids(problems) == {"lienthong.documents.E001"}
    assert "sqlite" in problems[0].msg
    assert "LIENTHONG_SEARCH_BACKEND=tantivy" in str(problems[0].hint)
    assert "lienthong.documents.E001" in str(info.value)


def test_tantivy_backend_needs_no_particular_database(settings: Any) -> None:
    """GIVEN the default tantivy backend WHEN the search checks run
    THEN neither reports anything, whatever the database."""
    settings.SEARCH_BACKEND = "tantivy"

    assert check_search_backend_database() == []
    assert check_search_index_present(databases=["default"]) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs a PostgreSQL database")
@pytest.mark.django_db(transaction=True)
def test_missing_vector_column_is_a_warning_until_rebuild(settings: Any) -> None:
    """GIVEN the postgres backend on PostgreSQL, migrated, before `search_index --rebuild`
    WHEN the database checks run
    THEN lienthong.documents.W001 tells to run the rebuild (no error: search still answers);
    after the rebuild it is silent; without database access (plain start-up) it is silent."""
    from lienthong.documents.search.postgres_backend import create_index, drop_index

    settings.SEARCH_BACKEND = "postgres"
    drop_index()
    try:
        before = check_search_index_present(databases=["default"])
        assert check_search_backend_database() == []
        assert check_search_index_present(databases=None) == []
        create_index()
        after = check_search_index_present(databases=["default"])
    finally:
        drop_index()

    assert _ids(before) == {"lienthong.documents.W001"}
    assert before[0].level < 40  # a warning, not an error
    assert "search_vector" in before[0].msg
    assert "lienthong search_index --rebuild" in str(before[0].hint)
    assert after == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs a PostgreSQL database")
@pytest.mark.django_db(transaction=True)
def test_database_check_is_silent_before_migrate(settings: Any) -> None:
    """GIVEN the postgres backend and a database where the documents table does not exist
    (``migrate`` runs the database checks before it creates the tables)
    WHEN the database checks run THEN they report nothing and do not crash."""
    settings.SEARCH_BACKEND = "postgres"
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA lt_check_empty")
        try:
            cursor.execute("SET search_path TO lt_check_empty")
            problems = check_search_index_present(databases=["default"])
        finally:
            cursor.execute("RESET search_path")
            cursor.execute("DROP SCHEMA lt_check_empty CASCADE")

    assert problems == []
