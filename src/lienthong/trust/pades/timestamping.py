"""The node's RFC 3161 timestamp authority, built on pyHanko's CMS building blocks.

The HTTP endpoint (``lienthong.trust.pki_views``), the audit anchoring and the PAdES
signer all go through ``timestamp_response`` or a loaded ``TsaSigner``, so a token made
in process is the same as one fetched over HTTP (issue #3, scope 2). The structures are
asn1crypto's; the signed attributes, the ESS signing-certificate-v2 and the raw
signature come from pyHanko (``pyhanko.sign.general``, ``SimpleSigner``): nothing here
encodes ASN.1 by hand.

A ``TsaSigner`` holds the decrypted key in memory only for the request it serves; load it
in synchronous code (it reads the database), then it may be used from pyHanko's async
signing flow through ``InProcessTimeStamper``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import algos, cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from pyhanko.sign.general import (
    as_signing_certificate_v2,
    extract_certificate_info,
    extract_signer_info,
    simple_cms_attribute,
)
from pyhanko.sign.signers.pdf_cms import SimpleSigner, select_suitable_signing_md
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import KeyUnavailable, TrustError
from lienthong.trust.keys import PrivateKey, decrypt_private_key
from lienthong.trust.models import Certificate

__all__ = [
    "TSA_POLICY_OID",
    "InProcessTimeStamper",
    "TokenInfo",
    "TsaSigner",
    "load_tsa",
    "make_request",
    "response_status",
    "timestamp_response",
    "token_from_response",
    "verify_token",
]

logger = logging.getLogger(__name__)

#: The policy under which the node stamps (an OID in the UUID arc 2.25, RFC 4122 §4.1
#: / ITU-T X.667: needs no registration). Written into every TSTInfo.
TSA_POLICY_OID = "2.25.216348962512845736470312045297117513925"

#: Digest algorithms accepted in a request's message imprint, with their lengths.
_IMPRINT_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64, "sha3_256": 32, "sha3_512": 64}


class _TimeStampResp(core.Sequence):
    """``TimeStampResp`` with the token optional, as RFC 3161 §2.4.2 has it (asn1crypto
    marks it mandatory, which makes a rejection impossible to encode)."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class _Rejected(Exception):
    def __init__(self, fail_info: str, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


def _rejection(fail_info: str, text: str) -> bytes:
    return _TimeStampResp(
        {
            "status": tsp.PKIStatusInfo(
                {
                    "status": "rejection",
                    "status_string": [text],
                    "fail_info": tsp.PKIFailureInfo({fail_info}),
                }
            )
        }
    ).dump()


@dataclass(frozen=True)
class TsaSigner:
    """The TSA certificate, its chain and its key, loaded for use (see ``load_tsa``)."""

    certificate: asn1_x509.Certificate
    """The TSA certificate (profile ``tsa``, extended key usage timeStamping, critical)."""
    chain: tuple[asn1_x509.Certificate, ...]
    """The issuing CA and the root above it, embedded when the request asks (certReq)."""
    private_key: PrivateKey
    """The TSA's private key (decrypted; never written anywhere)."""

    def _signer(self) -> SimpleSigner:
        der = self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return SimpleSigner(
            signing_cert=self.certificate,
            signing_key=keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs(self.chain),
        )

    def respond(self, request_der: bytes, *, now: dt.datetime | None = None) -> bytes:
        """Answer one DER ``TimeStampReq`` with a DER ``TimeStampResp``.

        A request that cannot be served gets a ``rejection`` status with the RFC 3161
        failure bit (badRequest, badAlg, unacceptedPolicy, unacceptedExtension), never an
        exception.

        Args:
            request_der: the body of an ``application/timestamp-query`` request.
            now: the time to stamp (the current time by default; tests may fix it).

        Returns:
            The body of the ``application/timestamp-reply``.
        """
        try:
            request = _parse_request(request_der)
        except _Rejected as rejected:
            logger.info("tsa: rejected a request: %s", rejected.text)
            return _rejection(rejected.fail_info, rejected.text)
        token = self._token(request, now or timezone.now())
        status = tsp.PKIStatusInfo({"status": "granted"})
        logger.info("tsa: granted a timestamp")
        return _TimeStampResp({"status": status, "time_stamp_token": token}).dump()

    def _token(self, request: tsp.TimeStampReq, now: dt.datetime) -> cms.ContentInfo:
        # RFC 3161 §2.4.2: genTime in whole seconds (DER forbids trailing zero fractions).
        gen_time = now.astimezone(dt.UTC).replace(microsecond=0)
        info: dict[str, Any] = {
            "version": "v1",
            "policy": TSA_POLICY_OID,
            "message_imprint": request["message_imprint"],
            "serial_number": x509.random_serial_number(),
            "gen_time": gen_time,
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self.certificate.subject),
        }
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"]
        tst_info = tsp.TSTInfo(info).dump()
        signer = self._signer()
        md = select_suitable_signing_md(self.certificate.public_key)
        digest = hashlib.new(md, tst_info).digest()
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": gen_time})),
                simple_cms_attribute("message_digest", digest),
                # RFC 5816: the ESS signing-certificate-v2 names the TSA certificate.
                simple_cms_attribute(
                    "signing_certificate_v2", as_signing_certificate_v2(self.certificate)
                ),
                simple_cms_attribute(
                    "cms_algorithm_protection",
                    cms.CMSAlgorithmProtection(
                        {
                            "digest_algorithm": algos.DigestAlgorithm({"algorithm": md}),
                            "signature_algorithm": signer.get_signature_mechanism_for_digest(md),
                        }
                    ),
                ),
            ]
        )
        signature = signer.sign_raw(signed_attrs.dump(), md)
        signed_data: dict[str, Any] = {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": md})],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": cms.ParsableOctetString(tst_info),
            },
            "signer_infos": [signer.signer_info(md, signed_attrs, signature)],
        }
        # RFC 3161 §2.4.1: certificates only when the client asked (certReq).
        if request["cert_req"].native:
            signed_data["certificates"] = [self.certificate, *self.chain]
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})


