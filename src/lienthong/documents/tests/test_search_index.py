"""``lienthong search_index`` (issue #4, scope 7)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.documents.search import get_backend, reset_backend
from lienthong.documents.tests.test_search import make_document


@pytest.fixture(autouse=True)
def _tantivy(settings: Any, tmp_path: Path) -> Iterator[None]:
    """GIVEN the tantivy backend on a fresh folder."""
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    reset_backend()
    yield
    reset_backend()


def test_rebuild_indexes_every_document(world: Any) -> None:
    """GIVEN three documents and an empty index
    WHEN `lienthong search_index --rebuild --json` runs
    THEN it reports three documents and they are found."""
    for unit in (world.commune_a1, world.commune_a2, world.commune_b1):
        make_document(unit, "Kế hoạch kiểm tra giám sát")
    out = StringIO()

    call_command("search_index", "--rebuild", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["backend"] == "tantivy"
    assert summary["action"] == "rebuild"
    assert summary["documents"] == 3
    assert get_backend().search(user=world.leader_a, query="kiem tra giam sat").total == 2


def test_update_indexes_the_named_documents(world: Any) -> None:
    """GIVEN two documents, none indexed
    WHEN `search_index --update ID` names one
    THEN only that one is found."""
    named = make_document(world.commune_a1, "Quy chế phối hợp")
    make_document(world.commune_a1, "Quy chế chi tiêu nội bộ")
    out = StringIO()

    call_command("search_index", "--update", str(named.pk), stdout=out)

    assert "1 document" in out.getvalue()
    assert get_backend().search(user=world.clerk_a1, query="quy che").ids == (named.pk,)


def test_without_an_action_the_command_refuses() -> None:
    """GIVEN no option WHEN the command runs THEN it exits with a one-line reason."""
    with pytest.raises(CommandError, match="--rebuild or --update"):
        call_command("search_index")


def test_an_unknown_backend_is_a_clear_error(settings: Any) -> None:
    """GIVEN LIENTHONG_SEARCH_BACKEND naming no backend WHEN rebuilding
    THEN the command exits with the reason, no traceback."""
    settings.SEARCH_BACKEND = "solr"
    reset_backend()
    with pytest.raises(CommandError, match="Unknown search backend"):
        call_command("search_index", "--rebuild")
