"""The node's OCSP responder (RFC 6960), built with ``cryptography.x509.ocsp``.

Answers for one CA of the node: ``good``, ``revoked`` (with time and reason) or
``unknown`` (a serial the CA never issued). The response is signed by the CA's delegated
responder certificate (profile ``ocsp``, extended key usage OCSPSigning, ocsp-nocheck),
or by the CA itself when it has none (the root: ``ca init`` makes a responder only for
the issuing CA). A request that cannot be read gets ``malformedRequest``, never an
exception (issue #3, scope 2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.utils import timezone

from lienthong.trust.choices import CertificateProfile, KeyStorage, RevocationReason
from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.keys import PrivateKey, decrypt_private_key
from lienthong.trust.models import Certificate, CertificateAuthority

__all__ = ["build_request", "ocsp_response", "unsuccessful_response"]

logger = logging.getLogger(__name__)


def unsuccessful_response(status: ocsp.OCSPResponseStatus) -> bytes:
    """A DER OCSP response carrying only an error status (malformedRequest, …)."""
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )


def build_request(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    nonce: bytes | None = None,
    algorithm: hashes.HashAlgorithm | None = None,
) -> bytes:
    """A DER OCSP request for ``cert`` (issued by ``issuer``), with an optional nonce."""
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm or hashes.SHA256())
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class _Responder:
    certificate: x509.Certificate
    key: PrivateKey
    delegated: bool


def _responder(authority: CertificateAuthority) -> _Responder | None:
    row = (
        Certificate.objects.valid_at()
        .filter(
            profile=CertificateProfile.OCSP,
            issuer=authority,
            key__storage=KeyStorage.ENCRYPTED,
        )
        .select_related("key")
        .order_by("-not_before", "-pk")
        .first()
    )
    if row is not None and row.key is not None and row.key.encrypted_pkcs8 is not None:
        return _Responder(
            certificate=row.x509(),
            key=decrypt_private_key(bytes(row.key.encrypted_pkcs8)),
            delegated=True,
        )
    if authority.key is not None and authority.key.encrypted_pkcs8 is not None:
        return _Responder(
            certificate=authority.certificate.x509(),
            key=decrypt_private_key(bytes(authority.key.encrypted_pkcs8)),
            delegated=False,
        )
    return None


def _issuer_hashes(
    issuer: x509.Certificate, algorithm: hashes.HashAlgorithm
) -> tuple[bytes, bytes]:
    # RFC 6960 §4.1.1: hash of the issuer's DN and of its public key bits (not the SPKI).
    spki = asn1_x509.Certificate.load(issuer.public_bytes(serialization.Encoding.DER)).public_key
    name_hash = hashlib.new(algorithm.name, issuer.subject.public_bytes()).digest()
    key_hash = hashlib.new(algorithm.name, bytes(spki["public_key"])).digest()
    return name_hash, key_hash


def ocsp_response(
    request_der: bytes, authority: CertificateAuthority, *, now: dt.datetime | None = None
) -> bytes:
    """Answer a DER OCSP request about a certificate of ``authority``, in process.

    Args:
        request_der: the request (``application/ocsp-request``).
        authority: the CA the request is addressed to.
        now: the time of the answer (now by default).

    Returns:
        A DER OCSP response: a signed ``successful`` one, or ``malformedRequest`` for an
        unreadable request, ``unauthorized`` for a request about another CA or when the
        node cannot sign for this CA.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        serial = request.serial_number
        algorithm = request.hash_algorithm
        name_hash, key_hash = request.issuer_name_hash, request.issuer_key_hash
    except (ValueError, TypeError, NotImplementedError, x509.UnsupportedGeneralNameType):
        logger.info("ocsp %s: malformed request", authority.slug)
        return unsuccessful_response(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    except Exception:  # cryptography raises its own internal errors on odd DER
        logger.info("ocsp %s: unreadable request", authority.slug)
        return unsuccessful_response(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if (name_hash, key_hash) != _issuer_hashes(authority.certificate.x509(), algorithm):
        logger.info("ocsp %s: request about another issuer", authority.slug)
        return unsuccessful_response(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    try:
        responder = _responder(authority)
    except KeyUnavailable:
        responder = None
    if responder is None:
        logger.warning("ocsp %s: no responder key on this node", authority.slug)
        return unsuccessful_response(ocsp.OCSPResponseStatus.UNAUTHORIZED)

    moment = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    row = Certificate.objects.filter(issuer=authority, serial_number=format(serial, "x")).first()
    revocation_time: dt.datetime | None = None
    reason: x509.ReasonFlags | None = None
    if row is None:
        status = ocsp.OCSPCertStatus.UNKNOWN
    elif row.revoked_at is not None and row.revoked_at <= moment + dt.timedelta(seconds=1):
        status = ocsp.OCSPCertStatus.REVOKED
        revocation_time = row.revoked_at.astimezone(dt.UTC).replace(microsecond=0)
        reason = x509.ReasonFlags[row.revocation_reason or RevocationReason.UNSPECIFIED]
    else:
        status = ocsp.OCSPCertStatus.GOOD
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=name_hash,
            issuer_key_hash=key_hash,
            serial_number=serial,
            algorithm=algorithm,
            cert_status=status,
            this_update=moment,
            next_update=moment + dt.timedelta(hours=authority.crl_validity_hours),
            revocation_time=revocation_time,
            revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.certificate)
    )
    if responder.delegated:
        builder = builder.certificates([responder.certificate])
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        nonce = None
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    response = builder.sign(responder.key, hashes.SHA256())
    logger.info("ocsp %s: serial %x is %s", authority.slug, serial, status.name.lower())
    return response.public_bytes(serialization.Encoding.DER)
