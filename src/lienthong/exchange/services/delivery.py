"""Delivery of the outbox: claim, deliver, settle; backoff per node; the probe.

The worker takes due envelopes, most urgent first (Priority 3-4 hỏa tốc before 0
thường, vn-rules.md §3.4): to this node through ``inbound_receive`` directly, to another
node over HTTPS; failures are retried with exponential backoff and jitter until the retry
budget is spent (dead letter).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.documents.services import files
from lienthong.exchange.choices import (
    OutboxState,
    StatusCode,
)
from lienthong.exchange.models import Envelope
from lienthong.exchange.services._common import (
    _SYSTEM,
    _kick,
    _peer_alive,
    _setting,
    _touch_peer,
)
from lienthong.exchange.services.inbound import inbound_receive
from lienthong.org.models import Node


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


class DeliveryError(Exception):
    """A delivery attempt failed; ``permanent`` when retrying cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(n-1), capped, times U(0.5, 1.5)."""
    base = float(_setting("EXCHANGE_RETRY_BASE_SECONDS", 5))
    cap = float(_setting("EXCHANGE_RETRY_MAX_SECONDS", 3600))
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=delay * random.uniform(0.5, 1.5))


def _send_remote(envelope: Envelope, data: bytes) -> None:
    from lienthong.exchange.transport import post_envelope

    post_envelope(node=envelope.destination, data=data)


def outbox_probe(*, timeout: float = 3.0) -> list[str]:
    """Ask each node we are waiting for (after failed attempts) whether it is back.

    One ``GET /healthz`` per such node (the sweep calls this every
    ``EXCHANGE_SWEEP_SECONDS``); a node that answers has its queue made due at once, so
    a node that returns after a day gets its documents within a sweep, not after the
    rest of an hour-long backoff. A probe is not a delivery attempt: it spends no retry
    budget. Returns the codes of the nodes found back.
    """
    from lienthong.exchange.transport import probe

    now = timezone.now()
    waiting = (
        Envelope.objects.filter(state=OutboxState.QUEUED, next_attempt_at__gt=now)
        .exclude(last_error="")
        .exclude(destination__is_local=True)
        .values_list("destination_id", flat=True)
        .distinct()
    )
    back = []
    for node in Node.objects.filter(pk__in=set(waiting)):
        if probe(node=node, timeout=timeout):
            _peer_alive(node)
            back.append(node.code)
    return back


def _deliver_one(envelope: Envelope) -> None:
    data = files.file_read(envelope.payload)
    if envelope.destination.is_local:
        outcome = inbound_receive(data=data, transport_node=envelope.destination)
        if outcome.code == StatusCode.REFUSED and outcome.message is None:
            raise DeliveryError(outcome.reason, permanent=True)
        return
    try:
        _send_remote(envelope, data)
    except DeliveryError as exc:
        _touch_peer(envelope.destination, str(exc) or "error")
        raise
    _touch_peer(envelope.destination)


def _lease_seconds() -> float:
    return float(_setting("EXCHANGE_HTTP_TIMEOUT_SECONDS", 30)) + 60.0


def _claim(destination: Node | None) -> Envelope | None:
    """Take the most urgent due envelope for a while (a lease), in a short transaction.

    ``SKIP LOCKED`` lets several workers share the outbox on PostgreSQL; the lease
    (``next_attempt_at`` moved past the delivery timeout) keeps the others off it after
    the claim commits. A worker that dies mid-delivery loses nothing: the lease runs out
    and the envelope is delivered again (the receiver de-duplicates).
    """
    now = timezone.now()
    with transaction.atomic():
        query = Envelope.objects.filter(state=OutboxState.QUEUED, next_attempt_at__lte=now)
        if destination is not None:
            query = query.filter(destination=destination)
        envelope = (
            query.select_for_update(skip_locked=True)
            .select_related("destination", "payload")
            .order_by("-priority", "created_at")
            .first()
        )
        if envelope is None:
            return None
        envelope.attempts += 1
        envelope.next_attempt_at = now + timedelta(seconds=_lease_seconds())
        envelope.save(update_fields=["attempts", "next_attempt_at"])
    return envelope


def _settle(envelope: Envelope, error: DeliveryError | None, report: DeliveryReport) -> None:
    """Record the outcome of one delivery attempt, in a short transaction."""
    budget = int(_setting("EXCHANGE_RETRY_LIMIT", 72))
    with transaction.atomic():
        if error is None:
            envelope.state = OutboxState.DELIVERED
            envelope.delivered_at = timezone.now()
            envelope.last_error = ""
            report.delivered += 1
        else:
            envelope.last_error = str(error)[:500]
            report.errors.append(envelope.last_error)
            if error.permanent or envelope.attempts >= budget:
                envelope.state = OutboxState.DEAD
                report.dead += 1
                record(
                    actor=_SYSTEM,
                    verb="exchange.dead_letter",
                    target=envelope,
                    data={"reason": envelope.last_error, "attempts": envelope.attempts},
                )
            else:
                envelope.next_attempt_at = timezone.now() + _backoff(envelope.attempts)
                report.retried += 1
                # The node is unreachable: everything queued for it waits for the same
                # moment, so that when it is back the most urgent goes first (not
                # whichever envelope's own backoff ran out first).
                Envelope.objects.filter(
                    destination_id=envelope.destination_id, state=OutboxState.QUEUED
                ).exclude(pk=envelope.pk).update(next_attempt_at=envelope.next_attempt_at)
        envelope.save(update_fields=["state", "next_attempt_at", "last_error", "delivered_at"])


def outbox_deliver(*, limit: int = 200, destination: Node | None = None) -> DeliveryReport:
    """Deliver due envelopes, most urgent first, each at most once per call.

    Claim, deliver, settle: the delivery itself (HTTP, or the local receive) runs
    outside any transaction, so a slow peer never holds a database lock. A crash
    loses nothing and delivers at most the envelope in flight twice (the receiver
    de-duplicates).
    """
    report = DeliveryReport()
    for _round in range(limit):
        envelope = _claim(destination)
        if envelope is None:
            break
        try:
            _deliver_one(envelope)
        except DeliveryError as exc:
            _settle(envelope, exc, report)
        else:
            _settle(envelope, None, report)
    return report


def envelope_redrive(*, actor: Actor, envelope: Envelope) -> Envelope:
    """Put a dead letter back in the queue (the IT officer's button), audited."""
    if envelope.state != OutboxState.DEAD:
        raise InvalidInput(_("Only an undeliverable envelope can be sent again."))
    with transaction.atomic():
        envelope.state = OutboxState.QUEUED
        envelope.attempts = 0
        envelope.next_attempt_at = timezone.now()
        envelope.save(update_fields=["state", "attempts", "next_attempt_at"])
        record(actor=actor, verb="exchange.redrive", target=envelope)
        _kick()
    return envelope
