"""The node's certificate authority: create the CAs, issue, renew and revoke certificates,
publish CRLs, import trust anchors. Each use case is one audited service (STYLE habit 2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lienthong.audit.services import Actor, record
from lienthong.org.services import node_ensure_local
from lienthong.trust.choices import CertificateProfile, KeyStorage, RevocationReason
from lienthong.trust.errors import CertificateError, KeyUnavailable
from lienthong.trust.keys import (
    PrivateKey,
    decrypt_private_key,
    encrypt_private_key,
    generate_private_key,
    public_key_pem,
)
from lienthong.trust.models import (
    Certificate,
    CertificateAuthority,
    KeyMaterial,
    RevocationList,
    TrustAnchor,
)
from lienthong.trust.profiles import PROFILES, extensions_for

__all__ = [
    "CaSet",
    "SubjectSpec",
    "anchor_import",
    "ca_init",
    "ca_private_key",
    "certificate_issue",
    "certificate_renew",
    "certificate_revoke",
    "crl_publish",
    "key_create",
]

#: Tolerance for clocks that run a little behind (certificates start a bit in the past).
_BACKDATE = dt.timedelta(minutes=5)

_REASON_FLAGS: dict[str, x509.ReasonFlags] = {
    RevocationReason.UNSPECIFIED: x509.ReasonFlags.unspecified,
    RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    RevocationReason.CA_COMPROMISE: x509.ReasonFlags.ca_compromise,
    RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    RevocationReason.CESSATION_OF_OPERATION: x509.ReasonFlags.cessation_of_operation,
    RevocationReason.CERTIFICATE_HOLD: x509.ReasonFlags.certificate_hold,
}


@dataclass(frozen=True)
class SubjectSpec:
    """Who a certificate names (UTF-8: Vietnamese names are kept as written)."""

    common_name: str
    organization: str = ""
    organizational_unit: str = ""
    locality: str = ""
    country: str = "VN"
    email: str = ""

    def to_name(self) -> x509.Name:
        """The X.509 distinguished name."""
        parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, self.country)]
        for oid, value in (
            (NameOID.LOCALITY_NAME, self.locality),
            (NameOID.ORGANIZATION_NAME, self.organization),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, self.organizational_unit),
            (NameOID.COMMON_NAME, self.common_name),
            (NameOID.EMAIL_ADDRESS, self.email),
        ):
            if value:
                parts.append(x509.NameAttribute(oid, value))
        return x509.Name(parts)


def key_create(*, actor: Actor, label: str, algorithm: str | None = None) -> KeyMaterial:
    """Generate a private key on the node and store it encrypted (PKCS#8)."""
    algorithm = algorithm or settings.KEY_ALGORITHM
    private = generate_private_key(algorithm)
    key = KeyMaterial(
        label=label,
        storage=KeyStorage.ENCRYPTED,
        algorithm=algorithm,
        public_key_pem=public_key_pem(private),
        encrypted_pkcs8=encrypt_private_key(private),
    )
    key.full_clean(exclude=["encrypted_pkcs8"])
    key.save()
    record(actor=actor, verb="key.create", target=key, data={"algorithm": algorithm})
    return key


def ca_private_key(authority: CertificateAuthority) -> PrivateKey:
    """The CA's private key, decrypted for one use.

    Raises:
        KeyUnavailable: the node does not hold this CA's key.
    """
    if authority.key is None or authority.key.storage != KeyStorage.ENCRYPTED:
        raise KeyUnavailable(f"This node does not hold the key of {authority.name}")
    return decrypt_private_key(_blob(authority.key))


def _blob(key: KeyMaterial) -> bytes:
    if key.encrypted_pkcs8 is None:
        raise KeyUnavailable(f"The key {key.label} is not held encrypted on this node")
    return bytes(key.encrypted_pkcs8)


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _save_certificate(
    cert: x509.Certificate,
    *,
    issuer: CertificateAuthority | None,
    profile: str,
    key: KeyMaterial | None,
    holder: dict[str, Any],
    renewed_from: Certificate | None = None,
) -> Certificate:
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    record_ = Certificate(
        issuer=issuer,
        profile=profile,
        serial_number=format(cert.serial_number, "x"),
        subject=cert.subject.rfc4514_string(),
        common_name=str(common[0].value) if common else cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        fingerprint_sha256=_fingerprint(cert),
        key=key,
        renewed_from=renewed_from,
        **holder,
    )
    record_.full_clean()
    record_.save()
    return record_


def _build(
    *,
    subject: x509.Name,
    public_key: Any,
    profile: str,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    issuer_authority: CertificateAuthority | None,
    validity: dt.timedelta,
    dns_names: tuple[str, ...] = (),
) -> x509.Certificate:
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + validity)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for extension, critical in extensions_for(profile, dns_names=dns_names):
        builder = builder.add_extension(extension, critical=critical)
    if issuer_authority is not None and profile != CertificateProfile.OCSP:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(issuer_authority.crl_url())],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(issuer_authority.ocsp_url()),
                    ),
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(issuer_authority.ca_issuers_url()),
                    ),
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class CaSet:
    """What ``ca_init`` creates."""

    root: CertificateAuthority
    issuing: CertificateAuthority
    tsa: Certificate
    ocsp: Certificate
    node: Certificate
    """The local node's envelope-signing certificate (signs envelopes and kept reports)."""


