"""Certificate profiles: the extensions each kind of certificate carries (RFC 5280).

One function per profile keeps what a seal, a TSA or a node certificate may do in one
readable place; ``services.certificate_issue`` applies them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from lienthong.trust.choices import CertificateProfile

__all__ = ["PROFILES", "ProfileSpec", "extensions_for"]


@dataclass(frozen=True)
class ProfileSpec:
    """Defaults of a profile."""

    validity: dt.timedelta
    """How long a certificate of this profile is valid by default."""
    is_ca: bool = False
    path_length: int | None = None


PROFILES: dict[str, ProfileSpec] = {
    CertificateProfile.ROOT_CA: ProfileSpec(dt.timedelta(days=20 * 365), is_ca=True, path_length=1),
    CertificateProfile.ISSUING_CA: ProfileSpec(
        dt.timedelta(days=10 * 365), is_ca=True, path_length=0
    ),
    CertificateProfile.PERSON_SIGNING: ProfileSpec(dt.timedelta(days=3 * 365)),
    CertificateProfile.UNIT_SEAL: ProfileSpec(dt.timedelta(days=5 * 365)),
    CertificateProfile.NODE_TLS: ProfileSpec(dt.timedelta(days=2 * 365)),
    CertificateProfile.NODE_ENVELOPE: ProfileSpec(dt.timedelta(days=3 * 365)),
    CertificateProfile.NODE_ENCRYPTION: ProfileSpec(dt.timedelta(days=3 * 365)),
    CertificateProfile.TSA: ProfileSpec(dt.timedelta(days=5 * 365)),
    CertificateProfile.OCSP: ProfileSpec(dt.timedelta(days=365)),
}

_SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # non-repudiation: a signature on an official document
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def _usage(
    *, digital_signature: bool = False, key_encipherment: bool = False, ca: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def extensions_for(
    profile: str, *, dns_names: tuple[str, ...] = ()
) -> list[tuple[x509.ExtensionType, bool]]:
    """The profile's own extensions as (extension, critical) pairs.

    Identifiers (SKI, AKI) and the issuer's CRL and OCSP addresses are added by the
    issuing service, which knows the keys and the CA.

    Args:
        profile: a ``CertificateProfile`` value.
        dns_names: host names for a node TLS certificate.
    """
    spec = PROFILES[profile]
    if spec.is_ca:
        return [
            (x509.BasicConstraints(ca=True, path_length=spec.path_length), True),
            (_usage(digital_signature=True, ca=True), True),
        ]
    not_ca = (x509.BasicConstraints(ca=False, path_length=None), True)
    if profile in {
        CertificateProfile.PERSON_SIGNING,
        CertificateProfile.UNIT_SEAL,
        CertificateProfile.NODE_ENVELOPE,
    }:
        return [not_ca, (_SIGNING_USAGE, True)]
    if profile == CertificateProfile.NODE_ENCRYPTION:
        # Key transport only (CMS EnvelopedData to the node, issue #5): never a signature.
        return [not_ca, (_usage(key_encipherment=True), True)]
    if profile == CertificateProfile.TSA:
        # RFC 3161 §2.3: the only extended key usage, and critical.
        return [
            not_ca,
            (_SIGNING_USAGE, True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
        ]
    if profile == CertificateProfile.OCSP:
        return [
            not_ca,
            (_usage(digital_signature=True), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
            (x509.OCSPNoCheck(), False),
        ]
    if profile == CertificateProfile.NODE_TLS:
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            not_ca,
            (_usage(digital_signature=True, key_encipherment=True), True),
            (
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                False,
            ),
        ]
        if dns_names:
            extensions.append(
                (x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), False)
            )
        return extensions
    raise ValueError(f"unknown profile {profile!r}")
