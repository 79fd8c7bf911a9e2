"""The CA services (trust/services.py)."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lienthong.audit.actors import SystemActor
from lienthong.audit.models import AuditEvent
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.errors import CertificateError
from lienthong.trust.models import (
    Certificate,
    CertificateAuthority,
    RevocationList,
    TrustAnchor,
)

ACTOR = SystemActor("test")


@pytest.fixture
def ca(db: None, settings: pytest.FixtureRequest) -> services.CaSet:
    """GIVEN a node CA (EC keys, fast)."""
    settings.KEY_ALGORITHM = "ec-p256"  # type: ignore[attr-defined]
    return services.ca_init(actor=ACTOR, network_name="Mạng thử", slug="thu", algorithm="ec-p256")


def test_ca_init_creates_root_issuing_tsa_ocsp_anchor_and_crls(ca):
    """GIVEN a fresh node
    WHEN ``ca_init`` runs
    THEN there is a self-signed root, an issuing CA under it, TSA and OCSP certificates
    from the issuing CA, the root as a trust anchor and a first CRL for each CA."""
    root = ca.root.certificate.x509()
    issuing = ca.issuing.certificate.x509()
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    assert ca.issuing.parent == ca.root and ca.root.slug == "thu-root"
    assert ca.tsa.issuer == ca.issuing and ca.tsa.profile == CertificateProfile.TSA
    assert ca.ocsp.issuer == ca.issuing and ca.ocsp.profile == CertificateProfile.OCSP
    assert TrustAnchor.objects.filter(fingerprint_sha256=ca.root.certificate.fingerprint_sha256)
    assert RevocationList.objects.filter(authority=ca.root).count() == 1
    assert RevocationList.objects.filter(authority=ca.issuing).count() == 1
    assert AuditEvent.objects.filter(verb="ca.init").count() == 1
    constraints = issuing.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0


def test_ca_init_refuses_a_second_init_with_the_same_slug(ca):
    """GIVEN a CA "thu"
    WHEN ``ca_init`` runs again with that code
    THEN it is refused and nothing is added."""
    count = CertificateAuthority.objects.count()
    with pytest.raises(CertificateError):
        services.ca_init(actor=ACTOR, network_name="Lần hai", slug="thu", algorithm="ec-p256")
    assert CertificateAuthority.objects.count() == count


@pytest.mark.parametrize(
    ("profile", "usage", "eku"),
    [
        (CertificateProfile.PERSON_SIGNING, {"digital_signature", "content_commitment"}, None),
        (CertificateProfile.UNIT_SEAL, {"digital_signature", "content_commitment"}, None),
        (CertificateProfile.NODE_ENVELOPE, {"digital_signature", "content_commitment"}, None),
        (
            CertificateProfile.NODE_TLS,
            {"digital_signature", "key_encipherment"},
            {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH},
        ),
        (
            CertificateProfile.TSA,
            {"digital_signature", "content_commitment"},
            {ExtendedKeyUsageOID.TIME_STAMPING},
        ),
        (CertificateProfile.OCSP, {"digital_signature"}, {ExtendedKeyUsageOID.OCSP_SIGNING}),
    ],
)
def test_issue_applies_the_profile(ca, profile, usage, eku):
    """GIVEN a profile
    WHEN a certificate is issued with it
    THEN it has the profile's key usages and EKU, and (except the OCSP responder) the
    CA's CRL distribution point and AIA addresses."""
    row = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=profile,
        subject=services.SubjectSpec(common_name="Đối tượng"),
    )
    cert = row.x509()
    cert.verify_directly_issued_by(ca.issuing.certificate.x509())
    key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    flags = {
        name
        for name in (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "key_cert_sign",
            "crl_sign",
        )
        if getattr(key_usage, name)
    }
    assert flags == usage
    if eku is None:
        with pytest.raises(x509.ExtensionNotFound):
            cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    else:
        assert set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == eku
    if profile == CertificateProfile.OCSP:
        with pytest.raises(x509.ExtensionNotFound):
            cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        return
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == ca.issuing.crl_url()
    access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert {d.access_location.value for d in access} == {
        ca.issuing.ocsp_url(),
        ca.issuing.ca_issuers_url(),
    }


