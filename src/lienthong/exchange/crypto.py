"""End-to-end encryption of attachments between nodes (issue #5 scope 3).

An attachment sent to another node is a CMS EnvelopedData (RFC 5652, AES-256 content
key transported with the recipient node's RSA encryption certificate), built and opened
by ``cryptography``; a relay or a TLS-terminating proxy sees only ciphertext. The edXML
signature covers the ciphertext, so a changed byte is caught before decryption.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.org.models import Node
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.keys import decrypt_private_key
from lienthong.trust.models import Certificate

__all__ = [
    "ENCRYPTED_TYPE",
    "DecryptError",
    "decrypt",
    "encrypt_for",
    "encryption_certificate_pem",
]

#: The content type of an encrypted attachment (RFC 8551).
ENCRYPTED_TYPE = "application/pkcs7-mime"


class DecryptError(Exception):
    """An attachment cannot be opened with any of this node's encryption keys."""


def _local_certificates() -> list[Certificate]:
    query: Any = Certificate.objects.all()
    return list(
        query.valid_at()
        .filter(
            profile=CertificateProfile.NODE_ENCRYPTION,
            holder_node__is_local=True,
            key__storage=KeyStorage.ENCRYPTED,
        )
        .select_related("key")
        .order_by("-not_before")
    )


def encryption_certificate_pem(node: Node) -> str:
    """The PEM certificate to encrypt to ``node`` ("" when none is known)."""
    if node.is_local:
        current = _local_certificates()
        return str(current[0].pem) if current else ""
    peer = getattr(node, "peer", None)
    return str(peer.encryption_certificate) if peer is not None else ""


def encrypt_for(node: Node, data: bytes) -> bytes:
    """Encrypt ``data`` to ``node`` (CMS EnvelopedData, DER).

    Raises:
        InvalidInput: the directory gives no usable encryption certificate for the node.
    """
    pem = encryption_certificate_pem(node)
    if not pem:
        raise InvalidInput(
            _("Node %(node)s has no encryption certificate in the directory.") % {"node": node}
        )
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
        return (
            pkcs7.PKCS7EnvelopeBuilder()
            .set_data(data)
            .set_content_encryption_algorithm(algorithms.AES256)
            .add_recipient(certificate)
            # Binary: the content is bytes, never S/MIME text (no CRLF conversion).
            .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
        )
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            _("The encryption certificate of node %(node)s cannot be used: %(error)s")
            % {"node": node, "error": exc}
        ) from exc


def decrypt(data: bytes) -> bytes:
    """Open an attachment encrypted to this node (any current or older key).

    Raises:
        DecryptError: none of this node's encryption keys opens it.
    """
    last_error = "this node has no encryption key"
    for row in _local_certificates():
        if row.key is None or row.key.encrypted_pkcs8 is None:
            continue
        try:
            key = decrypt_private_key(bytes(row.key.encrypted_pkcs8))
            return pkcs7.pkcs7_decrypt_der(data, row.x509(), key, [])  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyUnavailable) as exc:
            last_error = str(exc) or exc.__class__.__name__
    raise DecryptError(last_error)
