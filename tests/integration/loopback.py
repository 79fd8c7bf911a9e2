"""Two lienthong nodes on loopback, driven from outside (issue #5 scope 7).

Used by ``tests/integration/test_exchange_nodes.py`` and ``bench/bench_exchange.py``:
``scripts/nodes.py`` sets up the central node A and the Hà Nội node B; the demo people of
Thành ủy Hà Nội on B (``load_demo`` + ``load_demo_trust``) draft, approve, sign and
issue documents through the real services, addressed to a unit hosted by A; the nodes
run as real processes (``lienthong serve``) that the tests kill and restart.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def nodes_module() -> ModuleType:
    """``scripts/nodes.py`` as a module."""
    spec = importlib.util.spec_from_file_location("lienthong_nodes", ROOT / "scripts" / "nodes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["lienthong_nodes"] = module
    spec.loader.exec_module(module)
    return module


#: Issues ``count`` documents on the sending node (run by ``lienthong shell -c``).
SEND = r"""
import json, sys
from lienthong.documents import services as d
from lienthong.documents.choices import Convention, Direction
from lienthong.documents.models import DocumentType, Register, UnitProfile
from lienthong.org.models import Membership, Unit, User
from lienthong.trust.pades.samples import sample_pdf

count, start, priorities, pages = {count}, {start}, {priorities}, {pages}
specialist = User.objects.get(username="chuyenvien.hanoi")
leader = User.objects.get(username="lanhdao.hanoi")
clerk = User.objects.get(username="vanthu.hanoi")
unit = Membership.objects.filter(user=clerk).select_related("unit").first().unit
UnitProfile.objects.get_or_create(
    unit=unit, defaults=dict(convention=Convention.PARTY, issuer_code="TU", place_name="Hà Nội")
)
Register.objects.get_or_create(
    unit=unit, direction=Direction.OUTGOING, defaults=dict(name="Sổ văn bản đi")
)
target = Unit.objects.filter(node__is_local=False).order_by("depth", "pk").first()
letter = DocumentType.objects.get(convention=Convention.PARTY, code="CV")
pdf = sample_pdf(pages=pages)
for i in range(start, start + count):
    doc = d.document_draft_create(
        actor=specialist, unit=unit, document_type=letter,
        subject=f"V/v thử liên thông văn bản số {{i}}", body="", file_data=pdf,
        file_name="cv.pdf", competence="T/M", signer=leader, signer_position="Bí thư",
        recipients_text="Như trên", recipient_units=[target],
        priority=priorities[i % len(priorities)],
    )
    d.document_submit(actor=specialist, document=doc)
    d.document_approve(actor=leader, document=doc)
    doc = d.document_sign(actor=leader, document=doc, second_factor_verified=True)
    d.document_issue(actor=clerk, document=doc, second_factor_verified=True)
print(json.dumps({{"issued": count, "target": target.name}}))
"""

#: What a node knows of the exchange (run by ``lienthong shell -c``).
STATE = r"""
import json
from collections import defaultdict
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem, StatusEntry
items = InboxItem.objects.all()
trails = defaultdict(set)
for edxml_id, code in StatusEntry.objects.values_list("edxml_id", "code"):
    trails[edxml_id].add(code)
arrivals = list(
    InboundMessage.objects.filter(kind="edoc", state="accepted")
    .order_by("received_at", "pk").values_list("priority", flat=True)
)
print(json.dumps({
    "inbox_items": items.count(),
    "inbox_documents": items.values("message__edxml_id").distinct().count(),
    "accepted_edocs": len(arrivals),
    "arrival_priorities": arrivals,
    "quarantined": InboundMessage.objects.filter(state="quarantined").count(),
    "queued": Envelope.objects.filter(state="queued").count(),
    "dead": Envelope.objects.filter(state="dead").count(),
    "delivered": Envelope.objects.filter(state="delivered").count(),
    "sent_edocs": Envelope.objects.filter(kind="edoc").count(),
    "trails_with_arrival": sum(1 for codes in trails.values() if {"00", "01"} <= codes),
    "trails": len(trails),
}))
"""


class Network:
    """The central node A and the Hà Nội node B under ``root``."""

    def __init__(self, root: Path, *, base_port: int = 8151, database_url: str = "") -> None:
        self.nodes = nodes_module()
        self.all = self.nodes.nodes(root, 2, base_port, database_url)
        self.a, self.b = self.all

    def setup(self) -> None:
        self.nodes.setup(self.all)
        self.nodes.run(self.b, "load_demo")
        self.nodes.run(self.b, "load_demo_trust")

    def start(self, *which: Any) -> None:
        self.nodes.start(list(which) or self.all)

    def stop(self, *which: Any) -> None:
        self.nodes.stop(list(which) or self.all)

    def kill(self, *which: Any) -> None:
        """SIGKILL the node's whole process group (web server and worker)."""
        import signal

        self.nodes.stop(list(which), sig=signal.SIGKILL)

    def shell(self, node: Any, code: str) -> dict[str, Any]:
        output = self.nodes.run(node, "shell", "-c", code, capture=True)
        return dict(json.loads(output.strip().splitlines()[-1]))

    def send(
        self, count: int, *, start: int = 0, priorities: tuple[int, ...] = (0,), pages: int = 1
    ) -> Any:
        """Start issuing ``count`` documents on B in the background; returns the process.

        ``pages``: pages of the uploaded PDF (about 2.2 KB each; 90 make 200 KB).
        """
        code = SEND.format(count=count, start=start, priorities=list(priorities), pages=pages)
        return subprocess.Popen(
            [self.nodes.LIENTHONG, "shell", "-c", code],
            env=self.b.env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def state(self, node: Any) -> dict[str, Any]:
        return self.shell(node, STATE)

    def wait_settled(self, expected: int, *, timeout: float = 600.0) -> tuple[dict, dict]:
        """Wait until A has ``expected`` documents and both outboxes are empty."""
        deadline = time.monotonic() + timeout
        a_state: dict[str, Any] = {}
        b_state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            a_state, b_state = self.state(self.a), self.state(self.b)
            if (
                a_state["accepted_edocs"] >= expected
                and a_state["queued"] == 0
                and b_state["queued"] == 0
                and b_state["trails_with_arrival"] >= expected
            ):
                return a_state, b_state
            time.sleep(2)
        return a_state, b_state