def _parse_request(request_der: bytes) -> tsp.TimeStampReq:
    if not request_der:
        raise _Rejected("bad_request", "empty request")
    try:
        request = tsp.TimeStampReq.load(request_der, strict=True)
        request.native  # noqa: B018 (parses every field now, so errors surface here)
    except (ValueError, TypeError, KeyError) as exc:
        raise _Rejected("bad_data_format", "not a DER TimeStampReq") from exc
    if request["version"].native != "v1":
        raise _Rejected("bad_request", "unsupported request version")
    imprint = request["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in _IMPRINT_LENGTHS:
        raise _Rejected("bad_alg", f"unsupported hash algorithm {algorithm}")
    if len(imprint["hashed_message"].native) != _IMPRINT_LENGTHS[algorithm]:
        raise _Rejected("bad_data_format", "the imprint length does not match its algorithm")
    policy = request["req_policy"].native
    if policy is not None and request["req_policy"].dotted != TSA_POLICY_OID:
        raise _Rejected("unaccepted_policy", "this TSA stamps only under its own policy")
    if request["extensions"].native:
        raise _Rejected("unaccepted_extensions", "this TSA accepts no request extensions")
    return request


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def load_tsa(*, when: dt.datetime | None = None) -> TsaSigner:
    """The node's TSA: the latest valid certificate of profile ``tsa`` whose key the node
    holds, with its chain.

    Raises:
        KeyUnavailable: no valid TSA certificate with a usable key on this node.
    """
    row = (
        Certificate.objects.valid_at(when)
        .filter(profile=CertificateProfile.TSA, key__storage=KeyStorage.ENCRYPTED)
        .select_related("key", "issuer__certificate")
        .order_by("-not_before", "-pk")
        .first()
    )
    if row is None or row.key is None or row.key.encrypted_pkcs8 is None:
        raise KeyUnavailable("This node has no valid TSA certificate (run `lienthong ca init`)")
    chain: list[asn1_x509.Certificate] = []
    authority = row.issuer
    while authority is not None:
        chain.append(_to_asn1(authority.certificate.x509()))
        authority = authority.parent
    return TsaSigner(
        certificate=_to_asn1(row.x509()),
        chain=tuple(chain),
        private_key=decrypt_private_key(bytes(row.key.encrypted_pkcs8)),
    )


def timestamp_response(request_der: bytes) -> bytes:
    """Answer a DER ``TimeStampReq`` with the node's TSA, in process (no HTTP).

    A node without a TSA answers with a ``rejection`` (systemFailure), so callers only
    ever deal with RFC 3161 responses.

    Args:
        request_der: the DER request (as ``openssl ts -query`` writes it).

    Returns:
        The DER ``TimeStampResp``.
    """
    try:
        signer = load_tsa()
    except KeyUnavailable as exc:
        logger.warning("tsa: %s", exc)
        return _rejection("system_failure", "no timestamp authority on this node")
    return signer.respond(request_der)


def make_request(
    digest: bytes, *, algorithm: str = "sha256", nonce: int | None = None, cert_req: bool = True
) -> bytes:
    """Build a DER ``TimeStampReq`` for a digest computed by the caller.

    Args:
        digest: the hash of the data to stamp.
        algorithm: its algorithm (asn1crypto name, e.g. ``sha256``).
        nonce: a random number the answer must repeat (a fresh one when None).
        cert_req: ask the TSA to embed its certificate and chain.
    """
    request: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": algorithm},
            "hashed_message": digest,
        },
        "nonce": nonce if nonce is not None else x509.random_serial_number(),
        "cert_req": cert_req,
    }
    return tsp.TimeStampReq(request).dump()


