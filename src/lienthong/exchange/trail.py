"""The status trail: a hash chain per (document, recipient) on each side (issue #5 scope 5).

sent → arrived → registered → assigned → in progress → done: each step is a
``StatusEntry`` whose ``hash`` covers the previous hash and the step; steps that
happened on another node keep the signed status message they came in, so the sender
can verify the whole trail on its own (``trail_verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from lienthong.exchange.choices import StatusCode
from lienthong.exchange.models import StatusEntry

_CODES = frozenset(StatusCode.values)

__all__ = [
    "TrailCheck",
    "TrailStep",
    "chain_check",
    "entry_hash",
    "trail_append",
    "trail_append_many",
    "trail_verify",
]


def entry_hash(
    *,
    previous_hash: str,
    document_id: str,
    recipient_organ_id: str,
    code: str,
    description: str,
    node_code: str,
    at: dt.datetime,
    message_sha256: str,
) -> str:
    """The SHA-256 of a step and the hash before it (canonical JSON)."""
    body = json.dumps(
        [
            previous_hash,
            document_id,
            recipient_organ_id,
            code,
            description,
            node_code,
            at.astimezone(dt.UTC).isoformat(),
            message_sha256,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TrailStep:
    """One step to append: to the chain of (``document_id``, ``recipient_organ_id``) of ``unit``."""

    unit: Any
    document: Any
    document_id: str
    recipient_organ_id: str
    code: str
    node_code: str
    description: str = ""
    at: dt.datetime | None = None
    message: Any = None


def trail_append_many(steps: list[TrailStep]) -> list[StatusEntry]:
    """Append steps (in order) to their chains, in one transaction and a few queries.

    A fan-out to thousands of recipients appends thousands of steps at once: the last
    hash of every chain concerned is read in one query (under row locks on PostgreSQL),
    the new entries are chained in memory (several steps of one chain follow each other)
    and inserted in bulk. The unique constraint on (chain, previous hash) refuses a fork
    made by a concurrent writer on every database: the whole batch is then rolled back.
    """
    if not steps:
        return []
    now = timezone.now()
    with transaction.atomic():
        last: dict[tuple[int, str, str], str] = {}
        chains = {(s.unit.pk, s.document_id, s.recipient_organ_id) for s in steps}
        rows = (
            StatusEntry.objects.select_for_update()
            .filter(
                unit_id__in={c[0] for c in chains},
                edxml_id__in={c[1] for c in chains},
                recipient_organ_id__in={c[2] for c in chains},
            )
            .order_by("pk")
            .values_list("unit_id", "edxml_id", "recipient_organ_id", "hash")
        )
        for unit_id, edxml_id, recipient, hash_ in rows.iterator(chunk_size=2000):
            last[(unit_id, edxml_id, recipient)] = hash_
        entries = []
        for step in steps:
            if step.code not in _CODES or len(step.recipient_organ_id) > 35:
                raise ValueError(f"not a trail step: {step.code!r} for {step.recipient_organ_id!r}")
            chain = (step.unit.pk, step.document_id, step.recipient_organ_id)
            previous = last.get(chain, "")
            at = step.at or now
            description = step.description[:1000]
            entry = StatusEntry(
                unit=step.unit,
                document=step.document,
                edxml_id=step.document_id,
                recipient_organ_id=step.recipient_organ_id,
                code=step.code,
                description=description,
                node_code=step.node_code,
                at=at,
                message=step.message,
                previous_hash=previous,
                hash=entry_hash(
                    previous_hash=previous,
                    document_id=step.document_id,
                    recipient_organ_id=step.recipient_organ_id,
                    code=step.code,
                    description=description,
                    node_code=step.node_code,
                    at=at,
                    message_sha256=step.message.sha256 if step.message is not None else "",
                ),
            )
            last[chain] = entry.hash
            entries.append(entry)
        StatusEntry.objects.bulk_create(entries, batch_size=500)
    return entries


def trail_append(
    *,
    unit: Any,
    document: Any,
    document_id: str,
    recipient_organ_id: str,
    code: str,
    description: str = "",
    node_code: str,
    at: dt.datetime | None = None,
    message: Any = None,
) -> StatusEntry:
    """Append one step to the chain of (``document_id``, ``recipient_organ_id``) of ``unit``."""
    return trail_append_many(
        [
            TrailStep(
                unit=unit,
                document=document,
                document_id=document_id,
                recipient_organ_id=recipient_organ_id,
                code=code,
                description=description,
                node_code=node_code,
                at=at,
                message=message,
            )
        ]
    )[0]


@dataclass(frozen=True)
class TrailCheck:
    """The outcome of checking one chain: ``ok``, or the first entry that breaks it."""

    ok: bool
    entries: int
    broken_at: int | None = None


def trail_verify(*, unit: Any, document_id: str, recipient_organ_id: str) -> TrailCheck:
    """Recompute the chain of (``document_id``, ``recipient_organ_id``) of ``unit``."""
    return chain_check(
        StatusEntry.objects.filter(
            unit=unit, edxml_id=document_id, recipient_organ_id=recipient_organ_id
        )
        .select_related("message")
        .order_by("pk")
    )


def chain_check(entries: Iterable[StatusEntry]) -> TrailCheck:
    """Recompute one chain from its entries, oldest first (their ``message`` loaded).

    The page of a document sent to thousands of recipients reads every chain in one
    query and checks each here, instead of one query per recipient.
    """
    previous = ""
    count = 0
    for entry in entries:
        count += 1
        expected = entry_hash(
            previous_hash=previous,
            document_id=entry.edxml_id,
            recipient_organ_id=entry.recipient_organ_id,
            code=entry.code,
            description=entry.description,
            node_code=entry.node_code,
            at=entry.at,
            message_sha256=entry.message.sha256 if entry.message is not None else "",
        )
        if entry.previous_hash != previous or entry.hash != expected:
            return TrailCheck(ok=False, entries=count, broken_at=entry.pk)
        previous = entry.hash
    return TrailCheck(ok=True, entries=count)
