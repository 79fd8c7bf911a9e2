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
    return f"postgres://{auth}@{host}/lt_loopback_{{code}}"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any) -> Iterator[Network]:
    """GIVEN the central node A and the Hà Nội node B, set up from nothing and running."""
    with django_db_blocker.unblock():
        template = _database_url_template()
    root = Path(tmp_path_factory.mktemp("nodes"))
    # Other ports on PostgreSQL, so both passes may run side by side on one machine.
    net = Network(root, base_port=8161 if template else 8151, database_url=template)
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
