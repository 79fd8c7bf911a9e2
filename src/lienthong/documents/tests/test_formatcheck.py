"""The format check that blocks signing and issuing (blockers lists)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Convention, Direction, DocumentState
from lienthong.documents.models import Document, DocumentType
from lienthong.documents.services import formatcheck


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _doc(world: Any, convention: str, code: str, **extra: Any) -> Document:
    values: dict[str, Any] = {
        "unit": world.province_a,
        "direction": Direction.OUTGOING,
        "convention": convention,
        "state": DocumentState.APPROVED,
        "document_type": DocumentType.objects.filter(convention=convention, code=code)
        .order_by("sort_order")
        .first(),
        "subject": "Về việc thử",
        "body": "Nội dung.",
        "signer": world.leader_a,
        "signer_position": "Bí thư",
        "recipients_text": "Như trên",
        "created_by": world.clerk_a1,
    }
    values.update(extra)
    return Document(**values)


def test_a_complete_document_has_no_issues(world: Any) -> None:
    """GIVEN a complete Party resolution
    WHEN checked before signing
    THEN no issues."""
    assert formatcheck.issues_before_sign(_doc(world, Convention.PARTY, "NQ")) == []


def test_missing_and_wrong_items_are_all_listed(world: Any) -> None:
    """GIVEN a State công văn without "V/v", signer, position or recipients, with a Party
    prefix
    WHEN checked
    THEN each problem is listed, and require_no_issues raises with the list."""
    document = _doc(
        world,
        Convention.STATE,
        "QĐ",
        subject="Triển khai",
        signer=None,
        signer_position="",
        recipients_text="",
        competence="T/M",
    )
    document.document_type = DocumentType.objects.get(convention=Convention.STATE, name="Công văn")
    issues = formatcheck.issues_before_sign(document)

    assert len(issues) == 5
    assert any("V/v" in i for i in issues)
    assert any("T/M" in i for i in issues)
    with pytest.raises(InvalidInput) as caught:
        formatcheck.require_no_issues(issues, what="signing")
    assert caught.value.extra["issues"] == issues


@pytest.mark.parametrize(
    ("convention", "code", "number", "notation", "ok"),
    [
        (Convention.PARTY, "NQ", 12, "NQ/TU", True),
        (Convention.PARTY, "CV", 1, "CV/BTVTU", True),
        (Convention.PARTY, "NQ", 12, "NQ-TU", False),
        (Convention.STATE, "QĐ", 15, "QĐ-UBND", True),
        (Convention.STATE, "QĐ", 5, "UBND-VP", True),
        (Convention.STATE, "QĐ", 15, "QĐ/UBND", False),
    ],
)
def test_number_patterns(
    world: Any, convention: str, code: str, number: int, notation: str, ok: bool
) -> None:
    """GIVEN numbers of each convention, well and badly formed
    WHEN checked after numbering
    THEN "12-NQ/TU" and "15/QĐ-UBND" pass; the other separators are flagged."""
    document = _doc(
        world,
        convention,
        code,
        code_number=number,
        code_notation=notation,
        issued_date=timezone.localdate(),
    )
    assert (formatcheck.issues_of_number(document) == []) is ok


def test_number_date_must_exist_and_not_be_in_the_future(world: Any) -> None:
    """GIVEN numbered documents without a date and dated tomorrow
    WHEN checked
    THEN both are flagged."""
    undated = _doc(world, Convention.PARTY, "NQ", code_number=1, code_notation="NQ/TU")
    tomorrow = _doc(
        world,
        Convention.PARTY,
        "NQ",
        code_number=1,
        code_notation="NQ/TU",
        issued_date=timezone.localdate() + dt.timedelta(days=1),
    )
    assert formatcheck.issues_of_number(undated) == ["The document has no date."]
    assert formatcheck.issues_of_number(tomorrow) == ["The document's date is in the future."]
    assert formatcheck.issues_of_number(_doc(world, Convention.PARTY, "NQ")) == [
        "The document has no number yet."
    ]


def test_issue_needs_a_signed_file(world: Any) -> None:
    """GIVEN an unsaved, unsigned document
    WHEN checked before issuing
    THEN "not signed" is listed."""
    issues = formatcheck.issues_before_issue(_doc(world, Convention.PARTY, "NQ"))
    assert issues == ["The document has not been signed."]
