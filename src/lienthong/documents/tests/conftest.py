"""Shared fixtures of the documents tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages are asserted as their English msgids; the node's default language
    is Vietnamese. (Pages still render in the language each request asks for.)"""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _builtin_types(request: pytest.FixtureRequest) -> None:
    """The built-in document types come from a data migration; a transactional test
    elsewhere in the run flushes them away. Tests that use the database get them back."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    if not (names & {"db", "transactional_db"} or marker):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from lienthong.documents.models import DocumentType
    from lienthong.documents.types_data import builtin_types_load

    if not DocumentType.objects.exists():
        builtin_types_load(DocumentType)
