"""The sending node's XMLDSig signature on an envelope (vn-rules.md §3.2), with signxml.

What is signed: the whole document. The one ``Reference`` has ``URI=""`` and the
enveloped-signature transform, exactly as in the platform's samples, so the digest
covers the header *and* ``AttachmentEncoded``: one changed byte anywhere, attachments
included, breaks it. A signature whose reference covers less (an ``#id`` reference) is
reported as unverifiable: lienthong never accepts a partly signed envelope.

Algorithms: RSA-SHA256 for RSA node keys, ECDSA-SHA256 (P-256) or ECDSA-SHA384 (P-384)
for EC keys (trust/keys.py ``generate_private_key``); exclusive c14n. ``xmlsec1
--verify`` accepts what is written here (tested). SHA-1 (the samples' ``rsa-sha1``) is
not accepted: such a signature is unverifiable, never valid.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import verification
from django.utils.translation import gettext_noop
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs
from signxml import SignatureConfiguration, XMLSigner, XMLVerifier
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

from .codes import DS, NS
from .errors import EdxmlError
from .model import SignatureReport

TrustedCertificate = x509.Certificate | bytes

_SIGNATURE_METHODS = frozenset(
    {
        SignatureMethod.RSA_SHA256,
        SignatureMethod.RSA_SHA384,
        SignatureMethod.RSA_SHA512,
        SignatureMethod.ECDSA_SHA256,
        SignatureMethod.ECDSA_SHA384,
        SignatureMethod.ECDSA_SHA512,
    }
)
_DIGESTS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})
_ENVELOPED = SignatureConstructionMethod.enveloped.value
_WHITESPACE = re.compile(r"\s+")


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


# ----------------------------------------------------------------------------- signing


def _as_certificate(value: Any) -> x509.Certificate:
    if isinstance(value, x509.Certificate):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        blob = bytes(value)
        try:
            if blob.lstrip().startswith(b"-----BEGIN"):
                return x509.load_pem_x509_certificate(blob)
            return x509.load_der_x509_certificate(blob)
        except ValueError as exc:
            raise EdxmlError(gettext_noop("A certificate of the chain cannot be read.")) from exc
    raise EdxmlError(gettext_noop("A certificate of the chain cannot be read."))


def _method_for(key: Any) -> SignatureMethod:
    if isinstance(key, rsa.RSAPrivateKey):
        return SignatureMethod.RSA_SHA256
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, ec.SECP384R1):
            return SignatureMethod.ECDSA_SHA384
        if isinstance(key.curve, ec.SECP256R1):
            return SignatureMethod.ECDSA_SHA256
    raise EdxmlError(
        gettext_noop("Envelopes are signed with RSA or EC P-256/P-384 keys, not %(kind)s."),
        kind=type(key).__name__,
    )


def _public_der(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def sign(root: etree._Element, *, key: Any, chain: Sequence[Any]) -> etree._Element:
    """Sign a built envelope in place of its ``ds:Signature Id="placeholder"`` element.

    Args:
        root: the ``edXML`` root, holding exactly one placeholder.
        key: the node's private key (RSA or EC).
        chain: its certificate first, then the issuing CAs.

    Returns:
        The signed root (a new tree).

    Raises:
        EdxmlError: no certificate, a certificate that does not belong to the key, or an
            unsupported key.
    """
    certificates = [_as_certificate(item) for item in chain]
    if not certificates:
        raise EdxmlError(gettext_noop("A signing key needs its certificate (signing_chain)."))
    method = _method_for(key)
    if _public_der(certificates[0].public_key()) != _public_der(key.public_key()):
        raise EdxmlError(
            gettext_noop("The first certificate of signing_chain is not the signing key's.")
        )
    digest = (
        DigestAlgorithm.SHA384 if method is SignatureMethod.ECDSA_SHA384 else DigestAlgorithm.SHA256
    )
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=method,
        digest_algorithm=digest,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = signer.sign(root, key=key, cert=certificates)
    return signed


def placeholder() -> etree._Element:
    """The element signxml replaces by the signature (where §3.2 puts it)."""
    return etree.Element(_ds("Signature"), {"Id": "placeholder"}, nsmap={"ds": DS})


# ----------------------------------------------------------------------------- verifying


def _report(
    state: Any, template: str, certificate: bytes | None = None, **params: Any
) -> SignatureReport:
    return SignatureReport(
        state=state, reason=str(EdxmlError(template, **params)), certificate_der=certificate
    )


def _certificates(signature: etree._Element) -> list[x509.Certificate] | SignatureReport:
    texts = [
        element.text or ""
        for element in signature.iterfind(
            f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}"
        )
    ]
    if not texts:
        return _report("unverifiable", gettext_noop("The signature carries no X.509 certificate."))
    certificates = []
    for index, text in enumerate(texts, start=1):
        try:
            der = base64.b64decode(_WHITESPACE.sub("", text), validate=True)
            certificates.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, ValueError):
            return _report(
                "unverifiable",
                gettext_noop("Certificate %(index)s of the signature is truncated or unreadable."),
                index=index,
            )
    return certificates


def _check_form(signature: etree._Element) -> SignatureReport | None:
    """Refuse (as unverifiable) what lienthong does not accept before any math."""
    method = signature.find(f"{_ds('SignedInfo')}/{_ds('SignatureMethod')}")
    algorithm = method.get("Algorithm", "") if method is not None else ""
    try:
        accepted = SignatureMethod(algorithm) in _SIGNATURE_METHODS
    except ValueError:
        accepted = False
    if not accepted:
        return _report(
            "unverifiable",
            gettext_noop("The signature algorithm %(algorithm)s is not accepted."),
            algorithm=algorithm.rsplit("#", 1)[-1] or "?",
        )
    references = signature.findall(f"{_ds('SignedInfo')}/{_ds('Reference')}")
    if len(references) != 1:
        return _report(
            "unverifiable",
            gettext_noop("The signature has %(count)s references, not one."),
            count=len(references),
        )
    reference = references[0]
    transforms = [
        element.get("Algorithm", "")
        for element in reference.iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")
    ]
    if reference.get("URI") != "" or _ENVELOPED not in transforms:
        return _report(
            "unverifiable",
            gettext_noop(
                "The signature does not cover the whole envelope (an enveloped "
                'signature with URI="" is required).'
            ),
        )
    digest = reference.find(_ds("DigestMethod"))
    digest_algorithm = digest.get("Algorithm", "") if digest is not None else ""
    try:
        accepted = DigestAlgorithm(digest_algorithm) in _DIGESTS
    except ValueError:
        accepted = False
    if not accepted:
        return _report(
            "unverifiable",
            gettext_noop("The digest algorithm %(algorithm)s is not accepted."),
            algorithm=digest_algorithm.rsplit("#", 1)[-1] or "?",
        )
    return None


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def _leaf_first(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """The likely signer first: X509Data implies no order (XMLDSig §4.5.4), so end-entity
    certificates that issued none of the others come before CAs."""
    issuers = {c.issuer.public_bytes() for c in certificates if c.issuer != c.subject}
    return sorted(certificates, key=lambda c: (_is_ca(c), c.subject.public_bytes() in issuers))


def _fitting(
    certificates: list[x509.Certificate], signature: etree._Element
) -> list[x509.Certificate]:
    """The certificates whose key type fits the signature method (RSA or ECDSA)."""
    method = signature.find(f"{_ds('SignedInfo')}/{_ds('SignatureMethod')}")
    wanted: type = (
        ec.EllipticCurvePublicKey
        if "ecdsa" in (method.get("Algorithm", "") if method is not None else "")
        else rsa.RSAPublicKey
    )
    return [c for c in certificates if isinstance(c.public_key(), wanted)]


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def verify_tree(
    root: etree._Element, *, trusted: Sequence[TrustedCertificate] | None = None
) -> tuple[SignatureReport, etree._Element | None]:
    """Check the signature of a parsed envelope.

    Returns:
        The report, and when it is valid the element signxml verified (the document
        exactly as signed, re-parsed from its canonical form), else None.
    """
    signatures = root.findall(f".//{_ds('Signature')}")
    if not signatures:
        if root.find(f".//{{{NS}}}Signature") is not None:
            # The platform's samples: <Signature> without the XMLDSig namespace.
            return _report(
                "unverifiable",
                gettext_noop(
                    "The Signature element is not in the XMLDSig namespace: it cannot be verified."
                ),
            ), None
        return _report("absent", gettext_noop("The envelope is not signed.")), None
    if len(signatures) > 1:
        return _report(
            "unverifiable",
            gettext_noop("The envelope holds %(count)s signatures, not one."),
            count=len(signatures),
        ), None
    signature = signatures[0]
    certificates = _certificates(signature)
    refused = _check_form(signature)
    if refused is not None:
        if not isinstance(certificates, SignatureReport):
            # Say who signed, even when the signature cannot be checked.
            refused = replace(refused, certificate_der=_der(_leaf_first(certificates)[0]))
        return refused, None
    if isinstance(certificates, SignatureReport):
        return certificates, None

    config_base: dict[str, Any] = {
        "require_x509": True,
        "location": ".//",
        "expect_references": 1,
        "signature_methods": _SIGNATURE_METHODS,
        "digest_algorithms": _DIGESTS,
    }
    ordered = _leaf_first(certificates)
    mismatch = _report(
        "invalid",
        gettext_noop("The signature value does not match the certificate's key."),
        _der(ordered[0]),
    )
    for candidate in _fitting(ordered, signature):
        der = _der(candidate)
        # The math does not depend on the time: check it inside the certificate's own
        # validity; whether it is valid *now* is the trust check below.
        config = SignatureConfiguration(
            **config_base, verification_time=candidate.not_valid_before_utc
        )
        try:
            result = XMLVerifier().verify(root, x509_cert=candidate, expect_config=config)
        except InvalidDigest:
            return _report(
                "invalid",
                gettext_noop("The envelope was changed after signing (digest mismatch)."),
                der,
            ), None
        except InvalidSignature:
            continue  # perhaps another certificate of X509Data is the signer's
        except (InvalidCertificate, InvalidInput) as exc:
            return _report(
                "unverifiable",
                gettext_noop("The signature cannot be checked: %(error)s"),
                der,
                error=str(exc)[:200],
            ), None
        except Exception as exc:
            return _report(
                "unverifiable",
                gettext_noop("The signature cannot be checked: %(error)s"),
                der,
                error=f"{type(exc).__name__}: {str(exc)[:200]}",
            ), None
        verified = result.signed_xml if not isinstance(result, list) else None
        if verified is None:
            return _report(
                "unverifiable", gettext_noop("The signed content could not be read back."), der
            ), None
        if trusted is not None:
            problem = _trust_problem(candidate, certificates, trusted)
            if problem is not None:
                return _report(
                    "invalid",
                    gettext_noop("The signer's certificate is not trusted: %(error)s"),
                    der,
                    error=problem,
                ), None
            return replace(
                _report(
                    "valid",
                    gettext_noop("Signed by %(subject)s, whose certificate is trusted."),
                    der,
                    subject=candidate.subject.rfc4514_string(),
                ),
                chain_der=_others(certificates, candidate),
            ), verified
        return replace(
            _report(
                "valid",
                gettext_noop("Signed by %(subject)s (the certificate chain was not checked)."),
                der,
                subject=candidate.subject.rfc4514_string(),
            ),
            chain_der=_others(certificates, candidate),
        ), verified
    return mismatch, None


def _others(certificates: list[x509.Certificate], signer: x509.Certificate) -> tuple[bytes, ...]:
    """The DER of the carried certificates other than the signer's."""
    return tuple(_der(c) for c in certificates if c != signer)


