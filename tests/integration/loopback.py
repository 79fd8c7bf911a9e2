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

#: What a node knows of the exchange: read straight from its database (a read-only
#: look from outside, as an operator's SQL would; no Django process to start, so the
#: watching costs the nodes under test next to nothing).
STATE_QUERIES = {
    "inbox_items": "SELECT count(*) FROM exchange_inboxitem",
    "inbox_documents": (
        "SELECT count(DISTINCT m.edxml_id) FROM exchange_inboxitem i "
        "JOIN exchange_inboundmessage m ON m.id = i.message_id"
    ),
    "quarantined": "SELECT count(*) FROM exchange_inboundmessage WHERE state = 'quarantined'",
    "queued": "SELECT count(*) FROM exchange_envelope WHERE state = 'queued'",
    "dead": "SELECT count(*) FROM exchange_envelope WHERE state = 'dead'",
    "delivered": "SELECT count(*) FROM exchange_envelope WHERE state = 'delivered'",
    "sent_edocs": "SELECT count(*) FROM exchange_envelope WHERE kind = 'edoc'",
    "trails_with_arrival": (
        "SELECT count(*) FROM (SELECT edxml_id FROM exchange_statusentry GROUP BY edxml_id "
        "HAVING sum(CASE WHEN code = '00' THEN 1 ELSE 0 END) > 0 "
        "AND sum(CASE WHEN code = '01' THEN 1 ELSE 0 END) > 0) t"
    ),
    "trails": "SELECT count(DISTINCT edxml_id) FROM exchange_statusentry",
}
ARRIVALS = (
    "SELECT priority FROM exchange_inboundmessage WHERE kind = 'edoc' AND state = 'accepted' "
    "ORDER BY received_at, id"
)


def _connect(database_url: str) -> Any:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        path = database_url.removeprefix("sqlite:///")
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    import psycopg

    return psycopg.connect(database_url.replace("postgres://", "postgresql://", 1))


def query_one(database_url: str, sql: str) -> Any:
    """The first column of the first row of ``sql`` on the node's database."""
    connection = _connect(database_url)
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        row = cursor.fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def read_state(database_url: str) -> dict[str, Any]:
    """The counts of ``STATE_QUERIES`` and the arrival priorities, from the node's database."""
    connection = _connect(database_url)
    try:
        cursor = connection.cursor()
        state: dict[str, Any] = {}
        for name, sql in STATE_QUERIES.items():
            cursor.execute(sql)
            state[name] = int(cursor.fetchone()[0])
        cursor.execute(ARRIVALS)
        state["arrival_priorities"] = [int(row[0]) for row in cursor.fetchall()]
        state["accepted_edocs"] = len(state["arrival_priorities"])
        return state
    finally:
        connection.close()


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
        return read_state(node.database_url)

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
            time.sleep(0.5)
        return a_state, b_state
