"""Writing and verifying the audit log.

Every service that changes legal state calls ``record`` with an actor, whatever the caller
(HTTP, task, command line, peer node): the log never depends on an HTTP request
(STYLE habit 11, anti-pattern D).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from lienthong.audit.actors import PeerActor, SystemActor
from lienthong.audit.choices import ActorKind
from lienthong.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent

__all__ = ["Actor", "ChainBreak", "audit_chain_verify", "record"]

Actor = AbstractBaseUser | SystemActor | PeerActor


def _describe_actor(actor: Actor) -> tuple[str, Any, str]:
    if isinstance(actor, SystemActor):
        return ActorKind.SYSTEM, None, str(actor)
    if isinstance(actor, PeerActor):
        return ActorKind.PEER, None, str(actor)
    if isinstance(actor, AbstractBaseUser) and actor.pk is not None:
        return ActorKind.USER, actor, actor.get_username()
    raise TypeError(f"An audit record needs a real actor, got {actor!r}")


def record(
    *,
    actor: Actor,
    verb: str,
    target: models.Model | None = None,
    unit_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log, inside the caller's transaction.

    Args:
        actor: a person, a ``SystemActor`` or a ``PeerActor``; required.
        verb: what happened, ``<entity>.<action>`` (``"unit.create"``).
        target: the object concerned, if any.
        unit_id: the unit the change concerns (scopes who may read the event); taken
            from ``target.audit_unit_id`` when not given.
        data: details (JSON-serialisable: changed fields, counts, reasons).

    Returns:
        The stored event.

    Raises:
        TypeError: no actor, or an unsaved person.
    """
    kind, user, label = _describe_actor(actor)
    if unit_id is None and target is not None:
        unit_id = getattr(target, "audit_unit_id", None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_kind=kind,
            actor_user=user,
            actor_label=label[:200],
            verb=verb,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:300] if target is not None else "",
            unit_id=unit_id,
            data=data or {},
            prev_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.seq = event.seq
        head.hash = event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    """The first row where the chain does not hold."""

    seq: int
    """The sequence number of the broken row (or of the row after a gap)."""
    reason: str
    """Why: the content does not match its hash, or the link to the previous row is cut."""


def audit_chain_verify(
    *, progress: Callable[[int], None] | None = None, batch_size: int = 2000
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order and report the first break.

    System use (no user scope): the operator's ``lienthong audit_verify`` calls it.

    Args:
        progress: called with the number of rows checked so far, after each batch.
        batch_size: rows read per query.

    Returns:
        The number of rows checked and the first break (None when the chain is whole).
    """
    checked = 0
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in _iterate(batch_size):
        if event.seq != expected_seq:
            return checked, ChainBreak(
                event.seq, f"row(s) missing before #{event.seq} (expected #{expected_seq})"
            )
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(event.seq, "link to the previous row does not match")
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(event.seq, "content does not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
        if progress is not None and checked % batch_size == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.seq != checked:
        return checked, ChainBreak(
            head.seq, f"the log ends at #{checked} but the chain head says #{head.seq}"
        )
    if progress is not None:
        progress(checked)
    return checked, None


def _iterate(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
