"""Two nodes on loopback, as real processes (issue #5 acceptance, scaled for CI).

The Hà Nội node B issues documents to a unit hosted by the central node A while the
nodes are killed with SIGKILL and restarted; then A is down for a whole run. Every
document must arrive exactly once, every "đã đến" must reach the sender, nothing may be
left in quarantine or among the dead letters, and what waited for a node that was down
must arrive most urgent first. The 1,000-document run is ``bench/bench_exchange.py``
(docs/benchmarks.md); this test runs the same harness with fewer documents so that CI
runs it on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.loopback import Network

#: Documents of the kill-and-restart run, and of the run while the receiver is down.
SENT_UNDER_KILLS = int(os.environ.get("LIENTHONG_TEST_EXCHANGE_DOCS", "40"))
SENT_WHILE_DOWN = 20


def _database_url_template() -> str:
    """Each node gets its own PostgreSQL database in the PostgreSQL pass of the suite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    settings = connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"postgres://{auth}@{host}/lt_loopback{worker}_{{code}}"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any) -> Iterator[Network]:
    """GIVEN the central node A and the Hà Nội node B, set up from nothing and running."""
    with django_db_blocker.unblock():
        template = _database_url_template()
    root = Path(tmp_path_factory.mktemp("nodes"))
    # Other ports on PostgreSQL, so both passes may run side by side on one machine, and
    # per xdist worker (each worker that runs a test of this module sets up its own pair).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    offset = 100 * int(worker) if worker.isdigit() else 0
    net = Network(root, base_port=(8161 if template else 8151) + offset, database_url=template)
    net.setup()
    net.start()
    try:
        yield net
    finally:
        net.stop()


def _finish(process: Any) -> None:
    _out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]


def test_documents_arrive_exactly_once_through_kills_and_restarts(network: Network) -> None:
    """GIVEN B issuing documents to a unit hosted by A
    WHEN A is killed (SIGKILL) and restarted twice and B once while they travel
    THEN A has each document exactly once in the unit's inbox, B's trail of each shows
    sent → arrived, and neither node has anything in quarantine or dead letters."""
    sender = network.send(SENT_UNDER_KILLS, priorities=(0, 1, 2, 3))
    for victim in (network.a, network.b, network.a):
        time.sleep(4)
        network.kill(victim)
        time.sleep(2)
        network.start(victim)
    _finish(sender)

    a_state, b_state = network.wait_settled(SENT_UNDER_KILLS)

    assert a_state["accepted_edocs"] == SENT_UNDER_KILLS
    assert a_state["inbox_items"] == SENT_UNDER_KILLS
    assert a_state["inbox_documents"] == SENT_UNDER_KILLS
    assert b_state["trails_with_arrival"] == SENT_UNDER_KILLS
    assert b_state["sent_edocs"] == SENT_UNDER_KILLS
    for state in (a_state, b_state):
        assert state["quarantined"] == 0
        assert state["dead"] == 0
        assert state["queued"] == 0


def test_what_waited_for_a_node_arrives_most_urgent_first(network: Network) -> None:
    """GIVEN A down for the whole run of 20 documents of mixed urgency issued by B
    WHEN A starts again
    THEN all 20 arrive, hỏa tốc first: the arrival priorities never increase."""
    before = network.state(network.a)["accepted_edocs"]
    network.stop(network.a)
    _finish(network.send(SENT_WHILE_DOWN, start=1000, priorities=(0, 3, 1, 4, 2)))
    time.sleep(3)  # let B's worker try, fail and back off
    network.start(network.a)

    a_state, b_state = network.wait_settled(before + SENT_WHILE_DOWN)

    arrived = a_state["arrival_priorities"][before:]
    assert len(arrived) == SENT_WHILE_DOWN
    assert arrived == sorted(arrived, reverse=True)
    assert arrived[0] == 4
    assert a_state["quarantined"] == 0 and b_state["dead"] == 0


#: Recalls the newest issued document on B (run by ``lienthong shell -c``).
RECALL = r"""
import json
from lienthong.documents import services as d
from lienthong.documents.models import Document
from lienthong.exchange.models import Envelope
from lienthong.org.models import User

clerk = User.objects.get(username="vanthu.hanoi")
document = Document.objects.filter(state="issued").order_by("-pk").first()
d.document_recall(actor=clerk, document=document, reason="Thu hồi thử giữa hai nút")
envelope = Envelope.objects.filter(document=document, kind="edoc").first()
print(json.dumps({"edxml_id": envelope.edxml_id}))
"""


def test_a_recall_crosses_the_network_and_the_answer_comes_back(network: Network) -> None:
    """GIVEN a document issued by B and waiting (not registered) in the inbox at A
    WHEN B's clerk recalls the newest one
    THEN A receives the signed 13, takes its copy out of the inbox, and B's trail of it
    ends sent → arrived → recall requested → accepted (15)."""
    from tests.integration.loopback import query_one

    # Its own document, whatever ran before (the order of tests is not a given).
    before = network.state(network.a)["accepted_edocs"]
    _finish(network.send(1, start=5000))
    network.wait_settled(before + 1)
    edxml_id = network.shell(network.b, RECALL)["edxml_id"].replace("'", "''")
    deadline = time.monotonic() + 300
    answered, state = 0, None
    while time.monotonic() < deadline:
        answered = query_one(
            network.b.database_url,
            "SELECT count(*) FROM exchange_statusentry "
            f"WHERE edxml_id = '{edxml_id}' AND code = '15'",
        )
        state = query_one(
            network.a.database_url,
            "SELECT i.state FROM exchange_inboxitem i JOIN exchange_inboundmessage m "
            f"ON m.id = i.message_id WHERE m.edxml_id = '{edxml_id}'",
        )
        if answered and state == "recalled":
            break
        time.sleep(1)

    assert state == "recalled"
    assert answered == 1
    codes = query_one(
        network.b.database_url,
        "SELECT count(DISTINCT code) FROM exchange_statusentry "
        f"WHERE edxml_id = '{edxml_id}' AND code IN ('00', '01', '13', '15')",
    )
    assert codes == 4