@dataclass(frozen=True)
class TokenInfo:
    """What a verified timestamp token says."""

    gen_time: dt.datetime
    """When the TSA stamped."""
    hash_algorithm: str
    """The algorithm of the stamped digest."""
    imprint: bytes
    """The stamped digest."""
    serial_number: int
    """The token's serial number."""
    signer_der: bytes
    """The DER certificate of the TSA that signed it."""


def response_status(response_der: bytes) -> tuple[str, frozenset[str]]:
    """The status of a DER ``TimeStampResp`` and its failure bits.

    Returns:
        ``("granted", frozenset())``, or e.g. ``("rejection", frozenset({"bad_alg"}))``.

    Raises:
        TrustError: the bytes are not a timestamp response.
    """
    try:
        status = _TimeStampResp.load(response_der)["status"]
        return status["status"].native, frozenset(status["fail_info"].native or ())
    except (ValueError, TypeError, KeyError) as exc:
        raise TrustError("Not a timestamp response") from exc


def token_from_response(response_der: bytes) -> bytes:
    """The DER token (``ContentInfo``) of a granted ``TimeStampResp``.

    Raises:
        TrustError: the response is not readable or the TSA did not grant it.
    """
    try:
        response = _TimeStampResp.load(response_der)
        status = response["status"]["status"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TrustError("Not a timestamp response") from exc
    if status not in {"granted", "granted_with_mods"}:
        text = response["status"]["status_string"].native or []
        raise TrustError(f"The TSA refused: {status} {' '.join(text)}".strip())
    return bytes(response["time_stamp_token"].dump())


def verify_token(
    token_der: bytes, *, extra_certs: Sequence[bytes] = (), imprint: bytes | None = None
) -> TokenInfo:
    """Check a token's CMS signature and content (not the trust in its signer).

    The signer certificate comes from the token or from ``extra_certs`` (for tokens made
    without certReq); the caller decides whether that certificate is trusted.

    Args:
        token_der: the DER ``ContentInfo`` of the token.
        extra_certs: DER certificates to look for the signer in.
        imprint: when given, the stamped digest must equal it.

    Raises:
        TrustError: unreadable, the signature or the message digest does not hold, the
            signer certificate is missing, or the imprint differs.
    """
    try:
        content = cms.ContentInfo.load(token_der)
        signed_data = content["content"]
        if content["content_type"].native != "signed_data":
            raise TrustError("The token is not CMS SignedData")
        encap = signed_data["encap_content_info"]
        tst_bytes = bytes(encap["content"].contents)
        tst_info = tsp.TSTInfo.load(tst_bytes)
        signer_info = extract_signer_info(signed_data)
        certs = extract_certificate_info(signed_data)
    except (ValueError, TypeError, KeyError) as exc:
        raise TrustError(f"The token cannot be read: {exc}") from exc
    candidates = [certs.signer_cert] if certs.signer_cert is not None else []
    candidates += [asn1_x509.Certificate.load(der) for der in extra_certs]
    sid = signer_info["sid"].chosen
    signer_cert = next(
        (
            cert
            for cert in candidates
            if cert is not None
            and cert.issuer == sid["issuer"]
            and cert.serial_number == sid["serial_number"].native
        ),
        None,
    )
    if signer_cert is None:
        raise TrustError("The token's signer certificate is not available")
    md = signer_info["digest_algorithm"]["algorithm"].native
    digest_ok, signature_ok = validate_sig_integrity(
        signer_info, signer_cert, "tst_info", hashlib.new(md, tst_bytes).digest()
    )
    if not (digest_ok and signature_ok):
        raise TrustError("The token's signature does not verify")
    stamped = bytes(tst_info["message_imprint"]["hashed_message"].native)
    if imprint is not None and stamped != imprint:
        raise TrustError("The token stamps another digest")
    return TokenInfo(
        gen_time=tst_info["gen_time"].native,
        hash_algorithm=tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native,
        imprint=stamped,
        serial_number=tst_info["serial_number"].native,
        signer_der=signer_cert.dump(),
    )


class InProcessTimeStamper(TimeStamper):
    """A pyHanko ``TimeStamper`` answered by the node's own TSA without HTTP.

    Build it in synchronous code (``InProcessTimeStamper(load_tsa())``): it does not
    touch the database afterwards, so pyHanko's async signing flow may call it.
    """

    def __init__(self, signer: TsaSigner) -> None:
        super().__init__(include_nonce=True)
        self.signer = signer

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer ``req`` with the in-memory TSA."""
        answer = _TimeStampResp.load(self.signer.respond(req.dump()))
        if answer["status"]["status"].native != "granted":
            raise TrustError("The node's TSA refused the request")
        return tsp.TimeStampResp(
            {"status": answer["status"], "time_stamp_token": answer["time_stamp_token"]}
        )
