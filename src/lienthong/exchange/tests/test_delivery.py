"""Delivery to another node: backoff shared per node, new envelopes wait with the rest,
a probe notices a node that is back, refusals become dead letters (issue #5 scope 3).

The other node is a small HTTP server on loopback started by the test; it answers
``POST /exchange/v1/envelopes`` and ``GET /healthz`` with what the test tells it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from lienthong.audit.models import AuditEvent
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import storage
from lienthong.exchange import services
from lienthong.exchange.choices import MessageKind, OutboxState
from lienthong.exchange.models import Envelope
from lienthong.exchange.services.outbox import _queue
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import Node

pytestmark = pytest.mark.django_db

__all__ = ["storage"]


@dataclass
class Peer:
    """What the fake node answers, and what it received (priority header of each)."""

    post_status: int = 503
    health_status: int = 200
    received: list[bytes] = field(default_factory=list)


@pytest.fixture
def peer() -> Iterator[tuple[Peer, str]]:
    state = Peer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(state.health_status if self.path == "/healthz" else 404)
            self.end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.post_status < 300:
                state.received.append(body)
            self.send_response(state.post_status)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _node(url: str) -> Node:
    return Node.objects.create(
        code="Z", name="Nút thử", network_profile=NetworkProfile.DEDICATED, base_url=url
    )


def _queued(world: Any, node: Node, body: bytes, priority: int = 0) -> Envelope:
    return _queue(
        kind=MessageKind.EDOC,
        unit=world.province_a,
        document=None,
        destination=node,
        recipients=["Z.L1"],
        document_id=f"id-{body.decode()}",
        payload=files.file_store(data=b"<x>" + body + b"</x>", name="e.edxml"),
        priority=priority,
    )


def test_a_new_envelope_waits_with_the_others_while_the_node_is_down(
    world: Any, peer: tuple[Peer, str], storage: Any
) -> None:
    """GIVEN a node that answers 503 and one envelope that failed once
    WHEN more documents are queued for it and the outbox is delivered again
    THEN the new ones wait for the same moment as the first (no attempt now), so the
    first envelope's retry budget is not spent by the traffic behind it."""
    _state, url = peer
    node = _node(url)
    first = _queued(world, node, b"1")
    report = services.outbox_deliver()
    assert report.retried == 1
    first.refresh_from_db()
    assert first.attempts == 1 and first.next_attempt_at > timezone.now()

    later = [_queued(world, node, str(i).encode()) for i in range(2, 6)]
    report = services.outbox_deliver()

    assert (report.delivered, report.retried) == (0, 0)
    first.refresh_from_db()
    assert first.attempts == 1
    assert {e.next_attempt_at for e in Envelope.objects.filter(pk__in=[e.pk for e in later])} == {
        first.next_attempt_at
    }


def test_the_sweep_probe_notices_a_node_that_is_back_and_delivers_urgent_first(
    world: Any, peer: tuple[Peer, str], storage: Any
) -> None:
    """GIVEN three envelopes (normal, hỏa tốc, khẩn) waiting an hour for a node that was down
    WHEN the probe finds it answering /healthz, then the outbox is delivered
    THEN they are due at once and arrive hỏa tốc → khẩn → normal; the probe spent no
    retry budget; while /healthz fails the probe changes nothing."""
    state, url = peer
    node = _node(url)
    for body, priority in ((b"normal", 0), (b"flash", 3), (b"urgent", 1)):
        _queued(world, node, body, priority)
    later = timezone.now() + timedelta(hours=1)
    Envelope.objects.update(next_attempt_at=later, last_error="HTTP 503", attempts=3)

    state.health_status = 503
    assert services.outbox_probe() == []
    assert set(Envelope.objects.values_list("next_attempt_at", flat=True)) == {later}

    state.health_status, state.post_status = 200, 202
    assert services.outbox_probe() == ["Z"]
    report = services.outbox_deliver()

    assert report.delivered == 3
    assert [b.split(b">")[1].split(b"<")[0] for b in state.received] == [
        b"flash",
        b"urgent",
        b"normal",
    ]
    assert set(Envelope.objects.values_list("attempts", flat=True)) == {4}


def test_what_joined_the_wait_untried_is_due_with_the_rest_when_the_node_is_back(
    world: Any, peer: tuple[Peer, str], storage: Any
) -> None:
    """GIVEN a normal envelope that failed once, then hỏa tốc and khẩn envelopes queued
    behind it while the node is down (never tried, so no error of their own)
    WHEN the probe finds the node back and the outbox is delivered
    THEN all three are due at once and arrive hỏa tốc → khẩn → normal."""
    state, url = peer
    node = _node(url)
    _queued(world, node, b"normal", 0)
    assert services.outbox_deliver().retried == 1
    _queued(world, node, b"flash", 3)
    _queued(world, node, b"urgent", 1)
    assert services.outbox_deliver().delivered == 0

    state.post_status = 202
    assert services.outbox_probe() == ["Z"]
    report = services.outbox_deliver()

    assert report.delivered == 3
    assert [b.split(b">")[1].split(b"<")[0] for b in state.received] == [
        b"flash",
        b"urgent",
        b"normal",
    ]


def test_a_refusal_by_the_node_is_a_dead_letter_with_an_audit_record(
    world: Any, peer: tuple[Peer, str], storage: Any
) -> None:
    """GIVEN a node that answers 400 (it refuses the request itself)
    THEN the envelope is not retried: it is a dead letter, audited, with the answer."""
    state, url = peer
    state.post_status = 400
    envelope = _queued(world, _node(url), b"bad")

    report = services.outbox_deliver()

    envelope.refresh_from_db()
    assert report.dead == 1 and envelope.state == OutboxState.DEAD
    assert "HTTP 400" in envelope.last_error
    assert AuditEvent.objects.filter(verb="exchange.dead_letter").count() == 1
