# ruff: noqa: F811  (pytest fixtures imported from workflow_helpers)
"""Outgoing workflow: draft → submit → approve → sign → issue, blockers and hooks."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.documents import services
from lienthong.documents.choices import DocumentState, EventKind, FileKind
from lienthong.documents.models import Document
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import (  # noqa: F401  (fixtures)
    Office,
    count_state,
    office,
    pki,
    storage,
    write_draft,
)
from lienthong.trust import pades


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _approved(office: Office, **overrides: Any) -> Document:
    document = write_draft(office, **overrides)
    document = services.document_submit(actor=office.specialist, document=document)
    return services.document_approve(actor=office.leader, document=document)


def _signed(office: Office, **overrides: Any) -> Document:
    document = _approved(office, **overrides)
    return services.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )


def _latest_pdf(document: Document) -> bytes:
    row = document.files.filter(kind=FileKind.SIGNED).order_by("-version").first()
    assert row is not None
    return files.file_read(row.stored)


def test_draft_to_issue_gives_a_numbered_document_with_two_valid_signatures(
    office: Office, tmp_path: Path
) -> None:
    """GIVEN a Party công văn written in lienthong
    WHEN the specialist submits, the leader approves and signs, the clerk issues
    THEN it is issued as "Số 01-CV/TU" in the outgoing register, the last PDF carries the
    leader's and the seal's signatures (both valid), and every step is in its history."""
    document = _signed(office)
    assert document.state == DocumentState.SIGNED

    document = services.document_issue(
        actor=office.clerk, document=document, second_factor_verified=True
    )

    document.refresh_from_db()
    assert document.state == DocumentState.ISSUED
    assert document.has_signed_file  # kept for the programme's figures
    assert document.number_line == "Số 01-CV/TU"
    assert document.register == office.outgoing
    report = pades.validate_pdf(pdf=_latest_pdf(document), trust_anchors=[office.pki.root_pem])
    assert report.verdict in {"valid", "valid_with_warnings"}
    assert len(report.signatures) == 2
    kinds = list(document.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.SUBMITTED,
        EventKind.APPROVED,
        EventKind.SIGNED,
        EventKind.ISSUED,
    ]
    verbs = set(
        AuditEvent.objects.filter(target_id=str(document.pk)).values_list("verb", flat=True)
    )
    assert {"document.create", "document.sign", "document.issue", "document.number"} <= verbs


def test_the_person_signature_sits_in_the_signer_block(office: Office, tmp_path: Path) -> None:
    """GIVEN a document written in lienthong
    WHEN the leader signs
    THEN the signed PDF shows the Party header and the signature field is exactly the
    empty signer block the rendering left for it."""
    from lienthong.documents.services import rendering

    document = _approved(office)
    expected = rendering.render_pdf(document=document, for_signing=True).signature_box
    document = services.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )
    pdf = _latest_pdf(document)
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    fields = pades.signature_fields(pdf)
    assert len(fields) == 1 and fields[0].signed and fields[0].rect is not None
    assert expected is not None
    assert all(abs(a - b) <= 1 for a, b in zip(fields[0].rect, expected, strict=True))


def test_signing_is_blocked_by_the_format_check(office: Office) -> None:
    """GIVEN an approved document with no recipients and a State prefix on a Party document
    WHEN the leader signs
    THEN InvalidInput lists both problems, and nothing is signed."""
    document = _approved(office, recipients_text="", competence="KT.")

    with pytest.raises(InvalidInput) as caught:
        services.document_sign(actor=office.leader, document=document, second_factor_verified=True)

    issues = caught.value.extra["issues"]
    assert any("recipients" in i for i in issues)
    assert any("KT." in i for i in issues)
    document.refresh_from_db()
    assert document.state == DocumentState.APPROVED
    assert not document.files.filter(kind=FileKind.SIGNED).exists()


def test_only_the_named_signer_signs_with_a_second_factor(office: Office, world: Any) -> None:
    """GIVEN an approved document naming the leader as signer
    WHEN the clerk tries to sign, or the leader without a second factor
    THEN both are refused and the document stays approved."""
    document = _approved(office)
    with pytest.raises((PermissionDenied, NotFound)):
        services.document_sign(actor=office.clerk, document=document, second_factor_verified=True)
    with pytest.raises(PermissionDenied):
        services.document_sign(actor=office.leader, document=document, second_factor_verified=False)
    document.refresh_from_db()
    assert document.state == DocumentState.APPROVED


def test_approval_in_named_steps(office: Office, world: Any) -> None:
    """GIVEN a draft submitted to two named approvers
    WHEN the second approves first, then the first and the second in order
    THEN the out-of-order approval is refused; the document is approved after both."""
    from lienthong.org.choices import RoleCode
    from lienthong.org.tests.factories import UserFactory, member

    deputy = member(UserFactory(full_name="Phó Chánh Văn phòng"), office.unit, RoleCode.LEADER)
    document = write_draft(office)
    services.document_submit(
        actor=office.specialist, document=document, approvers=[deputy, office.leader]
    )
    with pytest.raises(PermissionDenied):
        services.document_approve(actor=office.leader, document=document)

    document = services.document_approve(actor=deputy, document=document)
    assert document.state == DocumentState.SUBMITTED
    document = services.document_approve(actor=office.leader, document=document)
    assert document.state == DocumentState.APPROVED


def test_return_and_new_version_keep_the_history(office: Office) -> None:
    """GIVEN a submitted draft
    WHEN the leader returns it and the specialist rewrites the text
    THEN it is a draft again, the earlier text is kept in a version event, and the
    comment is in the history."""
    document = write_draft(office)
    first_body = document.body
    services.document_submit(actor=office.specialist, document=document)
    services.document_return(actor=office.leader, document=document, reason="Sửa đoạn 2")
    services.document_comment(actor=office.leader, document=document, text="Ngắn gọn hơn")
    document = services.document_draft_update(
        actor=office.specialist, document=document, body="Nội dung mới."
    )

    assert document.state == DocumentState.DRAFT
    assert document.body == "Nội dung mới."
    assert document.events.filter(kind=EventKind.VERSION, text=first_body).exists()
    assert document.events.filter(kind=EventKind.RETURNED, text="Sửa đoạn 2").exists()
    assert document.events.filter(kind=EventKind.COMMENT).exists()


def test_issue_failure_leaves_nothing_half_issued(office: Office) -> None:
    """GIVEN a signed document and a unit whose seal certificate is revoked
    WHEN the clerk issues
    THEN it is refused, the document keeps no number, and the register counter is unused."""
    from lienthong.trust import services as trust_services
    from lienthong.trust.tests.conftest import ACTOR

    document = _signed(office)
    trust_services.certificate_revoke(actor=ACTOR, certificate=office.pki.seal)

    with pytest.raises(InvalidInput):
        services.document_issue(actor=office.clerk, document=document, second_factor_verified=True)

    document.refresh_from_db()
    assert document.state == DocumentState.SIGNED
    assert document.code_number is None
    assert not office.outgoing.counters.filter(last_number__gt=0).exists()


def test_issued_hooks_run_inside_the_transaction(office: Office) -> None:
    """GIVEN a hook registered by a higher app
    WHEN a document is issued
    THEN the hook sees it issued, with its number."""
    seen: list[str] = []

    def hook(document: Document) -> None:
        seen.append(f"{document.state} {document.number_display}")

    services.issued_hooks.append(hook)
    try:
        services.document_issue(
            actor=office.clerk, document=_signed(office), second_factor_verified=True
        )
    finally:
        services.issued_hooks.remove(hook)
    assert seen == ["issued 01-CV/TU"]


def test_recall_freezes_an_issued_document(office: Office) -> None:
    """GIVEN an issued document
    WHEN the clerk recalls it
    THEN it is recalled with the reason in its history."""
    document = services.document_issue(
        actor=office.clerk, document=_signed(office), second_factor_verified=True
    )
    document = services.document_recall(actor=office.clerk, document=document, reason="Sai sót")
    assert document.state == DocumentState.RECALLED
    assert document.events.filter(kind=EventKind.RECALLED, text="Sai sót").exists()


def test_empty_subject_is_refused_and_nothing_is_stored(office: Office, storage: Path) -> None:
    """GIVEN an upload with an empty subject
    WHEN the draft is created
    THEN a clear message, and no document, file or stored content."""
    before = count_state(storage)
    with pytest.raises(InvalidInput, match="subject"):
        write_draft(office, subject="   ")
    assert count_state(storage) == before


def test_a_unit_outside_the_scope_is_not_found(office: Office, world: Any) -> None:
    """GIVEN the specialist of the province
    WHEN they draft in another province's unit
    THEN "not found", nothing created."""
    with pytest.raises(NotFound):
        write_draft(office, unit=world.province_b)
    assert Document.objects.count() == 0


def test_uploaded_pdf_is_version_one_and_is_what_gets_signed(office: Office) -> None:
    """GIVEN a draft made from an uploaded PDF (no text)
    WHEN it is approved and signed
    THEN the draft file is version 1 and the signed PDF is that PDF plus a signature."""
    from lienthong.trust.pades.samples import sample_pdf

    document = write_draft(office, body="", file_data=sample_pdf(), file_name="cv.pdf")
    draft = document.files.get(kind=FileKind.DRAFT)
    assert draft.version == 1
    services.document_submit(actor=office.specialist, document=document)
    services.document_approve(actor=office.leader, document=document)
    document = services.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )
    assert len(pades.signature_fields(_latest_pdf(document))) == 1


def _words(pdf: Path) -> list[tuple[str, float, float]]:
    """The words of page 1 with their centres as fractions of the page width and height."""
    import re

    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    width, height = (
        float(x) for x in re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html).groups()
    )
    words = []
    for x1, y1, x2, y2, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    ):
        words.append(
            (word, (float(x1) + float(x2)) / 2 / width, (float(y1) + float(y2)) / 2 / height)
        )
    return words


def _pyhanko_validate(pdf: Path, root: Path) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run(
        [
            str(Path(sys.executable).with_name("pyhanko")),
            "sign",
            "validate",
            "--trust",
            str(root),
            "--trust-replace",
            "--no-revocation-check",
            "--pretty-print",
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_numbered_and_valid(
    office: Office, document: Document, tmp_path: Path, number: str, date: str
) -> Path:
    """The issued PDF shows ``number`` top left and ``date`` top right on page 1, and
    both signatures are valid for lienthong and for pyHanko's own CLI."""
    from lienthong.trust.tests.conftest import missing_tool

    missing_tool("pdftotext")
    pdf = _latest_pdf(document)
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    root = tmp_path / "root.pem"
    root.write_text(office.pki.root_pem)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert number in text and date in text
    words = _words(path)
    code = number.split()[-1]
    ((_, code_x, code_y),) = [w for w in words if w[0] == code]
    assert code_x < 0.5 and code_y < 0.25  # box 3: top left, under the issuing body
    (year_x, year_y) = next((x, y) for w, x, y in words if w == date.split()[-1] and y < 0.25)
    assert year_x > 0.5 and year_y < 0.25  # box 4: top right

    report = pades.validate_pdf(pdf=pdf, trust_anchors=[office.pki.root_pem])
    assert report.verdict in {"valid", "valid_with_warnings"}
    assert len(report.signatures) == 2
    person, seal = report.signatures
    assert person.intact and seal.intact and person.trusted and seal.trusted
    assert not person.modified_after and not seal.modified_after
    # What followed the leader's signature is form filling (the number and date).
    assert person.details["modification_level"] == "form_filling"
    assert pades.text_field_values(pdf) == {"lienthong_number": number, "lienthong_date": date}
    cli = _pyhanko_validate(path, root)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.count("The signature is judged VALID.") == 2
    return path


