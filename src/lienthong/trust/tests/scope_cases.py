"""How the shared permission matrix exercises trust's scoped models."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from lienthong.audit.actors import SystemActor
from lienthong.core.testing.matrix import ScopeCase
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.models import (
    Certificate,
    CertificateAuthority,
    SignatureRequest,
    ValidationRecord,
)

ACTOR = SystemActor("matrix")


def matrix_ca() -> CertificateAuthority:
    """The issuing CA of a small test network (made once per test database)."""
    existing = CertificateAuthority.objects.filter(slug="matrix").first()
    if existing is not None:
        return existing
    return services.ca_init(
        actor=ACTOR, network_name="Matrix", slug="matrix", algorithm="ec-p256"
    ).issuing


def _certificate_in(unit: Any) -> Certificate:
    return services.certificate_issue(
        actor=ACTOR,
        authority=matrix_ca(),
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name=unit.name),
        holder_unit=unit,
    )


def _signature_request_in(unit: Any) -> SignatureRequest:
    from lienthong.org.tests.factories import UserFactory

    person = UserFactory()
    request = SignatureRequest(
        unit=unit,
        kind=SignatureRequest.Kind.SEAL,
        requested_by=person,
        signer=person,
        certificate=_certificate_in(unit),
        title="Công văn thử",
    )
    request.input_pdf.save("thu.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    request.save()
    return request


def _validation_in(unit: Any) -> ValidationRecord:
    return ValidationRecord.objects.create(unit=unit, sha256="0" * 64, verdict="unsigned")


SCOPE_CASES = [
    ScopeCase(model=Certificate, make=_certificate_in),
    ScopeCase(model=SignatureRequest, make=_signature_request_in),
    ScopeCase(model=ValidationRecord, make=_validation_in),
]
