"""Reads of the exchange app that reach a person (STYLE habit 3): each starts from
``restrict(user, action)``. ``operations_summary`` is a system read for /healthz."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import NotFound
from lienthong.exchange.choices import InboundState, InboxState, OutboxState
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem, Peer, StatusEntry

__all__ = [
    "OperationsSummary",
    "dead_letters",
    "envelope_get",
    "inbound_get",
    "inbox_get",
    "inbox_list",
    "operations_summary",
    "peers",
    "quarantine_list",
    "trail_for",
]


def inbox_list(*, user: Any, state: str = InboxState.ARRIVED) -> QuerySet[InboxItem]:
    """Received documents in the units ``user`` may see, most urgent first."""
    qs = InboxItem.objects.restrict(user, "view").select_related("unit", "message")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-priority", "arrived_at")


def inbox_get(*, user: Any, pk: Any, action: str = "change") -> InboxItem:
    """One inbox item ``user`` may ``action``.

    Raises:
        NotFound: no such item within the person's scope.
    """
    try:
        return (
            InboxItem.objects.restrict(user, action)
            .select_related("unit", "message__sender_node")
            .get(pk=pk)
        )
    except (InboxItem.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound(_("This received document does not exist or is out of your reach.")) from exc


def trail_for(*, user: Any, document: Any) -> dict[str, list[StatusEntry]]:
    """The status trail of an outgoing document, per recipient address."""
    rows = (
        StatusEntry.objects.restrict(user, "view")
        .filter(document=document, unit=document.unit)
        .select_related("message")
        .order_by("recipient_organ_id", "pk")
    )
    out: dict[str, list[StatusEntry]] = {}
    for row in rows:
        out.setdefault(row.recipient_organ_id, []).append(row)
    return out


def quarantine_list(*, user: Any) -> QuerySet[InboundMessage]:
    """Envelopes in quarantine in the units ``user`` operates."""
    return (
        InboundMessage.objects.restrict(user, "change")
        .filter(state=InboundState.QUARANTINED)
        .select_related("unit", "sender_node")
        .order_by("-received_at")
    )


def inbound_get(*, user: Any, pk: Any) -> InboundMessage:
    """One received envelope ``user`` may release or discard.

    Raises:
        NotFound: no such envelope within the person's scope.
    """
    try:
        return InboundMessage.objects.restrict(user, "change").select_related("payload").get(pk=pk)
    except (InboundMessage.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound(_("This envelope does not exist or is out of your reach.")) from exc


def dead_letters(*, user: Any) -> QuerySet[Envelope]:
    """Undeliverable envelopes of the units ``user`` operates."""
    return (
        Envelope.objects.restrict(user, "change")
        .filter(state=OutboxState.DEAD)
        .select_related("destination", "unit")
        .order_by("-created_at")
    )


def envelope_get(*, user: Any, pk: Any) -> Envelope:
    """One outgoing envelope ``user`` may re-drive.

    Raises:
        NotFound: no such envelope within the person's scope.
    """
    try:
        return Envelope.objects.restrict(user, "change").get(pk=pk)
    except (Envelope.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound(_("This envelope does not exist or is out of your reach.")) from exc


def peers() -> QuerySet[Peer]:
    """Every peer node (the directory is public within the network)."""
    return Peer.objects.select_related("node").order_by("node__code")


@dataclass(frozen=True)
class OperationsSummary:
    queued: int
    due: int
    dead: int
    quarantined: int
    lag_seconds: float


def operations_summary() -> OperationsSummary:
    """Outbox depth, age of the oldest due envelope, dead letters, quarantine (system read)."""
    now = timezone.now()
    queued = Envelope.objects.filter(state=OutboxState.QUEUED)
    due = queued.filter(next_attempt_at__lte=now)
    oldest = due.aggregate(oldest=Min("created_at"))["oldest"]
    return OperationsSummary(
        queued=queued.count(),
        due=due.count(),
        dead=Envelope.objects.filter(state=OutboxState.DEAD).count(),
        quarantined=InboundMessage.objects.filter(state=InboundState.QUARANTINED).count(),
        lag_seconds=round((now - oldest).total_seconds(), 1) if oldest else 0.0,
    )
