"""Tests of the built-in document types and their data migration (issue #4, scope 1)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lienthong.documents.choices import Convention
from lienthong.documents.models import DocumentType
from lienthong.documents.tests.register_helpers import draft
from lienthong.documents.types_data import BUILTIN_TYPES, builtin_types_load
from lienthong.org.tests.factories import UnitFactory, UserFactory

migration = importlib.import_module("lienthong.documents.migrations.0002_builtin_types")


def _historical_apps() -> Any:
    """The app registry as it stands right after 0002_builtin_types."""
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(("documents", "0002_builtin_types")).apps


@pytest.mark.django_db
def test_migrate_loads_both_lists() -> None:
    """
    GIVEN a freshly migrated database
    WHEN the document types are listed
    THEN the State list has the 29 types of NĐ 30 Điều 7 plus the 3 copies, công văn
         without abbreviation, and the Party list has the QĐ 399 types with "CV".
    """
    state = DocumentType.objects.filter(convention=Convention.STATE)
    party = DocumentType.objects.filter(convention=Convention.PARTY)
    assert state.count() == 29 + 3
    letter = state.get(name="Công văn")
    assert (letter.code, letter.is_letter) == ("", True)
    assert state.get(name="Quy định").code == "QyĐ"
    assert set(state.filter(name__startswith="Bản").values_list("code", flat=True)) >= {
        "SY",
        "TrS",
        "SL",
    }
    party_codes = set(party.values_list("code", flat=True))
    assert {"NQ", "QĐ", "QĐi", "CT", "KL", "HD", "CV", "TB", "BC", "KH", "CTr"} <= party_codes
    assert {"TTr", "QC", "TT", "ĐA", "BB", "GM", "GGT", "PG", "PC"} <= party_codes
    assert party.get(name="Công văn").is_letter
    assert party.count() == len([t for t in BUILTIN_TYPES if t.convention == Convention.PARTY])
    # The list is in the order of the law (sort_order), Nghị quyết first.
    assert state.order_by("sort_order").first().name == "Nghị quyết"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_migration_is_idempotent_and_keeps_an_administrators_edits() -> None:
    """
    GIVEN the built-in types, one renamed abbreviation by an administrator, one new type
    WHEN the migration's loader runs again (historical models of 0002)
    THEN nothing is duplicated, the edit stays and the new type stays.
    """
    DocumentType.objects.filter(convention=Convention.PARTY, name="Quy hoạch").update(code="QH")
    DocumentType.objects.create(convention=Convention.PARTY, name="Giấy chứng nhận", code="GCN")
    before = DocumentType.objects.count()

    migration.load_types(_historical_apps(), None)

    assert DocumentType.objects.count() == before
    assert DocumentType.objects.get(convention=Convention.PARTY, name="Quy hoạch").code == "QH"
    assert builtin_types_load(DocumentType) == 0


@pytest.mark.django_db
def test_the_migration_reverses_and_keeps_types_in_use() -> None:
    """
    GIVEN the built-in types, one of them used by a document, and one type an
          administrator added
    WHEN the migration is reversed, then applied again
    THEN reversing removes the unused built-in types only; applying brings them all back.
    """
    document = draft(UnitFactory(), UserFactory(), type_name="Nghị quyết")
    own = DocumentType.objects.create(convention=Convention.PARTY, name="Giấy chứng nhận")
    historical = _historical_apps()

    migration.unload_types(historical, None)

    left = set(DocumentType.objects.values_list("pk", flat=True))
    assert left == {document.document_type_id, own.pk}

    migration.load_types(historical, None)

    assert DocumentType.objects.count() == len(BUILTIN_TYPES) + 1
