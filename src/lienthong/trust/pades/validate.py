"""Validation of any PDF's signatures into one report with a bottom-line verdict.

Each signature is checked for integrity, a chain to one of the given trust anchors,
revocation (from the CRLs and OCSP responses embedded in the PDF and those the node
holds, never fetched), its timestamp, and what changed after it (pyHanko's difference
analysis). A signature whose certificate expired or was revoked after a trusted
timestamp is judged at the timestamp's time (PAdES long-term validation) and reported
with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from asgiref.sync import async_to_sync
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from lienthong.trust.errors import ValidationFailure
from lienthong.trust.pades.context import RevocationData, asn1_cert, local_revocation_data
from lienthong.trust.pades.specs import (
    SignatureReport,
    TimestampReport,
    ValidationReport,
    Verdict,
)
from lienthong.trust.pades.stamps import format_signing_time

__all__ = ["validate_pdf"]

_EXPIRED = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
}
_NOT_YET_VALID = {AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID}
_REVOKED = {
    AdESFailure.REVOKED,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.REVOKED_CA_NO_POE,
}
_UNTRUSTED = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
    AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND,
}
_SEVERITY: dict[str, int] = {
    "valid": 0,
    "valid_with_warnings": 1,
    "unknown": 2,
    "invalid": 3,
}


def _read(pdf: bytes) -> PdfFileReader:
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise ValidationFailure("not a PDF: the file does not start with %PDF")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        _ = reader.root
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValidationFailure(f"not a PDF (or a damaged one): {exc}") from exc
    return reader


def _anchors(pems: list[str] | None) -> list[asn1_x509.Certificate]:
    anchors: list[asn1_x509.Certificate] = []
    for pem in pems or []:
        try:
            anchors.append(asn1_cert(pem))
        except (ValueError, TypeError) as exc:
            raise ValidationFailure("a trust anchor is not a PEM certificate") from exc
    return anchors


def _dss_evidence(reader: PdfFileReader) -> tuple[list[Any], RevocationData]:
    """Certificates, CRLs and OCSP responses embedded in the PDF's DSS."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS at all (pyHanko raises NoDSSFoundError), or a broken one
        return [], RevocationData()
    certs = list(dss.load_certs())
    crls: list[bytes] = []
    ocsps: list[bytes] = []
    try:
        for ref in dss.crls:
            crls.append(ref.get_object().data)
        for ref in dss.ocsps:
            ocsps.append(ref.get_object().data)
    except (PdfError, ValueError, KeyError) as exc:
        raise ValidationFailure(f"the PDF's validation data cannot be read: {exc}") from exc
    return certs, RevocationData(crls=tuple(crls), ocsps=tuple(ocsps))


def _context(
    *,
    anchors: list[asn1_x509.Certificate],
    certs: list[Any],
    evidence: RevocationData,
    moment: dt.datetime | None = None,
) -> ValidationContext:
    kwargs: dict[str, Any] = {
        "trust_roots": list(anchors),
        "other_certs": list(certs),
        "crls": list(evidence.crls),
        "ocsps": list(evidence.ocsps),
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
        "retroactive_revinfo": True,
    }
    if moment is not None:
        kwargs["moment"] = moment
    return ValidationContext(**kwargs)


def _subject(cert: asn1_x509.Certificate) -> str:
    try:
        return str(cert.subject.human_friendly)
    except (ValueError, KeyError):
        return ""


def _common_name(cert: asn1_x509.Certificate) -> str:
    try:
        name = cert.subject.native.get("common_name")
    except (ValueError, KeyError):
        name = None
    if isinstance(name, list):
        name = name[-1]
    return str(name) if name else _subject(cert)


def _has_revocation_pointers(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points or cert.ocsp_urls)


