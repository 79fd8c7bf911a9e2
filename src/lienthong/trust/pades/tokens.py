"""Keys on PKCS#11 tokens (USB tokens, HSMs; SoftHSM2 in tests) through python-pkcs11.

The private key never leaves the token: it is generated there (sensitive, not
extractable), the node only ever sees its public key, and signatures are computed by the
token. The PIN opens one session and is not kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.exceptions import PKCS11Error
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.pades.specs import TokenKey

__all__ = ["token_generate_key", "token_session", "token_signer"]


def _module(path: str = "") -> str:
    return path or str(settings.PKCS11_MODULE)


@contextmanager
def token_session(token: TokenKey, *, rw: bool = False) -> Iterator[Any]:
    """An open, logged-in session on the token (closed on exit).

    Raises:
        KeyUnavailable: the module cannot be loaded, the token is absent or the PIN
            is wrong.
    """
    try:
        if rw:
            lib = pkcs11.lib(_module(token.module_path))
            session = lib.get_token(token_label=token.token_label).open(rw=True, user_pin=token.pin)
        else:
            session = open_pkcs11_session(
                _module(token.module_path),
                token_criteria=TokenCriteria(label=token.token_label),
                user_pin=token.pin,
            )
    except (PKCS11Error, OSError, RuntimeError) as exc:
        raise KeyUnavailable(
            f"The token {token.token_label!r} cannot be opened (absent, or wrong PIN): "
            f"{type(exc).__name__}"
        ) from exc
    except Exception as exc:  # pyHanko's own errors when no token matches
        raise KeyUnavailable(f"The token {token.token_label!r} cannot be opened: {exc}") from exc
    try:
        yield session
    finally:
        session.close()


def token_signer(
    session: Any,
    *,
    token: TokenKey,
    certificate: asn1_x509.Certificate,
    chain: list[asn1_x509.Certificate],
) -> PKCS11Signer:
    """A pyHanko signer that has the token sign with the key ``token.key_label``."""
    return PKCS11Signer(
        session,
        key_label=token.key_label,
        signing_cert=certificate,
        ca_chain=chain,
        embed_roots=True,
        # Many tokens (SoftHSM2 among them) offer only raw CKM_ECDSA: hash here.
        use_raw_mechanism=certificate.public_key.algorithm == "ec",
    )


def token_generate_key(*, token: TokenKey, algorithm: str = "rsa2048") -> str:
    """Generate a key pair ON the token and return its public key (PEM).

    The private key is made sensitive and not extractable: no one, not even this
    node, can read it back; certificates are then issued for the public key
    (``services.certificate_issue(public_key_pem_text=...)``).

    Args:
        token: the token, the label the key gets and the PIN.
        algorithm: ``rsa2048``, ``rsa3072`` or ``ec-p256``.

    Raises:
        KeyUnavailable: the token cannot be opened or the algorithm is not offered.
    """
    private_template = {
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.SIGN: True,
        Attribute.TOKEN: True,
    }
    with token_session(token, rw=True) as session:
        try:
            if algorithm in {"rsa2048", "rsa3072", "rsa4096"}:
                public, _ = session.generate_keypair(
                    KeyType.RSA,
                    int(algorithm[3:]),
                    label=token.key_label,
                    store=True,
                    private_template=private_template,
                )
                numbers = rsa.RSAPublicNumbers(
                    e=int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
                    n=int.from_bytes(public[Attribute.MODULUS], "big"),
                )
                key: Any = numbers.public_key()
                return key.public_bytes(
                    serialization.Encoding.PEM,
                    serialization.PublicFormat.SubjectPublicKeyInfo,
                ).decode("ascii")
            if algorithm == "ec-p256":
                params = session.create_domain_parameters(
                    KeyType.EC,
                    {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
                    local=True,
                )
                public, _ = params.generate_keypair(
                    label=token.key_label, store=True, private_template=private_template
                )
                der = encode_ec_public_key(public)
                return (
                    serialization.load_der_public_key(der)
                    .public_bytes(
                        serialization.Encoding.PEM,
                        serialization.PublicFormat.SubjectPublicKeyInfo,
                    )
                    .decode("ascii")
                )
        except PKCS11Error as exc:
            raise KeyUnavailable(
                f"The token could not generate the key: {type(exc).__name__}"
            ) from exc
    raise KeyUnavailable(f"Keys of type {algorithm!r} are not made on tokens")


def token_has_private_key(token: TokenKey) -> bool:
    """True when the token holds a private key labelled ``token.key_label``."""
    with token_session(token) as session:
        found = list(
            session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: token.key_label}
            )
        )
    return bool(found)
