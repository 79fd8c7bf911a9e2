"""Timestamps over the head of the audit chain (issue #3, scope 8).

Every hour the node's TSA stamps the hash of the newest audit row. An administrator
with database access can recompute the whole hash chain after editing a row, and
``audit_verify`` would find nothing; but the stamped hash of an old row would no longer
match, and forging the TSA's signature over the new hash takes the TSA key, which
is not in the database.

The message imprint of each token is the head hash itself: the 32 bytes of the SHA-256
digest that ``AuditEvent.hash`` holds in hex (it is already a SHA-256 of the row's
canonical form), with hashAlgorithm sha256. So ``openssl ts -verify -digest <hash>
-in token.tsr -token_in …`` checks an anchor without lienthong.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from django.db import transaction

from lienthong.audit.models import AuditChainHead, AuditEvent
from lienthong.audit.services import Actor, record
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.errors import TrustError
from lienthong.trust.models import AuditAnchor, Certificate
from lienthong.trust.pades.timestamping import (
    make_request,
    timestamp_response,
    token_from_response,
    verify_token,
)

__all__ = [
    "ANCHOR_VERB",
    "AnchorProblem",
    "audit_anchor_due",
    "audit_anchor_now",
    "audit_anchors_verify",
]

logger = logging.getLogger(__name__)

#: The audit verb of an anchor (itself a row of the chain, stamped by the next anchor).
ANCHOR_VERB = "audit.anchor"


def audit_anchor_due() -> bool:
    """Whether the chain moved since the last anchor, other than by anchors' own rows.

    System use (no user scope).
    """
    last = AuditAnchor.objects.order_by("-seq").first()
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.seq == 0:
        return False
    if last is None:
        return True
    return AuditEvent.objects.filter(seq__gt=last.seq).exclude(verb=ANCHOR_VERB).exists()


def audit_anchor_now(*, actor: Actor) -> AuditAnchor:
    """Have the node's TSA stamp the current head of the audit chain, and keep the token.

    Args:
        actor: who asks (``SystemActor("audit-anchor")`` for the hourly task).

    Returns:
        The stored anchor (its own audit row, verb ``audit.anchor``, follows the head).

    Raises:
        TrustError: the log is empty, or the TSA is missing or refused.
    """
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.seq == 0:
        raise TrustError("The audit log is empty: nothing to timestamp")
    digest = bytes.fromhex(head.hash)
    token = token_from_response(timestamp_response(make_request(digest)))
    info = verify_token(token, imprint=digest)
    with transaction.atomic():
        anchor = AuditAnchor(
            seq=head.seq, chain_hash=head.hash, token=token, gen_time=info.gen_time
        )
        anchor.full_clean()
        anchor.save()
        record(
            actor=actor,
            verb=ANCHOR_VERB,
            target=anchor,
            data={"seq": head.seq, "hash": head.hash, "gen_time": info.gen_time.isoformat()},
        )
    logger.info("audit anchor: row #%s stamped at %s", head.seq, info.gen_time.isoformat())
    return anchor


@dataclass(frozen=True)
class AnchorProblem:
    """An anchor that does not hold."""

    anchor_id: int
    """The ``AuditAnchor`` row."""
    seq: int
    """The audit row it stamps."""
    reason: str
    """What is wrong: the token, its signer, or the audit row it stamps."""


def _tsa_certificates() -> dict[str, Certificate]:
    rows = Certificate.objects.filter(
        profile=CertificateProfile.TSA, issuer__isnull=False
    ).select_related("issuer__certificate")
    return {row.fingerprint_sha256: row for row in rows}


def _check(anchor: AuditAnchor, tsa: dict[str, Certificate]) -> str | None:
    try:
        digest = bytes.fromhex(anchor.chain_hash)
        info = verify_token(
            bytes(anchor.token),
            imprint=digest,
            extra_certs=[row.x509().public_bytes(Encoding.DER) for row in tsa.values()],
        )
    except (TrustError, ValueError) as exc:
        return f"the token does not verify: {exc}"
    signer = tsa.get(hashlib.sha256(info.signer_der).hexdigest())
    if signer is None or signer.issuer is None:
        return "the token is not signed by this node's TSA"
    try:
        signer.x509().verify_directly_issued_by(signer.issuer.certificate.x509())
    except (ValueError, TypeError, InvalidSignature):
        return "the TSA certificate does not chain to its CA"
    if abs((info.gen_time - anchor.gen_time).total_seconds()) >= 1:
        return "the stored time differs from the token's time"
    row = AuditEvent.objects.filter(seq=anchor.seq).only("hash").first()
    if row is None:
        return f"audit row #{anchor.seq} is missing"
    if row.hash != anchor.chain_hash:
        stamped = f"{info.gen_time:%Y-%m-%d %H:%M:%S} UTC"
        return f"audit row #{anchor.seq} no longer has the hash stamped at {stamped}"
    return None


def audit_anchors_verify() -> list[AnchorProblem]:
    """Check every anchor: its token verifies, was signed by this node's TSA, stamps the
    stored hash, and the audit row still has that hash.

    System use (no user scope): the operator's ``lienthong audit_anchor --verify``.

    Returns:
        The problems, oldest anchor first (empty when every anchor holds).
    """
    tsa = _tsa_certificates()
    problems: list[AnchorProblem] = []
    for anchor in AuditAnchor.objects.order_by("seq", "pk"):
        reason = _check(anchor, tsa)
        if reason is not None:
            problems.append(AnchorProblem(anchor_id=anchor.pk, seq=anchor.seq, reason=reason))
    return problems