def ca_init(
    *,
    actor: Actor,
    network_name: str,
    slug: str = "lienthong",
    organization: str = "",
    algorithm: str | None = None,
) -> CaSet:
    """Create the network's root CA, its issuing CA, the TSA and OCSP certificates, and
    this node's envelope-signing certificate (which also signs kept validation reports).

    Args:
        actor: who creates them (the IT officer, or ``SystemActor("ca-init")``).
        network_name: shown in the CA names ("Mạng lienthong Hà Nội").
        slug: short code; the root is ``<slug>-root``, the issuing CA ``<slug>``.
        organization: the O attribute of the CA names.
        algorithm: key algorithm of the CA keys (``LIENTHONG_CA_KEY_ALGORITHM``).

    Raises:
        CertificateError: a CA with this code already exists.
    """
    algorithm = algorithm or settings.CA_KEY_ALGORITHM
    if CertificateAuthority.objects.filter(slug__in=[slug, f"{slug}-root"]).exists():
        raise CertificateError(f"A CA with the code {slug!r} already exists")
    with transaction.atomic():
        root_key_row = key_create(actor=actor, label=f"{slug}-root", algorithm=algorithm)
        root_key = decrypt_private_key(_blob(root_key_row))
        root_name = SubjectSpec(
            common_name=f"{network_name} Root CA", organization=organization
        ).to_name()
        root_cert = _build(
            subject=root_name,
            public_key=root_key.public_key(),
            profile=CertificateProfile.ROOT_CA,
            issuer_name=root_name,
            issuer_key=root_key,
            issuer_authority=None,
            validity=PROFILES[CertificateProfile.ROOT_CA].validity,
        )
        root_row = _save_certificate(
            root_cert, issuer=None, profile=CertificateProfile.ROOT_CA, key=root_key_row, holder={}
        )
        root = CertificateAuthority(
            slug=f"{slug}-root",
            name=f"{network_name} Root CA",
            certificate=root_row,
            key=root_key_row,
        )
        root.full_clean()
        root.save()
        Certificate.objects.filter(pk=root_row.pk).update(issuer=root)
        TrustAnchor.objects.create(
            name=root.name,
            pem=root_row.pem,
            fingerprint_sha256=root_row.fingerprint_sha256,
            note="created by ca init",
        )

        issuing_key_row = key_create(actor=actor, label=slug, algorithm=algorithm)
        issuing_key = decrypt_private_key(_blob(issuing_key_row))
        issuing_name = SubjectSpec(
            common_name=f"{network_name} Issuing CA", organization=organization
        ).to_name()
        issuing_cert = _build(
            subject=issuing_name,
            public_key=issuing_key.public_key(),
            profile=CertificateProfile.ISSUING_CA,
            issuer_name=root_name,
            issuer_key=root_key,
            issuer_authority=root,
            validity=PROFILES[CertificateProfile.ISSUING_CA].validity,
        )
        issuing_row = _save_certificate(
            issuing_cert,
            issuer=root,
            profile=CertificateProfile.ISSUING_CA,
            key=issuing_key_row,
            holder={},
        )
        issuing = CertificateAuthority(
            slug=slug,
            name=f"{network_name} Issuing CA",
            parent=root,
            certificate=issuing_row,
            key=issuing_key_row,
        )
        issuing.full_clean()
        issuing.save()
        record(actor=actor, verb="ca.init", target=issuing, data={"root": root.slug})

        tsa = certificate_issue(
            actor=actor,
            authority=issuing,
            profile=CertificateProfile.TSA,
            subject=SubjectSpec(
                common_name=f"{network_name} Time Stamping Authority", organization=organization
            ),
        )
        ocsp = certificate_issue(
            actor=actor,
            authority=issuing,
            profile=CertificateProfile.OCSP,
            subject=SubjectSpec(
                common_name=f"{network_name} OCSP Responder", organization=organization
            ),
        )
        local = node_ensure_local(actor=actor)
        node = certificate_issue(
            actor=actor,
            authority=issuing,
            profile=CertificateProfile.NODE_ENVELOPE,
            subject=SubjectSpec(
                common_name=f"{local.name} ({local.code})", organization=organization
            ),
            holder_node=local,
        )
        # CMS key transport needs an RSA key whatever the signing keys are (issue #5).
        encryption_algorithm = (
            settings.KEY_ALGORITHM if settings.KEY_ALGORITHM.startswith("rsa") else "rsa2048"
        )
        certificate_issue(
            actor=actor,
            authority=issuing,
            profile=CertificateProfile.NODE_ENCRYPTION,
            subject=SubjectSpec(
                common_name=f"{local.name} ({local.code})", organization=organization
            ),
            key=key_create(
                actor=actor,
                label=f"{local.code} encryption",
                algorithm=encryption_algorithm,
            ),
            holder_node=local,
        )
        crl_publish(actor=actor, authority=root)
        crl_publish(actor=actor, authority=issuing)
    return CaSet(root=root, issuing=issuing, tsa=tsa, ocsp=ocsp, node=node)


