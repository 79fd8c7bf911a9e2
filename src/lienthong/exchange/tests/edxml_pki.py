"""A throw-away PKI for the edXML signature tests, made with ``cryptography`` alone.

No database: a CA (EC P-256, as lienthong's own), node certificates with RSA or EC keys
issued by it, and a foreign CA with a node of its own. Certificates are made once per
test session (key generation is the slow part).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "edxml"


@dataclass(frozen=True)
class Party:
    """A key and its certificate chain (leaf first)."""

    key: Any
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]


@dataclass(frozen=True)
class Pki:
    """A CA with two nodes (RSA, EC) and a foreign CA with one node."""

    ca: Party
    rsa_node: Party
    ec_node: Party
    foreign_ca: Party
    foreign_node: Party

    def pem(self, certificate: x509.Certificate) -> bytes:
        return certificate.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    common_name: str,
    key: Any,
    *,
    issuer: Party | None = None,
    ca: bool = False,
    days: int = 365,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer_key = issuer.key if issuer is not None else key
    issuer_name = issuer.certificate.subject if issuer is not None else _name(common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _ca(common_name: str) -> Party:
    key = ec.generate_private_key(ec.SECP256R1())
    return Party(key=key, chain=(_certificate(common_name, key, ca=True, days=3650),))


def _node(common_name: str, key: Any, ca: Party) -> Party:
    return Party(key=key, chain=(_certificate(common_name, key, issuer=ca), *ca.chain))


@functools.cache
def make_pki() -> Pki:
    """The test PKI (one per session)."""
    ca = _ca("lienthong test CA")
    foreign = _ca("Foreign CA")
    return Pki(
        ca=ca,
        rsa_node=_node(
            "000.00.00.H26 node (RSA)",
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ca,
        ),
        ec_node=_node("000.00.00.H41 node (EC)", ec.generate_private_key(ec.SECP256R1()), ca),
        foreign_ca=foreign,
        foreign_node=_node("Foreign node", ec.generate_private_key(ec.SECP256R1()), foreign),
    )


def fixture_bytes(name: str) -> bytes:
    """One of the platform's sample files, as bytes."""
    return (FIXTURES / name).read_bytes()
