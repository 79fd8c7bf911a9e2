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


#: B's organisation department sends a member of Hà Nội to the unit A hosts.
TRANSFER_SEND = r"""
import json
from lienthong.org.models import Unit, User
from lienthong.records.models import Member
from lienthong.records.transfers import transfer_send

org = User.objects.get(username="bantochuc.hanoi")
member = Member.objects.filter(state="active").exclude(card_number="").order_by("pk").first()
target = Unit.objects.filter(node__is_local=False).order_by("depth", "pk").first()
out = transfer_send(actor=org, member=member, to_unit=target, note="Chuyển công tác")
print(json.dumps({"edxml_id": out.edxml_id, "member": member.pk, "card": member.card_number,
                  "name": member.full_name, "target": target.name}))
"""

#: A's organisation department of the receiving unit accepts the transfer.
TRANSFER_ACCEPT = r"""
import json
from lienthong.audit.actors import SystemActor
from lienthong.org import services as org
from lienthong.org.choices import RoleCode
from lienthong.org.models import Role, User
from lienthong.records.models import Transfer
from lienthong.records.transfers import transfer_accept

incoming = Transfer.objects.get(direction="in", edxml_id={edxml_id!r})
user, _ = User.objects.get_or_create(
    username="bantochuc.a", defaults={{"full_name": "Ban Tổ chức A"}}
)
if not user.memberships.filter(unit=incoming.unit).exists():
    org.membership_create(actor=SystemActor("test"), user=user, unit=incoming.unit,
                          role=Role.objects.get(code=RoleCode.ORGANISATION), is_primary=True)
member = transfer_accept(actor=user, transfer=incoming)
print(json.dumps({{"member": member.pk, "card": member.card_number, "name": member.full_name,
                  "from": member.transferred_in_from, "unit": member.unit.name}}))
"""


#: What B's envelope of the transfer carries in clear.
ENVELOPE = r"""
import json
from lienthong.documents.services import files
from lienthong.exchange import edxml
from lienthong.exchange.models import Envelope
from lienthong.records.models import Member, Transfer

out = Transfer.objects.get(direction="out", edxml_id={edxml_id!r})
envelope = Envelope.objects.get(edxml_id={edxml_id!r}, kind="edoc")
data = files.file_read(envelope.payload)
parsed = edxml.parse(data)
print(json.dumps({{
    "attachment": parsed.message.attachments[0].name,
    "card_in_clear": out.member.card_number.encode() in data,
    "name_in_clear": out.member.full_name.encode() in data,
}}))
"""

#: Deliver again, over HTTPS, every envelope this node sent about the transfer.
REPLAY = r"""
import json
from lienthong.documents.services import files
from lienthong.exchange.models import Envelope
from lienthong.exchange.transport import post_envelope

posted = 0
for envelope in Envelope.objects.filter(edxml_id={edxml_id!r}, state="delivered"):
    post_envelope(node=envelope.destination, data=files.file_read(envelope.payload))
    posted += 1
print(json.dumps({{"posted": posted}}))
"""


def _why(network: Network, edxml_id: str) -> str:
    """What the two nodes know of the envelope (the message of a failed assertion)."""
    from tests.integration.loopback import query_one

    return str(
        {
            "b_envelope": query_one(
                network.b.database_url,
                "SELECT state || ' ' || last_error FROM exchange_envelope "
                f"WHERE edxml_id = '{edxml_id}' AND kind = 'edoc'",
            ),
            "a_inbound": query_one(
                network.a.database_url,
                "SELECT state || ' ' || reason FROM exchange_inboundmessage "
                "ORDER BY received_at DESC LIMIT 1",
            ),
        }
    )


def _wait_for(database_url: str, sql: str, expected: Any, timeout: float = 300) -> Any:
    from tests.integration.loopback import query_one

    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = query_one(database_url, sql)
        if value == expected:
            return value
        time.sleep(1)
    return value


def test_a_membership_transfer_crosses_the_network_once(network: Network) -> None:
    """GIVEN a member's record kept by the organisation department of Hà Nội on B
    WHEN B sends the transfer to a unit hosted by A, and A's department accepts it
    THEN the record arrives at A verified (the envelope accepted, its payload decrypted),
    A opens the record, B's record is closed "transferred out"; the same envelope and the
    same answer delivered again change nothing."""
    from lienthong.records.transfers import PAYLOAD
    from tests.integration.loopback import query_one

    network.nodes.run(network.b, "load_demo_records")
    sent = network.shell(network.b, TRANSFER_SEND)
    edxml_id = sent["edxml_id"].replace("'", "''")
    assert edxml_id.endswith("/GTSHĐ")
    arrived = _wait_for(
        network.a.database_url,
        f"SELECT count(*) FROM records_transfer WHERE direction = 'in' AND edxml_id = '{edxml_id}'",
        1,
        timeout=120,
    )
    assert arrived == 1, _why(network, edxml_id)
    # Verified: the envelope was accepted (signature, sender, decryption), not quarantined.
    assert (
        query_one(
            network.a.database_url,
            f"SELECT state FROM exchange_inboundmessage WHERE edxml_id = '{edxml_id}'",
        )
        == "accepted"
    )
    # The personal record travelled encrypted: not in clear in the envelope B sent.
    envelope = network.shell(network.b, ENVELOPE.format(edxml_id=sent["edxml_id"]))
    assert envelope["attachment"] == PAYLOAD + ".p7m"
    assert envelope["card_in_clear"] is False and envelope["name_in_clear"] is False

    accepted = network.shell(network.a, TRANSFER_ACCEPT.format(edxml_id=sent["edxml_id"]))
    assert (accepted["card"], accepted["name"]) == (sent["card"], sent["name"])
    assert accepted["from"]

    closed = _wait_for(
        network.b.database_url,
        f"SELECT state FROM records_member WHERE id = {int(sent['member'])}",
        "transferred_out",
    )
    assert closed == "transferred_out"
    assert (
        query_one(
            network.b.database_url,
            "SELECT state FROM records_transfer "
            f"WHERE direction = 'out' AND edxml_id = '{edxml_id}'",
        )
        == "accepted"
    )
    # Delivered again, the transfer envelope and the answer change nothing.
    assert network.shell(network.b, REPLAY.format(edxml_id=sent["edxml_id"]))["posted"] == 1
    assert network.shell(network.a, REPLAY.format(edxml_id=sent["edxml_id"]))["posted"] >= 2
    assert (
        query_one(
            network.a.database_url,
            f"SELECT count(*) FROM records_member WHERE card_number = '{sent['card']}'",
        )
        == 1
    )
    assert (
        query_one(
            network.a.database_url,
            f"SELECT count(*) FROM records_transfer WHERE edxml_id = '{edxml_id}'",
        )
        == 1
    )
    assert (
        query_one(
            network.b.database_url,
            "SELECT count(*) FROM audit_auditevent WHERE verb = 'member.transfer_closed'",
        )
        == 1
    )