def certificate_issue(
    *,
    actor: Actor,
    authority: CertificateAuthority,
    profile: str,
    subject: SubjectSpec,
    public_key_pem_text: str | None = None,
    key: KeyMaterial | None = None,
    holder_user: Any = None,
    holder_unit: Any = None,
    holder_node: Any = None,
    validity: dt.timedelta | None = None,
    dns_names: tuple[str, ...] = (),
    renewed_from: Certificate | None = None,
) -> Certificate:
    """Issue a certificate from ``authority``.

    The key is, in order: ``key`` (already held by the node, on a token or encrypted),
    a public key sent by the holder (``public_key_pem_text``: the private key stays with
    them, e.g. on a USB token), or a new key generated and stored encrypted.

    Raises:
        CertificateError: the CA cannot issue, the profile is a CA profile, or the
            public key cannot be read.
    """
    if profile in {CertificateProfile.ROOT_CA, CertificateProfile.ISSUING_CA}:
        raise CertificateError("CA certificates are made by `ca init`, not issued")
    if profile not in PROFILES:
        raise CertificateError(f"Unknown certificate profile {profile!r}")
    if not authority.can_issue:
        raise CertificateError(f"{authority.name} cannot issue certificates on this node")
    if not subject.common_name.strip():
        raise CertificateError("A certificate needs a common name")
    with transaction.atomic():
        if key is not None:
            public_key: Any = serialization.load_pem_public_key(key.public_key_pem.encode())
        elif public_key_pem_text:
            try:
                public_key = serialization.load_pem_public_key(public_key_pem_text.encode())
            except ValueError as exc:
                raise CertificateError("The public key is not a PEM public key") from exc
            key = KeyMaterial.objects.create(
                label=subject.common_name,
                storage=KeyStorage.NONE,
                algorithm="external",
                public_key_pem=public_key_pem_text,
            )
        else:
            key = key_create(actor=actor, label=subject.common_name)
            public_key = serialization.load_pem_public_key(key.public_key_pem.encode())
        issuer_key = ca_private_key(authority)
        now = timezone.now()
        wanted = validity or PROFILES[profile].validity
        # A certificate never outlives its CA.
        wanted = min(wanted, authority.certificate.not_after - now)
        cert = _build(
            subject=subject.to_name(),
            public_key=public_key,
            profile=profile,
            issuer_name=authority.certificate.x509().subject,
            issuer_key=issuer_key,
            issuer_authority=authority,
            validity=wanted,
            dns_names=dns_names,
        )
        row = _save_certificate(
            cert,
            issuer=authority,
            profile=profile,
            key=key,
            holder={
                "holder_user": holder_user,
                "holder_unit": holder_unit,
                "holder_node": holder_node,
            },
            renewed_from=renewed_from,
        )
        record(
            actor=actor,
            verb="certificate.issue",
            target=row,
            data={"profile": profile, "serial": row.serial_number, "issuer": authority.slug},
        )
        return row


