"""Benchmarks of the exchange (issue #5).

1. **Fan-out** (in this process, on the benchmark database): one document issued by a
   provincial committee to every commune committee of the country (3,321 units, all on
   this node): the time from the issue until every unit has it in its inbox and every
   "đã đến" is on the sender's trail. Target ≤ 60 s.
2. **Throughput A → B** (two real nodes on loopback, ``scripts/nodes.py``): documents
   per second delivered and verified, each carrying a 200 KB signed PDF, compared with
   the same cryptographic work done in a plain loop in the same run on the receiving
   node (sign the envelope, encrypt the attachment, decrypt it, verify the envelope and
   validate the same PDF against the same trust anchors). Target: lienthong ≥ 0.5 of
   the plain loop. Set ``LIENTHONG_BENCH_EXCHANGE_DOCS`` (default 200).
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
#: Pages of the uploaded sample PDF (about 2.2 KB each): once signed by the leader (B-T)
#: and sealed (B-LTA, with its validation data) it is about 200 KB, the issue's size
#: (the bench reports the size that travelled).
PDF_PAGES = 20


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
    communes = list(Unit.objects.filter(kind=UnitKind.COMMUNE_COMMITTEE).order_by("pk"))
    # A smaller fan-out for profiling (the recorded figure is for every commune).
    limit = int(os.environ.get("LIENTHONG_BENCH_FANOUT_UNITS", "0") or 0)
    if limit:
        communes = communes[:limit]
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


#: The baseline, run on the receiving node (``lienthong shell -c``) after the delivery:
#: per document, the cryptography a delivery needs, in a plain loop without the outbox,
#: HTTP, the file store or the inbox: sign an edXML envelope with the node key, encrypt
#: the PDF to the node (CMS), parse and verify the envelope, decrypt the PDF and validate
#: its signatures against the node's trust anchors. The PDF is one that travelled (the
#: sender's leader signature and seal, B-LTA), validated exactly as ``inbound_receive``
#: does: the comparison is like for like.
CRYPTO_LOOP = r"""
import datetime as dt, json, time
from lienthong.documents.models import StoredFile
from lienthong.documents.services import files
from lienthong.exchange import edxml
from lienthong.exchange.crypto import decrypt, encrypt_for
from lienthong.exchange.identity import local_node, node_identity
from lienthong.exchange.models import InboxItem
from lienthong.trust.pades import validate_pdf
from lienthong.trust.validation import active_anchor_pems

count = {count}
item = InboxItem.objects.order_by("pk").first()
sha = next(a["sha256"] for a in item.verification["attachments"] if a.get("verdict"))
pdf = files.file_read(StoredFile.objects.get(sha256=sha))
identity, node, today = node_identity(), local_node(), dt.date.today()
started = time.perf_counter()
for index in range(count):
    sealed = encrypt_for(node, pdf)
    message = edxml.EdocMessage(
        sender=edxml.Organization(organ_id="A.L1", organ_name="Nút A"),
        recipients=(edxml.Organization(organ_id="B.L2", organ_name="Nút B"),),
        document_id=f"A.L1,{{today:%Y/%m/%d}},{{index:02d}}/CV",
        code_number=f"{{index:02d}}", code_notation="CV", promulgation_date=today,
        subject=f"V/v thử số {{index}}", content="Nội dung",
        trace=(("A", dt.datetime.now(dt.UTC).replace(microsecond=0)),),
        attachments=(edxml.Attachment("cv.pdf.p7m", "application/pkcs7-mime", sealed),),
    )
    data = edxml.build_edoc(message, signing_key=identity.key, signing_chain=identity.chain)
    parsed = edxml.parse(data)
    assert parsed.signature.state == "valid", parsed.signature.reason
    opened = decrypt(parsed.message.attachments[0].data)
    report = validate_pdf(pdf=opened, trust_anchors=active_anchor_pems())
    assert report.verdict in ("valid", "valid_with_warnings"), report.verdict
print(json.dumps({{"rate": count / (time.perf_counter() - started), "pdf_bytes": len(pdf)}}))
"""


def _crypto_loop(net: Any, count: int) -> dict[str, Any]:
    """The baseline on the receiving node: documents/s and the size of the PDF."""
    return net.shell(net.a, CRYPTO_LOOP.format(count=count))


def _first_arrival(net: Any, before: int) -> float:
    """When the receiver accepted the first document of this run (epoch seconds)."""
    import datetime as dt

    from tests.integration.loopback import query_one

    value = query_one(
        net.a.database_url,
        "SELECT received_at FROM exchange_inboundmessage WHERE kind = 'edoc' "
        f"AND state = 'accepted' ORDER BY received_at, id LIMIT 1 OFFSET {int(before)}",
    )
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return float(value.timestamp())


def _throughput(net: Any, count: int) -> dict[str, dict[str, Any]]:
    """Documents of mixed urgency issued while the receiver is stopped, then delivered
    when it starts (the acceptance's "B down for the whole run of 200 documents": they
    must arrive most urgent first).

    The rate is counted from the receiver's first acceptance to the last "đã đến" back
    at the sender: the pipeline's throughput. The wait before the first acceptance
    (the sender noticing that the receiver is back: the sweep's probe) is reported on
    its own.
    """
    net.stop(net.a)
    before = net.state(net.a)["accepted_edocs"]
    # Mixed urgency: what waited for the receiver must arrive most urgent first.
    process = net.send(count, start=10_000, pages=PDF_PAGES, priorities=(0, 3, 1, 4, 2))
    _out, err = process.communicate(timeout=7200)
    if process.returncode != 0:
        raise RuntimeError(err.decode(errors="replace")[-2000:])
    net.start(net.a)
    started = time.time()
    a_state, _b = net.wait_settled(before + count, timeout=7200)
    finished = time.time()
    first = _first_arrival(net, before)
    delivered = a_state["accepted_edocs"] - before
    arrived = a_state["arrival_priorities"][before:]
    return {
        "throughput_documents": {"value": delivered, "unit": "documents"},
        "throughput_most_urgent_first": {
            "value": "yes" if arrived == sorted(arrived, reverse=True) else "no",
            "unit": f"{len(arrived)} arrivals by priority",
        },
        "throughput_resume_s": {"value": round(first - started, 1), "unit": "s"},
        "throughput_seconds": {"value": round(finished - first, 1), "unit": "s"},
        "throughput_lienthong": {
            "value": round(delivered / (finished - first), 2),
            "unit": "documents/s",
        },
    }


def _soak(net: Any, count: int) -> dict[str, dict[str, Any]]:
    before = net.state(net.a)["accepted_edocs"]
    started = time.perf_counter()
    sender = net.send(count, start=20_000, priorities=(0, 1, 2, 3))
    # Kills spread over the run, whatever its speed: the receiver when a fifth of the
    # documents has arrived, the sender at half, the receiver again at four fifths.
    kills = []
    for victim, share in ((net.a, 0.2), (net.b, 0.5), (net.a, 0.8)):
        while net.state(net.a)["accepted_edocs"] - before < count * share:
            if sender.poll() is not None:
                break
            time.sleep(2)
        net.kill(victim)
        kills.append(net.state(net.a)["accepted_edocs"] - before)
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
        "soak_killed_after": {"value": "/".join(str(k) for k in kills), "unit": "arrived"},
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
                baseline = _crypto_loop(net, min(count, 100))
                loop = float(baseline["rate"])
                results["throughput_pdf_kb"] = {
                    "value": round(int(baseline["pdf_bytes"]) / 1024),
                    "unit": "KB",
                }
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
