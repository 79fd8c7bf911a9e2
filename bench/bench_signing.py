"""Benchmark: time per PAdES signature (B-T, with a timestamp) on a 10-page PDF.

Two series in the same run, with the same signing key and the same TSA (the node's own
RFC 3161 responder, in process):

- ``lienthong``: ``lienthong.trust.pades.sign_pdf`` as the signing service calls it:
  it reads the certificate chain and the TSA from the database, decrypts the signer's
  key (PKCS#8, scrypt/PBKDF2) for this one use, and signs;
- ``pyhanko_direct``: pyHanko's ``PdfSigner`` called directly with the key already
  decrypted and the TSA already loaded (what a hand-written script would do).

Issue #3 asks for ``lienthong / pyhanko_direct <= 1.3``.
"""

from __future__ import annotations

import io
import statistics
import time
from typing import Any

ROUNDS = 15


def _setup() -> tuple[Any, bytes]:
    from lienthong.audit.actors import SystemActor
    from lienthong.org.models import Unit
    from lienthong.trust import services
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.models import CertificateAuthority
    from lienthong.trust.pades.samples import sample_pdf

    actor = SystemActor("bench")
    authority = CertificateAuthority.objects.filter(slug="bench").first()
    if authority is None:
        authority = services.ca_init(actor=actor, network_name="Bench", slug="bench").issuing
    unit = Unit.objects.first()
    certificate = services.certificate_issue(
        actor=actor,
        authority=authority,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Người ký thử"),
        holder_unit=unit,
    )
    return certificate, sample_pdf(pages=10)


def _direct_signer(certificate: Any) -> tuple[Any, Any]:
    from asn1crypto import tsp
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from lienthong.trust.keys import decrypt_private_key
    from lienthong.trust.pades.context import asn1_cert, asn1_private_key, chain_of
    from lienthong.trust.pades.timestamping import load_tsa

    tsa = load_tsa()

    class LoadedTsa(TimeStamper):
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            return tsp.TimeStampResp.load(tsa.respond(req.dump()))

    key = decrypt_private_key(bytes(certificate.key.encrypted_pkcs8))
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert(certificate.pem),
        signing_key=asn1_private_key(key),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_cert(c.pem) for c in chain_of(certificate)]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    return signers.PdfSigner(meta, signer=signer, timestamper=LoadedTsa()), meta


def _time(func: Any) -> list[float]:
    func()  # warm-up
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return times


def run() -> dict[str, dict[str, Any]]:
    """Sign the same 10-page PDF ROUNDS times each way; return medians and the ratio."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from lienthong.trust import pades

    certificate, pdf = _setup()
    pdf_signer, _ = _direct_signer(certificate)

    def ours() -> None:
        pades.sign_pdf(pdf=pdf, signer=pades.SignerSpec(certificate=certificate), level="B-T")

    def direct() -> None:
        pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))

    # Interleave the series so both see the same machine state.
    lienthong_ms: list[float] = []
    direct_ms: list[float] = []
    for _ in range(3):
        lienthong_ms += _time(ours)
        direct_ms += _time(direct)
    ours_median = statistics.median(lienthong_ms)
    direct_median = statistics.median(direct_ms)
    return {
        "lienthong_ms_per_signature": {"value": round(ours_median, 1), "unit": "ms"},
        "pyhanko_direct_ms_per_signature": {"value": round(direct_median, 1), "unit": "ms"},
        "ratio": {"value": round(ours_median / direct_median, 2), "unit": "x"},
        "pdf_pages": {"value": 10, "unit": "pages"},
        "key_algorithm": {"value": 2048, "unit": "RSA bits"},
    }