def test_issued_party_document_shows_its_number_and_date_under_two_valid_signatures(
    office: Office, tmp_path: Path
) -> None:
    """GIVEN a Party công văn written in lienthong and signed by the leader (its number
    and date still blank: vn-rules.md §1.4, they are given at issue)
    WHEN the clerk issues it on 5 March 2026
    THEN the seal signature fills the number and date fields: the PDF shows "Số 01-CV/TU"
    top left and "Hà Nội, ngày 05 tháng 3 năm 2026" top right, and the leader's and the
    seal's signatures are both valid for lienthong and for pyHanko's CLI."""
    import datetime as dt

    document = _signed(office)
    signed_values = pades.text_field_values(_latest_pdf(document))
    assert signed_values["lienthong_number"].startswith("Số\u00a0")
    assert signed_values["lienthong_date"].startswith("Hà Nội, ngày\u00a0")

    document = services.document_issue(
        actor=office.clerk,
        document=document,
        second_factor_verified=True,
        on=dt.date(2026, 3, 5),
    )

    _assert_numbered_and_valid(
        office, document, tmp_path, "Số 01-CV/TU", "Hà Nội, ngày 05 tháng 3 năm 2026"
    )


def test_issued_state_document_shows_its_number_and_date_under_two_valid_signatures(
    office: Office, tmp_path: Path
) -> None:
    """GIVEN a unit following NĐ 30 (State, "UBND") and a quyết định signed by its leader
    WHEN the clerk issues it on 12 November 2026
    THEN the PDF shows "Số: 01/QĐ-UBND" and "Hà Nội, ngày 12 tháng 11 năm 2026", with
    both signatures valid for lienthong and for pyHanko's CLI."""
    import datetime as dt

    from lienthong.documents.choices import Convention
    from lienthong.documents.models import DocumentType, UnitProfile

    UnitProfile.objects.filter(unit=office.unit).update(
        convention=Convention.STATE, issuer_code="UBND"
    )
    document = _signed(
        office,
        document_type=DocumentType.objects.get(convention=Convention.STATE, code="QĐ"),
        subject="Về việc ban hành quy chế quản lý văn bản điện tử",
        competence="TM.",
        signer_position="Ủy ban nhân dân\nChủ tịch",
    )

    document = services.document_issue(
        actor=office.clerk,
        document=document,
        second_factor_verified=True,
        on=dt.date(2026, 11, 12),
    )

    _assert_numbered_and_valid(
        office, document, tmp_path, "Số: 01/QĐ-UBND", "Hà Nội, ngày 12 tháng 11 năm 2026"
    )


def test_uploaded_pdf_gets_its_number_in_the_top_right_fields(office: Office) -> None:
    """GIVEN a signed document made from an uploaded PDF (lienthong added empty number and
    date fields top right of page 1 before the leader signed)
    WHEN the clerk issues it
    THEN the seal signature fills them ("Số 01-CV/TU" and the date line) and both
    signatures are valid (test_number_stamp.py checks the page as an image)."""
    from lienthong.trust.pades.samples import sample_pdf

    document = write_draft(office, body="", file_data=sample_pdf(), file_name="cv.pdf")
    services.document_submit(actor=office.specialist, document=document)
    services.document_approve(actor=office.leader, document=document)
    document = services.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )

    document = services.document_issue(
        actor=office.clerk, document=document, second_factor_verified=True
    )

    pdf = _latest_pdf(document)
    values = pades.text_field_values(pdf)
    assert values["lienthong_number"] == "Số 01-CV/TU"
    assert values["lienthong_date"].startswith("Hà Nội, ngày ")
    report = pades.validate_pdf(pdf=pdf, trust_anchors=[office.pki.root_pem])
    assert report.bottom_line and len(report.signatures) == 2