def test_issue_refuses_ca_profiles_and_blank_names(ca):
    """GIVEN the issuing CA
    WHEN a CA profile or an empty common name is asked
    THEN issuing is refused."""
    with pytest.raises(CertificateError):
        services.certificate_issue(
            actor=ACTOR,
            authority=ca.issuing,
            profile=CertificateProfile.ISSUING_CA,
            subject=services.SubjectSpec(common_name="x"),
        )
    with pytest.raises(CertificateError):
        services.certificate_issue(
            actor=ACTOR,
            authority=ca.issuing,
            profile=CertificateProfile.UNIT_SEAL,
            subject=services.SubjectSpec(common_name="  "),
        )


def test_renew_keeps_subject_holder_and_links(ca, world):
    """GIVEN a seal certificate of a unit
    WHEN it is renewed
    THEN the successor has the same subject, holder and key, and points back to it."""
    first = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="Văn phòng", organization="Tỉnh ủy"),
        holder_unit=world.province_a,
    )
    second = services.certificate_renew(actor=ACTOR, certificate=first)
    assert second.renewed_from == first
    assert second.subject == first.subject
    assert second.holder_unit == world.province_a
    assert second.key == first.key
    assert second.serial_number != first.serial_number
    name = second.x509().subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert name == "Tỉnh ủy"


def test_revoke_twice_is_refused(ca):
    """GIVEN a revoked certificate
    WHEN it is revoked again
    THEN it is refused."""
    row = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="x"),
    )
    services.certificate_revoke(actor=ACTOR, certificate=row)
    with pytest.raises(CertificateError):
        services.certificate_revoke(actor=ACTOR, certificate=row)


def test_revoke_publishes_a_crl_with_the_next_number(ca):
    """GIVEN CRL #n of the issuing CA
    WHEN a certificate is revoked
    THEN CRL #n+1 lists it with its reason."""
    before = RevocationList.objects.filter(authority=ca.issuing).latest().number
    row = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="x"),
    )
    services.certificate_revoke(
        actor=ACTOR, certificate=row, reason=RevocationReason.KEY_COMPROMISE
    )
    latest = RevocationList.objects.filter(authority=ca.issuing).latest()
    assert latest.number == before + 1
    crl = x509.load_der_x509_crl(bytes(latest.der))
    entry = crl.get_revoked_certificate_by_serial_number(int(row.serial_number, 16))
    assert entry is not None
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason == x509.ReasonFlags.key_compromise
    assert Certificate.objects.get(pk=row.pk).revocation_reason == RevocationReason.KEY_COMPROMISE


def test_revoke_refuses_an_unknown_reason(ca):
    """GIVEN a certificate
    WHEN it is revoked with a reason that is not RFC 5280's
    THEN it is refused and stays valid."""
    row = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="x"),
    )
    with pytest.raises(CertificateError):
        services.certificate_revoke(actor=ACTOR, certificate=row, reason="bored")
    assert Certificate.objects.get(pk=row.pk).revoked_at is None


def test_anchor_import_refuses_leaf_and_garbage_and_accepts_a_ca(ca, settings):
    """GIVEN a leaf certificate, garbage, and another network's root
    WHEN each is imported as a trust anchor
    THEN the first two are refused, the root is accepted once."""
    leaf = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="x"),
    )
    with pytest.raises(CertificateError):
        services.anchor_import(actor=ACTOR, name="lá", pem=leaf.pem)
    with pytest.raises(CertificateError):
        services.anchor_import(actor=ACTOR, name="rác", pem="-----BEGIN CERTIFICATE-----\nxx")
    other = services.ca_init(actor=ACTOR, network_name="Khác", slug="khac", algorithm="ec-p256")
    TrustAnchor.objects.filter(
        fingerprint_sha256=other.root.certificate.fingerprint_sha256
    ).delete()
    anchor = services.anchor_import(actor=ACTOR, name="Khác", pem=other.root.certificate.pem)
    assert anchor.fingerprint_sha256 == other.root.certificate.fingerprint_sha256
    with pytest.raises(CertificateError):
        services.anchor_import(actor=ACTOR, name="Khác", pem=other.root.certificate.pem)
