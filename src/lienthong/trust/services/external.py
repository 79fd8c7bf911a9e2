"""Registration-authority mode: CAs this node does not run, and the certificates they
issue to people of this network (issue #3, scope 1)."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.db import transaction

from lienthong.audit.services import Actor, record
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import CertificateError
from lienthong.trust.keys import encrypt_private_key, public_key_pem
from lienthong.trust.models import Certificate, CertificateAuthority, KeyMaterial, TrustAnchor
from lienthong.trust.profiles import PROFILES
from lienthong.trust.services.ca import _fingerprint, _save_certificate

__all__ = ["authority_import_external", "certificate_import"]


def _load_pem_bundle(pem: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateError("The file does not hold PEM certificates") from exc
    if not certs:
        raise CertificateError("The file does not hold PEM certificates")
    return certs


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _issuer_authority(cert: x509.Certificate) -> CertificateAuthority | None:
    """The CA row (ours or external) whose certificate issued ``cert``, checked by signature."""
    for authority in CertificateAuthority.objects.select_related("certificate"):
        issuer = authority.certificate.x509()
        if issuer.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return authority
    return None


def authority_import_external(
    *, actor: Actor, pem_bundle: str, name: str = ""
) -> CertificateAuthority:
    """Register a CA this node does not run (registration-authority mode, issue #3 scope 1).

    The bundle holds the CA's chain: its root (self-signed) and any intermediate CAs, in
    any order. Each becomes a ``CertificateAuthority`` without a key, linked to its
    parent; the root also becomes a trust anchor. Certificates that CA issues to people
    of this network (on their USB tokens) are then registered with ``certificate_import``.

    Returns:
        The lowest CA of the bundle (the one that issues end-entity certificates).

    Raises:
        CertificateError: no CA certificate in the bundle, or a chain that does not link.
    """
    certs = [c for c in _load_pem_bundle(pem_bundle) if _is_ca(c)]
    if not certs:
        raise CertificateError("The bundle holds no CA certificate")
    by_subject = {c.subject: c for c in certs}
    roots = [c for c in certs if c.issuer == c.subject]
    if len(roots) != 1:
        raise CertificateError("The bundle must hold exactly one self-signed root CA")
    ordered = [roots[0]]
    while len(ordered) < len(certs):
        children = [c for c in certs if c.issuer == ordered[-1].subject and c not in ordered]
        if len(children) != 1:
            raise CertificateError("The CA certificates of the bundle do not form one chain")
        ordered.append(children[0])
    for child, parent in zip(ordered[1:], ordered, strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise CertificateError("A CA certificate is not signed by the one above it") from exc
    del by_subject
    with transaction.atomic():
        parent_row: CertificateAuthority | None = None
        for index, cert in enumerate(ordered):
            fingerprint = _fingerprint(cert)
            existing = CertificateAuthority.objects.filter(
                certificate__fingerprint_sha256=fingerprint
            ).first()
            if existing is not None:
                parent_row = existing
                continue
            cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            label = str(cn[0].value) if cn else cert.subject.rfc4514_string()
            row = _save_certificate(
                cert,
                issuer=parent_row,
                profile=CertificateProfile.ROOT_CA if index == 0 else CertificateProfile.ISSUING_CA,
                key=None,
                holder={},
            )
            authority = CertificateAuthority(
                slug=f"ext-{fingerprint[:12]}",
                name=(name or label) if index == len(ordered) - 1 else label,
                parent=parent_row,
                certificate=row,
                key=None,
            )
            authority.full_clean()
            authority.save()
            if index == 0:
                Certificate.objects.filter(pk=row.pk).update(issuer=authority)
                if not TrustAnchor.objects.filter(fingerprint_sha256=fingerprint).exists():
                    TrustAnchor.objects.create(
                        name=label,
                        pem=row.pem,
                        fingerprint_sha256=fingerprint,
                        note="imported with an external CA",
                    )
            record(
                actor=actor,
                verb="ca.import",
                target=authority,
                data={"sha256": fingerprint, "external": True},
            )
            parent_row = authority
        assert parent_row is not None
        return parent_row


def certificate_import(
    *,
    actor: Actor,
    pem: str,
    profile: str,
    holder_user: Any = None,
    holder_unit: Any = None,
    token_label: str = "",
    token_key_label: str = "",
    private_key_pem: bytes | None = None,
    private_key_password: bytes | None = None,
) -> Certificate:
    """Register a certificate issued by a CA known to this node (ours or external).

    The private key is, as the holder has it: on a PKCS#11 token (``token_label`` and
    ``token_key_label``: it never leaves the token), or given as a PEM file (a software
    certificate), which is then stored encrypted like the node's own keys.

    Raises:
        CertificateError: not a certificate, a CA certificate, an unknown issuer, already
            registered, a key that does not match, or a CA profile.
    """
    if profile in {CertificateProfile.ROOT_CA, CertificateProfile.ISSUING_CA}:
        raise CertificateError("Import CA certificates with `ca import-ca`")
    if profile not in PROFILES:
        raise CertificateError(f"Unknown certificate profile {profile!r}")
    cert = _load_pem_bundle(pem)[0]
    if _is_ca(cert):
        raise CertificateError("This is a CA certificate; import it with `ca import-ca`")
    if Certificate.objects.filter(fingerprint_sha256=_fingerprint(cert)).exists():
        raise CertificateError("This certificate is already registered")
    authority = _issuer_authority(cert)
    if authority is None:
        raise CertificateError(
            "Its issuer is not a CA known to this node: import the CA's chain first"
        )
    public = (
        cert.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    with transaction.atomic():
        if token_label:
            key = KeyMaterial(
                label=token_key_label or token_label,
                storage=KeyStorage.PKCS11,
                algorithm="token",
                public_key_pem=public,
                token_label=token_label,
                token_key_label=token_key_label,
            )
        elif private_key_pem is not None:
            try:
                private: Any = serialization.load_pem_private_key(
                    private_key_pem, password=private_key_password
                )
            except (ValueError, TypeError) as exc:
                raise CertificateError("The private key cannot be read (password?)") from exc
            if public_key_pem(private) != public:
                raise CertificateError("The private key does not match the certificate")
            key = KeyMaterial(
                label=cert.subject.rfc4514_string()[:200],
                storage=KeyStorage.ENCRYPTED,
                algorithm="imported",
                public_key_pem=public,
                encrypted_pkcs8=encrypt_private_key(private),
            )
        else:
            key = KeyMaterial(
                label=cert.subject.rfc4514_string()[:200],
                storage=KeyStorage.NONE,
                algorithm="external",
                public_key_pem=public,
            )
        key.full_clean(exclude=["encrypted_pkcs8"])
        key.save()
        row = _save_certificate(
            cert,
            issuer=authority,
            profile=profile,
            key=key,
            holder={"holder_user": holder_user, "holder_unit": holder_unit, "holder_node": None},
        )
        record(
            actor=actor,
            verb="certificate.import",
            target=row,
            data={"profile": profile, "issuer": authority.slug, "key": key.storage},
        )
        return row