def _trust_problem(
    leaf: x509.Certificate,
    certificates: list[x509.Certificate],
    trusted: Sequence[TrustedCertificate],
) -> str | None:
    """None when ``leaf`` is, or chains to, one of ``trusted`` now; else why not."""
    try:
        anchors = [_as_certificate(item) for item in trusted]
    except EdxmlError as exc:
        return str(exc)
    if not anchors:
        return "no trusted certificate was given"
    now = dt.datetime.now(dt.UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        return (
            f"it is not valid now (valid {leaf.not_valid_before_utc:%Y-%m-%d} "
            f"to {leaf.not_valid_after_utc:%Y-%m-%d})"
        )
    if _der(leaf) in {_der(anchor) for anchor in anchors}:
        return None
    builder = (
        verification.PolicyBuilder()
        .store(verification.Store(anchors))
        .time(now)
        .extension_policies(
            # Node certificates carry no extended key usage; CAs must still be CAs.
            ee_policy=verification.ExtensionPolicy.permit_all(),
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
        )
    )
    intermediates = [c for c in certificates if c is not leaf]
    try:
        builder.build_client_verifier().verify(leaf, intermediates)
    except verification.VerificationError as exc:
        return str(exc)[:200]
    except ValueError as exc:
        return str(exc)[:200]
    return None


def verify_signature(
    data: bytes, *, trusted: Sequence[TrustedCertificate] | None = None
) -> SignatureReport:
    """Check the XMLDSig signature of an envelope; never raises.

    Args:
        data: the envelope's bytes (stray junk before the XML is skipped, as by ``parse``).
        trusted: certificates (``x509.Certificate`` or DER/PEM bytes) the signer must be,
            or chain to, now; None checks the mathematics only.

    Returns:
        ``absent`` (no signature), ``invalid`` (a changed byte, a signature by another
        key, an untrusted signer), ``unverifiable`` (certificate missing, truncated or
        unreadable, unsupported algorithm, unreadable input) or ``valid``.
    """
    from .xmlload import load

    try:
        root = load(data)
    except EdxmlError as exc:
        return SignatureReport(state="unverifiable", reason=str(exc))
    return check_tree(root, trusted=trusted)[0]


def check_tree(
    root: etree._Element, *, trusted: Sequence[TrustedCertificate] | None = None
) -> tuple[SignatureReport, etree._Element | None]:
    """``verify_tree``, with any unexpected error turned into an unverifiable report."""
    try:
        return verify_tree(root, trusted=trusted)
    except Exception as exc:  # never an exception out of here (the caller answers 02)
        return _report(
            "unverifiable",
            gettext_noop("The signature cannot be checked: %(error)s"),
            error=f"{type(exc).__name__}: {str(exc)[:200]}",
        ), None
