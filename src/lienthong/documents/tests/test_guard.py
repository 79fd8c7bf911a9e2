# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""The classification guard (vn-rules.md §5.2) and clearance-limited reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput
from lienthong.documents import selectors
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    count_state,
    office,
    pki,
    storage,
    write_draft,
)
from lienthong.trust.pades.samples import sample_pdf


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_internet_node_refuses_a_secret_document_and_writes_nothing(
    office: Office, storage: Path, settings: Any
) -> None:
    """GIVEN a node on the Internet
    WHEN a draft marked "Mật" is created with a file, and an incoming one is registered
    THEN both are refused with a message naming MẬT; no document, file, stored content
    or audit row is written."""
    from lienthong.documents.services import document_register_incoming

    settings.NETWORK_PROFILE = "internet"
    before = count_state(storage)
    audits = AuditEvent.objects.count()

    with pytest.raises(InvalidInput, match="MẬT"):
        write_draft(office, classification=1, file_data=sample_pdf(), file_name="mat.pdf")
    with pytest.raises(InvalidInput, match="connected to the Internet"):
        document_register_incoming(
            actor=office.clerk,
            unit=office.unit,
            document_type=office.party_letter,
            subject="Tài liệu tối mật",
            issuer_name="Ban Bí thư",
            classification=2,
        )

    assert count_state(storage) == before
    assert AuditEvent.objects.count() == audits


def test_dedicated_node_stores_it_and_limits_reading_by_clearance(
    office: Office, world: Any, settings: Any
) -> None:
    """GIVEN a node on the dedicated network
    WHEN a "Mật" draft is created
    THEN it is stored; the leader (clearance Mật) sees it, the specialist who drafted it
    (no clearance) and the clerk do not."""
    settings.NETWORK_PROFILE = "dedicated"
    document = write_draft(office, classification=1)

    assert selectors.document_list(user=office.leader).filter(pk=document.pk).exists()
    assert not selectors.document_list(user=office.specialist).filter(pk=document.pk).exists()
    assert not selectors.document_list(user=office.clerk).filter(pk=document.pk).exists()


def test_unknown_classification_is_refused(db: None) -> None:
    """GIVEN a classification outside 0-3
    WHEN guarded
    THEN refused."""
    from lienthong.documents.services import classification_guard

    with pytest.raises(InvalidInput):
        classification_guard(classification=7)
