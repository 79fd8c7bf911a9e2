"""Index updates: ``index_on_commit`` and the ``update_document_index`` task (issue #4, scope 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from lienthong.documents.search import get_backend, index_on_commit, reset_backend
from lienthong.documents.search.tasks import update_document_index
from lienthong.documents.tests.test_search import make_document

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tantivy(settings: Any, tmp_path: Path) -> Iterator[None]:
    """GIVEN the tantivy backend on a fresh folder and tasks that run at once."""
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.TASKS = IMMEDIATE
    reset_backend()
    yield
    reset_backend()


def test_index_on_commit_makes_the_document_findable_after_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN a document created in a transaction that calls index_on_commit
    WHEN the transaction commits
    THEN the task runs and the document is found; nothing ran before the commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        document = make_document(world.commune_a1, "Chỉ thị về phòng chống tham nhũng")
        index_on_commit(document.pk)
        assert get_backend().search(user=world.clerk_a1, query="tham nhung").ids == ()

    assert len(callbacks) == 1
    assert get_backend().search(user=world.clerk_a1, query="tham nhung").ids == (document.pk,)


def test_index_on_commit_enqueues_nothing_after_rollback(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN a transaction that calls index_on_commit then rolls back
    WHEN it ends THEN no task was enqueued."""

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        document = make_document(world.commune_a1, "Chỉ thị bị hủy")
        index_on_commit(document.pk)
        raise Boom

    assert callbacks == []


def test_update_task_reindexes_a_change_and_drops_a_deleted_document(world: Any) -> None:
    """GIVEN an indexed document
    WHEN its subject changes and the task runs, then it is deleted and the task runs
    THEN the new words find it, the old ones do not, and after deletion nothing does."""
    document = make_document(world.commune_a1, "Thông báo lịch họp")
    assert update_document_index.call(document.pk) is True
    backend = get_backend()
    assert backend.search(user=world.clerk_a1, query="lich hop").ids == (document.pk,)

    document.subject = "Thông báo kết luận hội nghị"
    document.save()
    update_document_index.call(document.pk)
    assert backend.search(user=world.clerk_a1, query="lich hop").ids == ()
    assert backend.search(user=world.clerk_a1, query="ket luan").ids == (document.pk,)

    pk = document.pk
    document.delete()
    assert update_document_index.call(pk) is False
    assert backend.search(user=world.clerk_a1, query="ket luan").total == 0
