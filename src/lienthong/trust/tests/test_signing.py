"""Signing services: the interrupted flow, who may sign with what, second factor, audit."""

from __future__ import annotations

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, PermissionDenied
from lienthong.trust import pades, services
from lienthong.trust.errors import CertificateError
from lienthong.trust.models import SignatureRequest
from lienthong.trust.pades.samples import sample_pdf
from lienthong.trust.signing import signature_request_create, signature_request_sign
from lienthong.trust.tests.conftest import ACTOR


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (the msgids); the UI default is Vietnamese."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _prepare(pki, *, kind=SignatureRequest.Kind.PERSON, pdf=None, certificate=None, signer=None):
    return signature_request_create(
        actor=pki.person_user,
        unit=pki.unit,
        signer=signer or pki.person_user,
        certificate=certificate or (pki.person if kind == "person" else pki.seal),
        kind=kind,
        title="Công văn số 12/CV-TU",
        pdf=pdf if pdf is not None else sample_pdf(),
        options={"title_line": "BÍ THƯ"},
    )


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_person_signs_then_unit_seals(pki):
    """GIVEN a prepared person signature
    WHEN the leader completes it (second factor given), then the seal is applied
    THEN both requests are completed, the final PDF is valid with two signatures, and
    the audit log has prepare and complete for each."""
    request = _prepare(pki)
    assert request.state == SignatureRequest.State.PREPARED

    request = signature_request_sign(
        actor=pki.person_user, request=request, second_factor_verified=True
    )
    sealed = signature_request_sign(
        actor=pki.person_user,
        request=_prepare(pki, kind=SignatureRequest.Kind.SEAL, pdf=_read(request.output_pdf)),
        second_factor_verified=True,
    )

    assert request.state == sealed.state == SignatureRequest.State.COMPLETED
    assert sealed.completed_at is not None
    report = pades.validate_pdf(pdf=_read(sealed.output_pdf), trust_anchors=[pki.root_pem])
    assert report.verdict == "valid"
    assert len(report.signatures) == 2
    assert AuditEvent.objects.filter(verb="signature.prepare").count() == 2
    assert AuditEvent.objects.filter(verb="signature.complete").count() == 2


def test_signing_without_second_factor_is_refused(pki):
    """GIVEN a leader (a signing role: a second factor is required)
    WHEN they try to sign without a verified second factor
    THEN PermissionDenied, and the request stays prepared."""
    request = _prepare(pki)

    with pytest.raises(PermissionDenied):
        signature_request_sign(actor=pki.person_user, request=request, second_factor_verified=False)

    request.refresh_from_db()
    assert request.state == SignatureRequest.State.PREPARED


def test_only_the_signer_signs(pki, world):
    """GIVEN a request for the leader
    WHEN someone else completes it
    THEN PermissionDenied."""
    with pytest.raises(PermissionDenied):
        signature_request_sign(
            actor=world.clerk_a1, request=_prepare(pki), second_factor_verified=True
        )


def test_seal_needs_a_document_signed_by_a_person(pki):
    """GIVEN an unsigned PDF
    WHEN a seal request is prepared
    THEN it is refused (vn-rules.md §1.9: the clerk seals only signed documents)."""
    with pytest.raises(CertificateError, match="already signed"):
        _prepare(pki, kind=SignatureRequest.Kind.SEAL)


def test_wrong_or_revoked_certificates_are_refused(pki, world):
    """GIVEN the unit's seal certificate used as a person's, another person's
    certificate, a revoked certificate and a non-PDF
    WHEN requests are prepared
    THEN each is refused and nothing is stored."""
    with pytest.raises(CertificateError):
        _prepare(pki, certificate=pki.seal)
    with pytest.raises(CertificateError):
        _prepare(pki, signer=world.clerk_a1)
    with pytest.raises(InvalidInput):
        _prepare(pki, pdf=b"GIF89a not a pdf")
    services.certificate_revoke(actor=ACTOR, certificate=pki.person)
    pki.person.refresh_from_db()
    with pytest.raises(CertificateError, match="revoked"):
        _prepare(pki)
    assert SignatureRequest.objects.count() == 0


def test_failure_is_kept_with_its_reason(pki):
    """GIVEN a prepared request whose certificate is revoked before it is completed
    WHEN the signer completes it
    THEN the error is raised, the request is stored as failed with the reason, and
    "signature.fail" is audited."""
    request = _prepare(pki)
    services.certificate_revoke(actor=ACTOR, certificate=pki.person)
    request.certificate.refresh_from_db()

    with pytest.raises(CertificateError):
        signature_request_sign(actor=pki.person_user, request=request, second_factor_verified=True)

    request.refresh_from_db()
    assert request.state == SignatureRequest.State.FAILED
    assert "revoked" in request.error
    assert AuditEvent.objects.filter(verb="signature.fail").count() == 1
