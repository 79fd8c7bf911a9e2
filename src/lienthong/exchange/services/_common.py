"""What the exchange services share: settings, addresses, stored payloads, peers."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from lienthong.audit.actors import SystemActor
from lienthong.core.tasks import enqueue_on_commit
from lienthong.documents.services import files
from lienthong.exchange import edxml
from lienthong.exchange.choices import OutboxState
from lienthong.exchange.identity import unit_address
from lienthong.exchange.models import Envelope, Peer
from lienthong.org.models import Node, Unit

logger = logging.getLogger(__name__)


_SYSTEM = SystemActor("exchange")


#: The name suffix of an attachment encrypted to the receiving node (RFC 8551 ".p7m").
ENCRYPTED_SUFFIX = ".p7m"


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _organization(unit: Unit) -> edxml.Organization:
    parent = unit.parent.name if unit.parent_id and unit.parent is not None else ""
    return edxml.Organization(
        organ_id=unit_address(unit),
        organ_name=unit.name[:200],
        organization_in_charge=parent[:200],
    )


def _number_text(number: int | None) -> str:
    """Số below 10 is written with a leading zero (NĐ 30 Điều 15; vn-rules.md §1.2)."""
    if number is None:
        return ""
    return f"{number:02d}"


def _max_envelope_bytes() -> int:
    return int(_setting("EXCHANGE_MAX_ENVELOPE_MB", 100)) * 1024 * 1024


def _store_payload(data: bytes, name: str) -> Any:
    """Keep an envelope (sent or received) in the file store, up to the envelope cap."""
    return files.file_store(data=data, name=name, expected="any", max_bytes=_max_envelope_bytes())


def _kick() -> None:
    from lienthong.exchange.tasks import deliver_outbox

    enqueue_on_commit(deliver_outbox)


def _touch_peer(node: Node | None, error: str = "") -> None:
    """Note the last contact with ``node`` (or the last error) for the operations page."""
    if node is None or node.is_local:
        return
    changes: dict[str, Any] = {"last_error": error[:500]}
    if not error:
        changes["last_contact_at"] = timezone.now()
    Peer.objects.filter(node=node).update(**changes)


def _peer_alive(node: Node | None) -> None:
    """``node`` has just been heard from: what waits for it after failed attempts is due
    now (it need not sit out the rest of a long backoff)."""
    if node is None or node.is_local:
        return
    now = timezone.now()
    queued = Envelope.objects.filter(destination=node, state=OutboxState.QUEUED)
    # The wait is the moment shared by the envelopes that failed (``_settle``) and by
    # those queued behind them, never tried (``_queue``): all of it is due now, so the
    # most urgent goes first, not only the few that happened to be tried.
    waits = set(
        queued.filter(next_attempt_at__gt=now)
        .exclude(last_error="")
        .values_list("next_attempt_at", flat=True)
    )
    if waits:
        queued.filter(next_attempt_at__in=waits).update(next_attempt_at=now)


def _top_unit(node: Node) -> Unit | None:
    return Unit.objects.filter(node=node).order_by("depth", "sort_order", "pk").first()


def _dedup_key(parts: Iterable[Any]) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
