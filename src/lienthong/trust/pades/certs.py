"""Validate a certificate on its own (not inside a PDF): chain, validity, revocation.

Used for node certificates (the exchange verifies the certificate that signed an
envelope, issue #5). pyhanko-certvalidator does the path building and the revocation
checks, with the node's own CRLs and cached answers; nothing is fetched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.sign.validation.generic_cms import async_validate_cms_signature
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from lienthong.trust.pades.context import asn1_cert, local_revocation_data, validation_context

__all__ = [
    "CertificateCheck",
    "CmsCheck",
    "certificate_validate",
    "cms_certificates",
    "cms_verify",
]


@dataclass(frozen=True)
class CertificateCheck:
    """The outcome: ``ok`` or not, and a one-line reason when not."""

    ok: bool
    reason: str = ""
    revoked: bool = False


def certificate_validate(
    *,
    certificate: bytes | str,
    intermediates: Sequence[bytes | str] = (),
    trust_anchor_pems: Sequence[str],
    key_usage: frozenset[str] = frozenset({"digital_signature"}),
    moment: dt.datetime | None = None,
) -> CertificateCheck:
    """Validate ``certificate`` (DER or PEM) up to one of ``trust_anchor_pems``.

    Revocation is "hard-fail": a certificate whose status cannot be established from
    the node's CRLs and cached OCSP answers is refused, as is a revoked one.

    Args:
        certificate: the end-entity certificate.
        intermediates: other certificates that may complete the path.
        trust_anchor_pems: the roots to trust.
        key_usage: the key usages the certificate must allow.
        moment: the time of validation (now by default).
    """
    if not trust_anchor_pems:
        return CertificateCheck(ok=False, reason="no trust anchor is configured on this node")
    try:
        end_entity = asn1_cert(certificate)
        others = [asn1_cert(item) for item in intermediates]
        roots = [asn1_cert(pem) for pem in trust_anchor_pems]
    except (ValueError, TypeError) as exc:
        return CertificateCheck(ok=False, reason=f"unreadable certificate: {exc}")
    context = validation_context(
        trust_roots=roots,
        other_certs=others,
        revocation=local_revocation_data(),
        revocation_mode="hard-fail",
        moment=moment,
    )
    validator = CertificateValidator(end_entity, others, validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set(key_usage)))
    except RevokedError as exc:
        return CertificateCheck(ok=False, reason=f"the certificate is revoked: {exc}", revoked=True)
    except PathBuildingError as exc:
        return CertificateCheck(
            ok=False, reason=f"the certificate does not chain to a trusted root: {exc}"
        )
    except (InvalidCertificateError, PathValidationError) as exc:
        return CertificateCheck(ok=False, reason=f"the certificate is not valid: {exc}")
    return CertificateCheck(ok=True)


@dataclass(frozen=True)
class CmsCheck:
    """A CMS SignedData checked: ``ok``, the content it carries and who signed it."""

    ok: bool
    reason: str = ""
    content: bytes | None = None
    signer_der: bytes | None = None


def cms_certificates(data: bytes) -> list[bytes]:
    """The certificates a CMS SignedData carries (DER); [] when it cannot be read."""
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            return []
        return [c.chosen.dump() for c in info["content"]["certificates"] or []]
    except (ValueError, TypeError, KeyError):
        return []


def cms_verify(*, data: bytes, trust_anchor_pems: Sequence[str]) -> CmsCheck:
    """Verify a CMS SignedData with attached content (DER): integrity, chain, revocation.

    The chain may be completed by certificates carried in the CMS itself. pyHanko's
    generic CMS validator does the work; nothing is fetched.
    """
    if not trust_anchor_pems:
        return CmsCheck(ok=False, reason="no trust anchor is configured on this node")
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            return CmsCheck(ok=False, reason="not a CMS SignedData")
        signed = info["content"]
        content = signed["encap_content_info"]["content"].native
        carried = [c.chosen for c in signed["certificates"] or []]
        roots = [asn1_cert(pem) for pem in trust_anchor_pems]
    except (ValueError, TypeError, KeyError) as exc:
        return CmsCheck(ok=False, reason=f"unreadable signed data: {exc}")
    if not isinstance(content, bytes):
        return CmsCheck(ok=False, reason="the signed data carries no content")
    context = validation_context(
        trust_roots=roots,
        other_certs=carried,
        revocation=local_revocation_data(),
        revocation_mode="hard-fail",
    )
    try:
        status = asyncio.run(async_validate_cms_signature(signed, validation_context=context))
    except Exception as exc:
        return CmsCheck(ok=False, reason=f"the signature cannot be checked: {exc}")
    signer = status.signing_cert.dump() if status.signing_cert is not None else None
    if not status.intact or not status.valid:
        return CmsCheck(
            ok=False, reason="the signature does not match the content", signer_der=signer
        )
    if not status.trusted:
        return CmsCheck(
            ok=False,
            reason="the signer's certificate does not chain to a trusted root or is revoked",
            signer_der=signer,
        )
    return CmsCheck(ok=True, content=content, signer_der=signer)
