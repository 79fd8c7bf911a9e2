"""Benchmarks of the exchange (issue #5).

1. **Fan-out** (in this process, on the benchmark database): one document issued by a
   provincial committee to every commune committee of the country (3,321 units, all on
   this node): the time from the issue until every unit has it in its inbox and every
   "đã đến" is on the sender's trail. Target ≤ 60 s.
2. **Throughput A → B** (two real nodes on loopback, ``scripts/nodes.py``): documents
   per second delivered and verified, each carrying a 200 KB signed PDF, compared with
   the same cryptographic work done in a plain loop in the same run (sign the envelope,
   encrypt the attachment, decrypt it, verify the envelope and the PDF). Target: lienthong
   ≥ 0.5 of the plain loop. Set ``LIENTHONG_BENCH_EXCHANGE_DOCS`` (default 200).
3. **Soak** (two real nodes; ``LIENTHONG_BENCH_EXCHANGE_SOAK`` documents, default 1000):
   the receiver killed (SIGKILL) and restarted twice and the sender once while the
   documents travel; counts what arrived once, what is left queued, quarantined, dead.
   Run ``bench/run.py exchange`` with ``LIENTHONG_BENCH_EXCHANGE_PARTS=fanout,throughput,soak``
   (default: all three).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FANOUT_TARGET_S = 60.0
#: Pages of the sample PDF that make about 200 KB (the issue's document size).
PDF_PAGES = 90


def _fanout() -> dict[str, dict[str, Any]]:
    from django.core.management import call_command

    from bench_issue import _setup
    from lienthong.documents.services import document_issue
    from lienthong.exchange.choices import OutboxState, StatusCode
    from lienthong.exchange.models import Envelope, InboxItem, StatusEntry
    from lienthong.exchange.services import outbox_deliver
    from lienthong.org.choices import UnitKind
    from lienthong.org.models import Unit

    with Path(os.devnull).open("w") as sink:
        call_command("load_units", "--json", stdout=sink)
    clerk, documents = _setup()
    document = documents[0]
    communes = list(Unit.objects.filter(kind=UnitKind.COMMUNE_COMMITTEE))
    document.recipients.all().delete()
    document.recipients.bulk_create(
        [document.recipients.model(document=document, unit=unit) for unit in communes]
    )
    started = time.perf_counter()
    document_issue(actor=clerk, document=document, second_factor_verified=True)
    issued = time.perf_counter()
    rounds = 0
    while Envelope.objects.filter(state=OutboxState.QUEUED).exists() and rounds < 1000:
        outbox_deliver(limit=10_000)
        rounds += 1
    finished = time.perf_counter()
    inboxes = InboxItem.objects.filter(unit__in=communes).count()
    arrived = StatusEntry.objects.filter(
        unit=document.unit, document=document, code=StatusCode.ARRIVED
    ).count()
    return {
        "fanout_units": {"value": len(communes), "unit": "units"},
        "fanout_inboxes": {"value": inboxes, "unit": "units"},
        "fanout_arrived_on_trail": {"value": arrived, "unit": "units"},
        "fanout_issue_s": {"value": round(issued - started, 1), "unit": "s"},
        "fanout_total_s": {"value": round(finished - started, 1), "unit": "s"},
        "fanout_target_s": {"value": FANOUT_TARGET_S, "unit": "s"},
    }


def _network(root: Path) -> Any:
    sys.path.insert(0, str(ROOT))
    from tests.integration.loopback import Network

    database_url = os.environ.get("LIENTHONG_BENCH_NODES_DATABASE_URL", "")
    return Network(root, base_port=8171, database_url=database_url)


def _crypto_loop(count: int, pdf: bytes) -> float:
    """The same cryptography per document as a delivery, in a plain loop: documents/s.

    Sign an edXML envelope (node key), encrypt the PDF to the receiver, decrypt it,
    verify the envelope signature and the PDF signatures. No database, no HTTP.
    """
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.ciphers import algorithms
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    from lienthong.exchange import edxml
    from lienthong.trust import pades

    def certificate(key: Any, name: str) -> x509.Certificate:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = dt.datetime.now(dt.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256())
        )

    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing_cert = certificate(signing_key, "bench node (A)")
    encryption_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption_cert = certificate(encryption_key, "bench node (B)")
    today = dt.date.today()
    started = time.perf_counter()
    for index in range(count):
        sealed = (
            pkcs7.PKCS7EnvelopeBuilder()
            .set_data(pdf)
            .set_content_encryption_algorithm(algorithms.AES256)
            .add_recipient(encryption_cert)
            .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
        )
        message = edxml.EdocMessage(
            sender=edxml.Organization(organ_id="A.L1", organ_name="Nút A"),
            recipients=(edxml.Organization(organ_id="B.L2", organ_name="Nút B"),),
            document_id=f"A.L1,{today:%Y/%m/%d},{index:02d}/CV",
            code_number=f"{index:02d}",
            code_notation="CV",
            promulgation_date=today,
            subject=f"V/v thử số {index}",
            content="Nội dung",
            trace=(("A", dt.datetime.now(dt.UTC).replace(microsecond=0)),),
            attachments=(edxml.Attachment("cv.pdf.p7m", "application/pkcs7-mime", sealed),),
        )
        data = edxml.build_edoc(message, signing_key=signing_key, signing_chain=(signing_cert,))
        parsed = edxml.parse(data)
        assert parsed.signature.state == "valid"
        opened = pkcs7.pkcs7_decrypt_der(
            parsed.message.attachments[0].data,  # type: ignore[union-attr]
            encryption_cert,
            encryption_key,
            [],
        )
        report = pades.validate_pdf(pdf=opened, trust_anchors=[])
        assert report.signatures
    return count / (time.perf_counter() - started)


def _throughput(net: Any, count: int) -> dict[str, dict[str, Any]]:
    net.stop(net.a)
    before = net.state(net.a)["accepted_edocs"]
    process = net.send(count, start=10_000, pages=PDF_PAGES)
    _out, err = process.communicate(timeout=7200)
    if process.returncode != 0:
        raise RuntimeError(err.decode(errors="replace")[-2000:])
    net.start(net.a)
    started = time.perf_counter()
    a_state, _b = net.wait_settled(before + count, timeout=7200)
    seconds = time.perf_counter() - started
    delivered = a_state["accepted_edocs"] - before
    return {
        "throughput_documents": {"value": delivered, "unit": "documents"},
        "throughput_seconds": {"value": round(seconds, 1), "unit": "s"},
        "throughput_lienthong": {"value": round(delivered / seconds, 2), "unit": "documents/s"},
    }


def _soak(net: Any, count: int) -> dict[str, dict[str, Any]]:
    before = net.state(net.a)["accepted_edocs"]
    started = time.perf_counter()
    sender = net.send(count, start=20_000, priorities=(0, 1, 2, 3))
    for victim, wait in ((net.a, 20), (net.b, 40), (net.a, 40)):
        time.sleep(wait)
        net.kill(victim)
        time.sleep(3)
        net.start(victim)
    _out, err = sender.communicate(timeout=7200)
    if sender.returncode != 0:
        raise RuntimeError(err.decode(errors="replace")[-2000:])
    a_state, b_state = net.wait_settled(before + count, timeout=3600)
    return {
        "soak_documents": {"value": count, "unit": "documents"},
        "soak_arrived_once": {
            "value": a_state["inbox_documents"] - before
            if a_state["inbox_items"] == a_state["inbox_documents"]
            else -1,
            "unit": "documents (-1: a duplicate)",
        },
        "soak_arrived_on_trail": {"value": b_state["trails_with_arrival"], "unit": "documents"},
        "soak_quarantined": {"value": a_state["quarantined"] + b_state["quarantined"], "unit": ""},
        "soak_dead": {"value": a_state["dead"] + b_state["dead"], "unit": ""},
        "soak_queued": {"value": a_state["queued"] + b_state["queued"], "unit": ""},
        "soak_seconds": {"value": round(time.perf_counter() - started, 1), "unit": "s"},
    }


def run() -> dict[str, dict[str, Any]]:
    """Run the parts named in ``LIENTHONG_BENCH_EXCHANGE_PARTS``."""
    parts = os.environ.get("LIENTHONG_BENCH_EXCHANGE_PARTS", "fanout,throughput,soak").split(",")
    results: dict[str, dict[str, Any]] = {}
    if "fanout" in parts:
        results.update(_fanout())
    if "throughput" in parts or "soak" in parts:
        from django.conf import settings

        net = _network(Path(settings.DATA_DIR) / "nodes")
        net.setup()
        net.start()
        try:
            if "throughput" in parts:
                count = int(os.environ.get("LIENTHONG_BENCH_EXCHANGE_DOCS", "200"))
                results.update(_throughput(net, count))
                from lienthong.trust.pades.samples import sample_pdf

                pdf = _signed_pdf_of(sample_pdf(pages=PDF_PAGES))
                loop = _crypto_loop(min(count, 100), pdf)
                results["throughput_crypto_loop"] = {"value": round(loop, 2), "unit": "documents/s"}
                results["throughput_ratio"] = {
                    "value": round(results["throughput_lienthong"]["value"] / loop, 2),
                    "unit": "lienthong / crypto loop",
                }
            if "soak" in parts:
                results.update(
                    _soak(net, int(os.environ.get("LIENTHONG_BENCH_EXCHANGE_SOAK", "1000")))
                )
        finally:
            net.stop()
    return results


def _signed_pdf_of(pdf: bytes) -> bytes:
    """A PDF signed once (B-B, throw-away certificate), for the crypto-only loop."""
    from lienthong.audit.actors import SystemActor
    from lienthong.trust import pades
    from lienthong.trust import services as trust
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.models import CertificateAuthority

    actor = SystemActor("bench")
    issuing = CertificateAuthority.objects.filter(key__isnull=False, parent__isnull=False).first()
    if issuing is None:
        issuing = trust.ca_init(actor=actor, network_name="Bench", slug="bench-exchange").issuing
    cert = trust.certificate_issue(
        actor=actor,
        authority=issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=trust.SubjectSpec(common_name="Bench signer"),
    )
    return pades.sign_pdf(pdf=pdf, signer=pades.SignerSpec(certificate=cert), level="B-B")
