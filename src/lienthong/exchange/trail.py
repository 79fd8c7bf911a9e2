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
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from lienthong.exchange.models import StatusEntry

__all__ = ["TrailCheck", "entry_hash", "trail_append", "trail_verify"]


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
    """Append a step to the chain of (``document_id``, ``recipient_organ_id``) of ``unit``.

    The last entry is read under a row lock (PostgreSQL) and the unique constraint on
    (chain, previous hash) refuses a fork on every database.
    """
    at = at or timezone.now()
    with transaction.atomic():
        last = (
            StatusEntry.objects.select_for_update()
            .filter(unit=unit, edxml_id=document_id, recipient_organ_id=recipient_organ_id)
            .order_by("-pk")
            .first()
        )
        previous = last.hash if last is not None else ""
        description = description[:1000]
        entry = StatusEntry(
            unit=unit,
            document=document,
            edxml_id=document_id,
            recipient_organ_id=recipient_organ_id,
            code=code,
            description=description,
            node_code=node_code,
            at=at,
            message=message,
            previous_hash=previous,
            hash=entry_hash(
                previous_hash=previous,
                document_id=document_id,
                recipient_organ_id=recipient_organ_id,
                code=code,
                description=description,
                node_code=node_code,
                at=at,
                message_sha256=message.sha256 if message is not None else "",
            ),
        )
        entry.full_clean()
        entry.save()
    return entry


@dataclass(frozen=True)
class TrailCheck:
    """The outcome of checking one chain: ``ok``, or the first entry that breaks it."""

    ok: bool
    entries: int
    broken_at: int | None = None


def trail_verify(*, unit: Any, document_id: str, recipient_organ_id: str) -> TrailCheck:
    """Recompute the chain of (``document_id``, ``recipient_organ_id``) of ``unit``."""
    previous = ""
    count = 0
    for entry in (
        StatusEntry.objects.filter(
            unit=unit, edxml_id=document_id, recipient_organ_id=recipient_organ_id
        )
        .select_related("message")
        .order_by("pk")
    ):
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