def certificate_renew(
    *, actor: Actor, certificate: Certificate, new_key: bool = False
) -> Certificate:
    """Issue a successor with the same subject and holder (same key unless ``new_key``).

    Raises:
        CertificateError: the certificate is revoked or its CA cannot issue.
    """
    if certificate.revoked_at is not None:
        raise CertificateError("A revoked certificate cannot be renewed; issue a new one")
    if certificate.issuer is None:
        raise CertificateError("This certificate was not issued by a CA of this node")
    cert = certificate.x509()
    name = cert.subject
    subject = SubjectSpec(
        common_name=certificate.common_name,
        organization=_attr(name, NameOID.ORGANIZATION_NAME),
        organizational_unit=_attr(name, NameOID.ORGANIZATIONAL_UNIT_NAME),
        locality=_attr(name, NameOID.LOCALITY_NAME),
        country=_attr(name, NameOID.COUNTRY_NAME) or "VN",
        email=_attr(name, NameOID.EMAIL_ADDRESS),
    )
    return certificate_issue(
        actor=actor,
        authority=certificate.issuer,
        profile=certificate.profile,
        subject=subject,
        key=None if new_key else certificate.key,
        holder_user=certificate.holder_user,
        holder_unit=certificate.holder_unit,
        holder_node=certificate.holder_node,
        renewed_from=certificate,
    )


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_revoke(
    *,
    actor: Actor,
    certificate: Certificate,
    reason: str = RevocationReason.UNSPECIFIED,
) -> Certificate:
    """Revoke a certificate now and publish a new CRL at once.

    Raises:
        CertificateError: already revoked, not issued here, or an unknown reason.
    """
    if reason not in _REASON_FLAGS:
        raise CertificateError(f"Unknown revocation reason {reason!r}")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise CertificateError("This certificate is already revoked")
        if locked.issuer is None or not locked.issuer.can_issue:
            raise CertificateError("Only the CA that issued a certificate can revoke it")
        locked.revoked_at = timezone.now()
        locked.revocation_reason = reason
        locked.save(update_fields=["revoked_at", "revocation_reason", "updated_at"])
        record(
            actor=actor,
            verb="certificate.revoke",
            target=locked,
            data={"serial": locked.serial_number, "reason": reason},
        )
        crl_publish(actor=actor, authority=locked.issuer)
    return locked


def crl_publish(*, actor: Actor, authority: CertificateAuthority) -> RevocationList:
    """Sign and store a new CRL of ``authority`` listing every certificate it revoked."""
    with transaction.atomic():
        locked = CertificateAuthority.objects.select_for_update().get(pk=authority.pk)
        issuer_key = ca_private_key(locked)
        now = timezone.now()
        number = locked.crl_number + 1
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(locked.certificate.x509().subject)
            .last_update(now - _BACKDATE)
            .next_update(now + dt.timedelta(hours=locked.crl_validity_hours))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        revoked = list(
            Certificate.objects.filter(issuer=locked, revoked_at__isnull=False).order_by(
                "revoked_at"
            )
        )
        for cert in revoked:
            assert cert.revoked_at is not None
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(int(cert.serial_number, 16))
                .revocation_date(cert.revoked_at)
            )
            reason = cert.revocation_reason or RevocationReason.UNSPECIFIED
            if reason != RevocationReason.UNSPECIFIED:
                entry = entry.add_extension(x509.CRLReason(_REASON_FLAGS[reason]), critical=False)
            builder = builder.add_revoked_certificate(entry.build())
        crl = builder.sign(issuer_key, hashes.SHA256())
        row = RevocationList.objects.create(
            authority=locked,
            number=number,
            this_update=crl.last_update_utc,
            next_update=crl.next_update_utc or now,
            der=crl.public_bytes(serialization.Encoding.DER),
            entries=len(revoked),
        )
        locked.crl_number = number
        locked.save(update_fields=["crl_number", "updated_at"])
        record(
            actor=actor,
            verb="crl.publish",
            target=locked,
            data={"number": number, "entries": len(revoked)},
        )
        return row


def anchor_import(*, actor: Actor, name: str, pem: str, note: str = "") -> TrustAnchor:
    """Trust a root certificate from elsewhere (the national specialised CA, a partner).

    Raises:
        CertificateError: not a PEM certificate, not a CA, or already trusted.
    """
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateError("The file is not a PEM certificate") from exc
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise CertificateError("A trust anchor must be a CA certificate")
    fingerprint = _fingerprint(cert)
    if TrustAnchor.objects.filter(fingerprint_sha256=fingerprint).exists():
        raise CertificateError("This certificate is already a trust anchor")
    with transaction.atomic():
        anchor = TrustAnchor.objects.create(
            name=name.strip() or cert.subject.rfc4514_string(),
            pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            fingerprint_sha256=fingerprint,
            note=note,
        )
        record(actor=actor, verb="anchor.import", target=anchor, data={"sha256": fingerprint})
    return anchor
