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
