"""Private keys held by the node: generated here, stored as encrypted PKCS#8.

The passphrase is ``settings.KEY_ENCRYPTION_KEY`` (``LIENTHONG_KEY_ENCRYPTION_KEY``), never
the database: a copy of the database alone does not give the keys away. Keys on a
PKCS#11 token never pass through here (``lienthong.trust.tokens``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings

from lienthong.trust.errors import KeyUnavailable

__all__ = [
    "PrivateKey",
    "decrypt_private_key",
    "encrypt_private_key",
    "generate_private_key",
    "public_key_pem",
]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: Algorithms a key may be made with: RSA is what Vietnamese signing CAs issue today;
#: EC P-256 is offered for nodes and tests that want small, fast keys.
ALGORITHMS = ("rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384")


def generate_private_key(algorithm: str) -> PrivateKey:
    """Make a new private key.

    Args:
        algorithm: one of ``ALGORITHMS``.

    Raises:
        KeyUnavailable: an unknown algorithm.
    """
    if algorithm.startswith("rsa") and algorithm[3:] in {"2048", "3072", "4096"}:
        return rsa.generate_private_key(public_exponent=65537, key_size=int(algorithm[3:]))
    if algorithm == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "ec-p384":
        return ec.generate_private_key(ec.SECP384R1())
    raise KeyUnavailable(f"Unknown key algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")


def _passphrase() -> bytes:
    key: str = settings.KEY_ENCRYPTION_KEY
    if not key:
        raise KeyUnavailable("LIENTHONG_KEY_ENCRYPTION_KEY is not set")
    return key.encode("utf-8")


def encrypt_private_key(key: PrivateKey) -> bytes:
    """Serialise ``key`` as PKCS#8 PEM encrypted with the node's key-encryption key."""
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(_passphrase()),
    )


#: Keys opened in this process, by (encrypted blob, passphrase): opening one is
#: deliberately slow (PBKDF2, 60-100 ms), and the node opens the same few keys (its
#: envelope, encryption, seal, OCSP and timestamp keys) for every envelope, status
#: message and OCSP answer. Holding them opened adds no exposure: the process holds the
#: passphrase that opens them anyway. Bounded, and keyed by the passphrase, so a changed
#: LIENTHONG_KEY_ENCRYPTION_KEY is never bypassed.
_OPENED: OrderedDict[tuple[bytes, bytes], PrivateKey] = OrderedDict()
_OPENED_MAX = 64
_OPENED_LOCK = threading.Lock()


def decrypt_private_key(blob: bytes) -> PrivateKey:
    """Load a key written by ``encrypt_private_key`` (opened once per process).

    Raises:
        KeyUnavailable: the blob is damaged or the key-encryption key is wrong.
    """
    cache_key = (bytes(blob), _passphrase())
    with _OPENED_LOCK:
        opened = _OPENED.get(cache_key)
        if opened is not None:
            _OPENED.move_to_end(cache_key)
            return opened
    key = _load(cache_key[0], cache_key[1])
    with _OPENED_LOCK:
        _OPENED[cache_key] = key
        while len(_OPENED) > _OPENED_MAX:
            _OPENED.popitem(last=False)
    return key


def _load(blob: bytes, passphrase: bytes) -> PrivateKey:
    try:
        key: Any = serialization.load_pem_private_key(blob, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise KeyUnavailable(
            "The private key cannot be decrypted: wrong LIENTHONG_KEY_ENCRYPTION_KEY "
            "or damaged key data."
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyUnavailable("Unsupported private key type")
    return key


def public_key_pem(key: PrivateKey) -> str:
    """The SubjectPublicKeyInfo of ``key`` as PEM text."""
    return (
        key.public_key()
        .public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )
