"""The PAdES facade, validation side: verdicts and reasons, and the validation service."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from cryptography.hazmat.primitives.serialization import pkcs7

from lienthong.audit.models import AuditEvent
from lienthong.trust import pades, services
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.errors import ValidationFailure
from lienthong.trust.models import ValidationRecord
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.tests.conftest import ACTOR
from lienthong.trust.validation import pdf_validate, report_bytes


def _sign(pki, certificate, level: str = "B-T") -> bytes:
    return pades.sign_pdf(
        pdf=sample_pdf(), signer=pades.SignerSpec(certificate=certificate), level=level
    )


def _person_certificate(pki, **extra):
    return services.certificate_issue(
        actor=ACTOR,
        authority=pki.cas.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Người thử"),
        holder_user=pki.person_user,
        holder_unit=pki.unit,
        **extra,
    )


def test_one_changed_byte_makes_it_invalid(pki):
    """GIVEN a signed PDF
    WHEN one byte of the signed page content is changed
    THEN the verdict is invalid and the signature is not intact."""
    signed = _sign(pki, pki.person, level="B-LTA")
    tampered = signed.replace(b"Dong 7:", b"Dong 8:", 1)
    assert tampered != signed

    report = pades.validate_pdf(pdf=tampered, trust_anchors=[pki.root_pem])

    assert report.verdict == "invalid"
    assert report.signatures[0].intact is False
    assert any("content changed" in r for r in report.signatures[0].reasons)


def test_certificate_revoked_before_signing_is_invalid(pki):
    """GIVEN a certificate revoked (and a CRL published) before it signs
    WHEN the PDF is validated
    THEN the verdict is invalid, revoked is true and the reason says so."""
    certificate = _person_certificate(pki)
    services.certificate_revoke(
        actor=ACTOR, certificate=certificate, reason=RevocationReason.KEY_COMPROMISE
    )
    signed = _sign(pki, certificate)

    report = pades.validate_pdf(pdf=signed, trust_anchors=[pki.root_pem])

    assert report.verdict == "invalid"
    assert report.signatures[0].revoked is True
    assert "signer certificate revoked" in report.signatures[0].reasons


def test_certificate_revoked_after_a_timestamped_signature_is_a_warning(pki):
    """GIVEN a PDF signed with a timestamp, the certificate revoked afterwards
    WHEN validated
    THEN the timestamp proves the earlier signature: valid with a warning."""
    certificate = _person_certificate(pki)
    signed = _sign(pki, certificate, level="B-T")
    time.sleep(1.1)  # the revocation must fall strictly after the timestamp (1 s resolution)
    services.certificate_revoke(actor=ACTOR, certificate=certificate)

    report = pades.validate_pdf(pdf=signed, trust_anchors=[pki.root_pem])

    assert report.verdict == "valid_with_warnings"
    assert "certificate revoked after signing" in report.signatures[0].reasons


def test_expired_certificate_is_invalid(pki):
    """GIVEN a certificate valid for one second, used after it expired
    WHEN the PDF is validated
    THEN the verdict is invalid with the reason "expired"."""
    certificate = _person_certificate(pki, validity=dt.timedelta(seconds=1))
    time.sleep(2)
    signed = _sign(pki, certificate, level="B-T")

    report = pades.validate_pdf(pdf=signed, trust_anchors=[pki.root_pem])

    assert report.verdict == "invalid"
    assert "signer certificate expired" in report.signatures[0].reasons


def test_untrusted_root_is_unknown(pki):
    """GIVEN a PDF signed by our CA
    WHEN validated without our root among the anchors
    THEN the verdict is unknown: intact but not trusted."""
    signed = _sign(pki, pki.person)

    report = pades.validate_pdf(pdf=signed, trust_anchors=[])

    assert report.verdict == "unknown"
    assert report.signatures[0].intact is True
    assert report.signatures[0].trusted is False
    assert any("untrusted root" in r for r in report.signatures[0].reasons)


def test_unsigned_pdf_and_non_pdf(pki):
    """GIVEN an unsigned PDF and a file that is not a PDF
    WHEN validated
    THEN the first is "unsigned", the second a ValidationFailure naming the problem."""
    assert pades.validate_pdf(pdf=sample_pdf(), trust_anchors=[]).verdict == "unsigned"
    with pytest.raises(ValidationFailure, match="not a PDF"):
        pades.validate_pdf(pdf=b"\x89PNG\r\n\x1a\nrandom bytes", trust_anchors=[])


def test_report_json_has_the_issue_keys(pki):
    """GIVEN a signed PDF
    WHEN the report is turned into JSON
    THEN it has the verdict and, per signature, the keys issue #3 asks for."""
    data = pades.validate_pdf(pdf=_sign(pki, pki.person), trust_anchors=[pki.root_pem]).to_json()

    assert data["verdict"] in pades.VERDICTS
    keys = {"signer", "signed_at", "intact", "trusted", "revoked", "timestamped"}
    keys |= {"modified_after", "reasons"}
    assert keys <= set(data["signatures"][0])


def test_pdf_validate_stores_a_report_signed_by_the_node(pki, world):
    """GIVEN the node envelope certificate `ca init` issues, and a signed PDF
    WHEN a clerk validates it
    THEN the record keeps the verdict, the report and a CMS over the report's bytes,
    and an audit event "pdf.validate" is written."""
    envelope = pki.cas.node

    row = pdf_validate(
        actor=world.clerk_a1,
        pdf=_sign(pki, pki.person),
        file_name="cv.pdf",
        unit=world.commune_a1,
    )

    assert row.verdict == "valid"
    assert row.report["signatures"][0]["signer"] == "Lãnh đạo Hà Nội"
    assert envelope.common_name in row.report["node_signature"]
    certs = pkcs7.load_der_pkcs7_certificates(bytes(row.signed_report))
    assert certs[0].serial_number == int(envelope.serial_number, 16)
    payload = {k: v for k, v in row.report.items() if k != "node_signature"}
    assert report_bytes(payload) in bytes(row.signed_report)
    assert AuditEvent.objects.filter(verb="pdf.validate").count() == 1


def test_pdf_validate_without_envelope_certificate_notes_it(pki, world):
    """GIVEN no valid node envelope certificate (the one of `ca init` revoked)
    WHEN a PDF is validated
    THEN the report is kept unsigned, with a note; a non-PDF stores nothing."""
    services.certificate_revoke(actor=ACTOR, certificate=pki.cas.node)
    row = pdf_validate(actor=world.clerk_a1, pdf=sample_pdf(), file_name="x.pdf")

    assert row.verdict == "unsigned" and row.signed_report is None
    assert row.report["node_signature"].startswith("not signed")
    with pytest.raises(ValidationFailure):
        pdf_validate(actor=world.clerk_a1, pdf=b"not a pdf", file_name="x.txt")
    assert ValidationRecord.objects.count() == 1
