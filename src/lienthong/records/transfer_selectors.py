"""Reads of the transfers of Party life (issue #9 scope 2) for the transfers page.

Like every read of the records, it starts from ``Transfer.objects.restrict(user, ...)``
(STYLE habit 3) and is in the audit log: one ``member.transfer_list`` event for each
time the page is shown (how many rows, never their contents).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from lienthong.audit.services import record
from lienthong.records.choices import TransferDirection, TransferState
from lienthong.records.models import Transfer

__all__ = ["RECENT", "TransferLists", "transfer_list_read"]

#: How many of the latest transfers (both directions) the page shows.
RECENT = 100


@dataclass(frozen=True)
class TransferLists:
    """What the transfers page shows."""

    #: Incoming transfers the reader may see that wait for a decision, oldest first.
    waiting: QuerySet[Transfer]
    #: The ids of those the reader may decide on (accept or refuse).
    decidable: frozenset[int]
    #: The latest transfers the reader may see, both directions, newest first.
    recent: list[Transfer]


def transfer_list_read(*, user: Any) -> TransferLists:
    """The incoming transfers waiting for a decision and the latest ``RECENT`` transfers
    that ``user`` may see, the read recorded as one ``member.transfer_list`` event.

    Args:
        user: the reader.

    Returns:
        The two lists, and which waiting transfers the reader may accept or refuse.
    """
    visible = Transfer.objects.restrict(user, "view").select_related("unit", "node")
    waiting = visible.filter(direction=TransferDirection.IN, state=TransferState.PENDING).order_by(
        "transfer_on", "pk"
    )
    waiting_ids = list(waiting.values_list("pk", flat=True))
    decidable = frozenset(
        Transfer.objects.restrict(user, "change")
        .filter(pk__in=waiting_ids)
        .values_list("pk", flat=True)
    )
    recent = list(visible.order_by("-created_at", "-pk")[:RECENT])
    record(
        actor=user,
        verb="member.transfer_list",
        data={"waiting": len(waiting_ids), "shown": len(recent)},
    )
    return TransferLists(waiting=waiting, decidable=decidable, recent=recent)
