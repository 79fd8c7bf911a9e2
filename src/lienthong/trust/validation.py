"""Validating PDFs and keeping the signed report ("what was valid when it arrived").

Issue #3 scope 9: the report of a received document is stored and signed by the node
(CMS SignedData over the report's JSON bytes) so it can be shown to a third party later.
"""

from __future__ import annotations

import json
from typing import Any, cast

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from lienthong.audit.services import Actor, record
from lienthong.trust import pades
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.keys import decrypt_private_key
from lienthong.trust.models import Certificate, TrustAnchor, ValidationRecord

__all__ = ["active_anchor_pems", "pdf_validate", "report_bytes", "sign_report"]


def active_anchor_pems() -> list[str]:
    """The PEM of every active trust anchor of the node."""
    return list(TrustAnchor.objects.filter(is_active=True).values_list("pem", flat=True))


def report_bytes(report: dict[str, Any]) -> bytes:
    """The canonical bytes of a report (what the node signs)."""
    return json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def _envelope_certificate() -> Certificate | None:
    query: Any = Certificate.objects.all()
    return (
        query.valid_at()
        .filter(profile=CertificateProfile.NODE_ENVELOPE, key__storage=KeyStorage.ENCRYPTED)
        .select_related("key")
        .order_by("-holder_node__is_local", "-not_before")
        .first()
    )


def sign_report(data: bytes) -> tuple[bytes | None, str]:
    """CMS SignedData (DER, content attached) over ``data`` by the node's envelope key.

    Returns:
        (the CMS, a note); the CMS is ``None`` when the node has no envelope
        certificate yet, and the note says so.
    """
    certificate = _envelope_certificate()
    if certificate is None or certificate.key is None or certificate.key.encrypted_pkcs8 is None:
        return None, "not signed: this node has no node-envelope certificate"
    try:
        key = decrypt_private_key(bytes(certificate.key.encrypted_pkcs8))
    except KeyUnavailable as exc:
        return None, f"not signed: {exc}"
    cms = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(certificate.x509(), key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    return cms, f"signed by {certificate.common_name} (serial {certificate.serial_number})"


def pdf_validate(
    *,
    actor: Actor,
    pdf: bytes,
    file_name: str,
    unit: Any = None,
    trust_anchor_pems: list[str] | None = None,
) -> ValidationRecord:
    """Validate a PDF's signatures, store the report and the node's signature over it.

    Args:
        actor: who asks.
        pdf: the file.
        file_name: its name, kept with the report.
        unit: the unit the report belongs to (scopes who may read it).
        trust_anchor_pems: roots to trust; the node's active trust anchors when ``None``.

    Returns:
        The stored record (``verdict``, ``report``, ``signed_report``).

    Raises:
        ValidationFailure: the file is not a PDF (nothing is stored).
    """
    anchors = active_anchor_pems() if trust_anchor_pems is None else list(trust_anchor_pems)
    report = pades.validate_pdf(pdf=pdf, trust_anchors=anchors)
    data = report.to_json()
    cms, note = sign_report(report_bytes(data))
    data["node_signature"] = note
    with transaction.atomic():
        row = ValidationRecord(
            unit=unit,
            requested_by=cast(Any, actor) if isinstance(actor, AbstractBaseUser) else None,
            file_name=file_name[:300],
            sha256=report.sha256,
            verdict=report.verdict,
            report=data,
            signed_report=cms,
        )
        row.full_clean(exclude=["signed_report"])
        row.save()
        record(
            actor=actor,
            verb="pdf.validate",
            target=row,
            unit_id=getattr(unit, "pk", None),
            data={"verdict": report.verdict, "sha256": report.sha256, "file": file_name[:100]},
        )
    return row