def _evidence_for(cert: asn1_x509.Certificate, evidence: RevocationData) -> list[dict[str, Any]]:
    """The CRLs and OCSP responses that speak about ``cert``, with their dates."""
    found: list[dict[str, Any]] = []
    for der in evidence.crls:
        try:
            crl = asn1_crl.CertificateList.load(der)
            tbs = crl["tbs_cert_list"]
            if tbs["issuer"] != cert.issuer:
                continue
            next_update = tbs["next_update"].native
            found.append(
                {
                    "kind": "crl",
                    "this_update": tbs["this_update"].native.isoformat(timespec="seconds"),
                    "next_update": next_update.isoformat(timespec="seconds")
                    if next_update
                    else None,
                }
            )
        except (ValueError, TypeError, KeyError):
            continue
    for der in evidence.ocsps:
        try:
            response = asn1_ocsp.OCSPResponse.load(der)
            basic = response["response_bytes"]["response"].parsed
            for single in basic["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native == cert.serial_number:
                    found.append(
                        {
                            "kind": "ocsp",
                            "this_update": single["this_update"].native.isoformat(
                                timespec="seconds"
                            ),
                            "status": single["cert_status"].name,
                        }
                    )
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
    return found


def _chain(status: PdfSignatureStatus) -> list[str]:
    path = status.validation_path
    if path is None:
        return []
    try:
        return [_subject(c) for c in path.iter_certs(include_root=True)]
    except (ValueError, TypeError, AttributeError):
        return []


def _validate(embedded: EmbeddedPdfSignature, context: ValidationContext) -> PdfSignatureStatus:
    status: PdfSignatureStatus = async_to_sync(async_validate_pdf_signature)(
        embedded, signer_validation_context=context, ts_validation_context=context
    )
    return status


def _timestamp_ok(status: PdfSignatureStatus) -> dt.datetime | None:
    ts = status.timestamp_validity
    if ts is not None and ts.valid and ts.intact and ts.trusted:
        return ts.timestamp
    return None


def _before_problem(status: PdfSignatureStatus, problem: Any, ts_time: dt.datetime) -> bool:
    """True when a trusted timestamp shows the signature existed before the certificate
    expired or was revoked (strictly: no clock tolerance here)."""
    if problem in _EXPIRED:
        return bool(ts_time <= status.signing_cert.not_valid_after)
    if problem in _REVOKED and status.revocation_details is not None:
        return bool(ts_time < status.revocation_details.revocation_date)
    return False


def _judge(
    embedded: EmbeddedPdfSignature,
    *,
    anchors: list[asn1_x509.Certificate],
    certs: list[Any],
    evidence: RevocationData,
    doc_timestamp_times: list[dt.datetime],
) -> SignatureReport:
    status = _validate(embedded, _context(anchors=anchors, certs=certs, evidence=evidence))
    cert = status.signing_cert
    reasons: list[str] = []
    warnings: list[str] = []
    ts_time = _timestamp_ok(status)
    problem = status.trust_problem_indic
    revoked = status.revoked
    details: dict[str, Any] = {
        "certificate_subject": _subject(cert),
        "certificate_serial": format(cert.serial_number, "x"),
        "issuer": str(cert.issuer.human_friendly),
        "valid_from": cert.not_valid_before.isoformat(timespec="seconds"),
        "valid_until": cert.not_valid_after.isoformat(timespec="seconds"),
    }
    intact = bool(status.intact and status.valid)
    if intact and ts_time is not None and _before_problem(status, problem, ts_time):
        # PAdES long-term validation: the timestamp proves the signature existed at
        # ts_time; judge the certificate then.
        later = _validate(
            embedded,
            _context(anchors=anchors, certs=certs, evidence=evidence, moment=ts_time),
        )
        if later.trusted:
            warnings.append(
                "certificate revoked after signing"
                if problem in _REVOKED
                else "certificate expired after signing"
            )
            details["judged_at"] = ts_time.isoformat(timespec="seconds")
            status, problem = later, None
    trusted = bool(status.trusted)
    if not intact:
        reasons.append("signature does not match the document (content changed)")
    if problem in _REVOKED or (revoked and problem is not None):
        reasons.append("signer certificate revoked")
        if status.revocation_details is not None:
            details["revoked_at"] = status.revocation_details.revocation_date.isoformat(
                timespec="seconds"
            )
    elif problem in _EXPIRED:
        reasons.append("signer certificate expired")
    elif problem in _NOT_YET_VALID:
        reasons.append("signer certificate not yet valid")
    elif problem in _UNTRUSTED:
        reasons.append("no chain to a trust anchor (untrusted root)")
    elif problem is not None:
        reasons.append(f"certificate problem: {problem.standard_name.lower()}")

    level = status.modification_level
    suspicious = isinstance(status.diff_result, SuspiciousModification) or (
        status.docmdp_ok is False
    )
    modified_after = suspicious or (
        level is not None and level in (ModificationLevel.ANNOTATIONS, ModificationLevel.OTHER)
    )
    details["coverage"] = status.coverage.name.lower() if status.coverage else None
    details["modification_level"] = level.name.lower() if level is not None else None
    if suspicious or level == ModificationLevel.OTHER:
        reasons.append("document modified after signing")
    elif level == ModificationLevel.ANNOTATIONS:
        warnings.append("annotations added after signing")

    timestamped = ts_time is not None
    signed_at_dt = ts_time or status.signer_reported_dt or embedded.self_reported_timestamp
    if not timestamped and signed_at_dt is not None:
        timestamped = any(t >= signed_at_dt for t in doc_timestamp_times)
    if status.timestamp_validity is not None and ts_time is None:
        warnings.append("signature timestamp not trusted")
    details["timestamp"] = ts_time.isoformat(timespec="seconds") if ts_time else None
    details["chain"] = _chain(status)

    revocation = _evidence_for(cert, evidence)
    details["revocation"] = revocation
    if trusted and _has_revocation_pointers(cert) and not revocation:
        warnings.append("revocation status unknown (no CRL or OCSP response available)")
    if not timestamped:
        warnings.append("no trusted timestamp: the signing time is the signer's claim")

    verdict: Verdict
    if reasons:
        untrusted_only = problem in _UNTRUSTED and intact and not modified_after and not revoked
        verdict = "unknown" if untrusted_only else "invalid"
    elif not trusted:
        verdict = "unknown"
        reasons.append("signer certificate not trusted")
    elif warnings:
        verdict = "valid_with_warnings"
    else:
        verdict = "valid"
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer=_common_name(cert),
        signed_at=format_signing_time(signed_at_dt) if signed_at_dt else None,
        intact=intact,
        trusted=trusted,
        revoked=bool(revoked),
        timestamped=timestamped,
        modified_after=bool(modified_after),
        verdict=verdict,
        reasons=tuple(reasons + warnings),
        details=details,
    )


