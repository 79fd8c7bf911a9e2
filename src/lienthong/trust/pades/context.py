"""What signing and validation need from the node: chains, revocation data, the TSA.

Everything is read from the database here, in synchronous code, before pyHanko runs:
pyHanko's coroutines never touch the ORM. No URL is ever fetched: our CRLs come from
the ``RevocationList`` table and the revocation cache, not from HTTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.db.models import Q
from django.utils import timezone
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import KeyUnavailable, SigningError
from lienthong.trust.keys import PrivateKey
from lienthong.trust.models import (
    Certificate,
    CertificateAuthority,
    RevocationCacheEntry,
    RevocationList,
)

__all__ = [
    "NodeTimeStamper",
    "RevocationData",
    "asn1_cert",
    "asn1_private_key",
    "chain_of",
    "local_revocation_data",
    "node_timestamper",
    "validation_context",
]


def asn1_cert(pem_or_der: str | bytes) -> asn1_x509.Certificate:
    """An asn1crypto certificate from PEM text or DER bytes."""
    data = pem_or_der.encode("ascii") if isinstance(pem_or_der, str) else pem_or_der
    if data.lstrip().startswith(b"-----BEGIN"):
        from cryptography import x509

        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(data)


def asn1_private_key(key: PrivateKey) -> asn1_keys.PrivateKeyInfo:
    """An asn1crypto PrivateKeyInfo from a cryptography key (in memory only)."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def chain_of(certificate: Certificate) -> list[Certificate]:
    """The certificates above ``certificate``: its issuing CA, ..., the root (last)."""
    chain: list[Certificate] = []
    authority: CertificateAuthority | None = certificate.issuer
    seen: set[int] = {certificate.pk}
    while authority is not None and authority.certificate_id not in seen:
        chain.append(authority.certificate)
        seen.add(authority.certificate_id)
        authority = authority.parent
    return chain


@dataclass(frozen=True)
class RevocationData:
    """CRLs and OCSP responses (DER) known to the node, with what they cover."""

    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()
    freshness: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def merged(self, other: RevocationData) -> RevocationData:
        """Both sets of evidence together (each piece once)."""
        return RevocationData(
            crls=tuple(dict.fromkeys(self.crls + other.crls)),
            ocsps=tuple(dict.fromkeys(self.ocsps + other.ocsps)),
            freshness=self.freshness + other.freshness,
        )


def local_revocation_data(now: dt.datetime | None = None) -> RevocationData:
    """The latest CRL of each CA of this node and the cached CRLs and OCSP responses.

    Issue #3 scope 9: validation keeps working from this cache while a responder is
    unreachable; ``freshness`` says when each piece of evidence was issued.
    """
    moment = now or timezone.now()
    crls: list[bytes] = []
    ocsps: list[bytes] = []
    freshness: list[dict[str, Any]] = []
    for authority in CertificateAuthority.objects.filter(key__isnull=False):
        latest = RevocationList.objects.filter(authority=authority).order_by("-number").first()
        if latest is None:
            continue
        crls.append(bytes(latest.der))
        freshness.append(
            {
                "kind": "crl",
                "issuer": authority.name,
                "this_update": latest.this_update.isoformat(timespec="seconds"),
                "next_update": latest.next_update.isoformat(timespec="seconds"),
                "fresh": latest.next_update >= moment,
                "source": "local CA",
            }
        )
    cached = RevocationCacheEntry.objects.filter(
        Q(next_update__isnull=True) | Q(next_update__gte=moment - dt.timedelta(days=30))
    ).order_by("-this_update")[:200]
    for entry in cached:
        (crls if entry.kind == RevocationCacheEntry.Kind.CRL else ocsps).append(bytes(entry.der))
        freshness.append(
            {
                "kind": entry.kind,
                "issuer": entry.issuer_fingerprint,
                "this_update": entry.this_update.isoformat(timespec="seconds"),
                "next_update": (
                    entry.next_update.isoformat(timespec="seconds") if entry.next_update else None
                ),
                "fresh": entry.next_update is None or entry.next_update >= moment,
                "source": "cache",
            }
        )
    return RevocationData(crls=tuple(crls), ocsps=tuple(ocsps), freshness=tuple(freshness))


def validation_context(
    *,
    trust_roots: list[asn1_x509.Certificate],
    other_certs: list[asn1_x509.Certificate] = (),  # type: ignore[assignment]
    revocation: RevocationData | None = None,
    revocation_mode: str = "soft-fail",
    moment: dt.datetime | None = None,
) -> ValidationContext:
    """A pyHanko validation context that never fetches anything from the network."""
    revocation = revocation or RevocationData()
    kwargs: dict[str, Any] = {
        "trust_roots": list(trust_roots),
        "other_certs": list(other_certs),
        "crls": list(revocation.crls),
        "ocsps": list(revocation.ocsps),
        "allow_fetching": False,
        "revocation_mode": revocation_mode,
        "retroactive_revinfo": True,
    }
    if moment is not None:
        kwargs["moment"] = moment
    return ValidationContext(**kwargs)


class NodeTimeStamper(TimeStamper):
    """The node's own RFC 3161 TSA (``pades.timestamping``), called in-process.

    The TSA is loaded from the database in synchronous code before pyHanko runs; the
    coroutine only signs (no ORM call inside the event loop, no HTTP).
    """

    def __init__(self, *, tsa: Any) -> None:
        super().__init__(include_nonce=True)
        self._tsa = tsa

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Have the node's TSA answer ``req``."""
        return tsp.TimeStampResp.load(self._tsa.respond(req.dump()))


#: The node's timestamper, kept per TSA certificate: pyHanko caches a dummy token per
#: timestamper (for size estimation), so reusing it halves the TSA work per signature.
_TIMESTAMPERS: dict[str, tuple[TimeStamper, list[asn1_x509.Certificate]]] = {}


def _tsa_certificate() -> Certificate:
    tsa = (
        Certificate.objects.all()
        .valid_at()  # type: ignore[attr-defined]
        .filter(profile=CertificateProfile.TSA, key__storage=KeyStorage.ENCRYPTED)
        .select_related("key", "issuer")
        .order_by("-not_before", "-pk")
        .first()
    )
    if tsa is None:
        raise SigningError(
            "No timestamp authority on this node: run `lienthong ca init` first, "
            "or sign at level B-B."
        )
    return tsa


def node_timestamper() -> tuple[TimeStamper, list[asn1_x509.Certificate]]:
    """The node's TSA as a pyHanko timestamper, and the TSA's certificate chain.

    The TSA's key is decrypted once per TSA certificate and kept in memory (like any
    timestamp server); a new, renewed or revoked TSA certificate is picked up at once
    because the current certificate is looked up on every call.

    Raises:
        SigningError: the node has no usable TSA certificate.
    """
    from lienthong.trust.pades import timestamping

    tsa = _tsa_certificate()
    cached = _TIMESTAMPERS.get(tsa.fingerprint_sha256)
    if cached is not None:
        return cached
    try:
        loaded = timestamping.load_tsa()
    except KeyUnavailable as exc:
        raise SigningError(str(exc)) from exc
    chain = [loaded.certificate, *loaded.chain]
    _TIMESTAMPERS.clear()
    _TIMESTAMPERS[tsa.fingerprint_sha256] = (NodeTimeStamper(tsa=loaded), chain)
    return _TIMESTAMPERS[tsa.fingerprint_sha256]