def _broken(embedded: EmbeddedPdfSignature, exc: Exception) -> SignatureReport:
    try:
        name = str(embedded.field_name)
    except Exception:  # a signature too broken to name
        name = ""
    return SignatureReport(
        field_name=name,
        signer="",
        signed_at=None,
        intact=False,
        trusted=False,
        revoked=False,
        timestamped=False,
        modified_after=False,
        verdict="invalid",
        reasons=(f"signature cannot be read: {type(exc).__name__}",),
        details={"error": str(exc)[:500]},
    )


def _judge_timestamp(embedded: EmbeddedPdfSignature, context: ValidationContext) -> TimestampReport:
    status = async_to_sync(async_validate_pdf_timestamp)(embedded, validation_context=context)
    return TimestampReport(
        field_name=str(embedded.field_name),
        time=format_signing_time(status.timestamp),
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        tsa=_common_name(status.signing_cert),
    )


def validate_pdf(
    *,
    pdf: bytes,
    trust_anchors: list[str] | None,
    revocation: RevocationData | None = None,
) -> ValidationReport:
    """Validate every signature of ``pdf``.

    Args:
        pdf: the file.
        trust_anchors: root certificates (PEM) to trust; nothing else is trusted.
        revocation: CRLs and OCSP responses to use besides those embedded in the
            PDF; the node's own (``local_revocation_data()``) when ``None``.

    Returns:
        The report: one verdict, then one entry per signature and document timestamp.

    Raises:
        ValidationFailure: the file is not a PDF, or a trust anchor is not a certificate.
    """
    reader = _read(pdf)
    anchors = _anchors(trust_anchors)
    try:
        regular = list(reader.embedded_regular_signatures)
        doc_timestamps = list(reader.embedded_timestamp_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise ValidationFailure(f"the PDF's signatures cannot be read: {exc}") from exc
    certs, embedded_evidence = _dss_evidence(reader)
    evidence = embedded_evidence.merged(
        revocation if revocation is not None else local_revocation_data()
    )

    timestamps: list[TimestampReport] = []
    trusted_ts_times: list[dt.datetime] = []
    for embedded in doc_timestamps:
        try:
            report = _judge_timestamp(
                embedded, _context(anchors=anchors, certs=certs, evidence=evidence)
            )
        except Exception:  # an unreadable document timestamp does not stop the report
            continue
        timestamps.append(report)
        if report.intact and report.trusted:
            trusted_ts_times.append(dt.datetime.fromisoformat(report.time))

    signatures: list[SignatureReport] = []
    for embedded in regular:
        try:
            signatures.append(
                _judge(
                    embedded,
                    anchors=anchors,
                    certs=certs,
                    evidence=evidence,
                    doc_timestamp_times=trusted_ts_times,
                )
            )
        except ValidationFailure:
            raise
        except Exception as exc:  # pyHanko raises many types on broken signatures
            signatures.append(_broken(embedded, exc))

    verdict: Verdict
    if not signatures:
        verdict = "unsigned"
    else:
        worst = max(signatures, key=lambda s: _SEVERITY[s.verdict])
        verdict = worst.verdict
    return ValidationReport(
        verdict=verdict,
        signatures=tuple(signatures),
        document_timestamps=tuple(timestamps),
        sha256=hashlib.sha256(pdf).hexdigest(),
        validated_at=timezone.now(),
        trust_anchors=tuple(_subject(a) for a in anchors),
    )
