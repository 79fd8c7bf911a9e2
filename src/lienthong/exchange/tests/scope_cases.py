"""How the shared permission matrix exercises the exchange app's scoped models."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.utils import timezone

from lienthong.core.testing.matrix import ScopeCase
from lienthong.exchange.choices import InboundState, MessageKind, StatusCode
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem, StatusEntry


def _stored() -> Any:
    from lienthong.documents.models import StoredFile

    digest = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    return StoredFile.objects.create(
        sha256=digest, size=1, content_type="application/xml", storage_name=digest
    )


def _envelope_in(unit: Any) -> Envelope:
    return Envelope.objects.create(
        kind=MessageKind.EDOC,
        unit=unit,
        destination=unit.node,
        recipient_organ_ids=["000.00.00.H41"],
        edxml_id="000.00.00.G22,2026/01/02,01/CV-VP",
        payload=_stored(),
        next_attempt_at=timezone.now(),
    )


def _inbound_in(unit: Any) -> InboundMessage:
    return InboundMessage.objects.create(
        unit=unit,
        kind=MessageKind.EDOC,
        sender_organ_id="000.00.00.G22",
        edxml_id=f"000.00.00.G22,2026/01/02,{uuid.uuid4().hex[:6]}/CV-VP",
        payload=_stored(),
        state=InboundState.QUARANTINED,
        reason="test",
    )


def _item_in(unit: Any) -> InboxItem:
    return InboxItem.objects.create(
        message=_inbound_in(unit),
        unit=unit,
        subject="V/v thử quyền truy cập",
        issuer_name="Văn phòng Trung ương Đảng",
        issuer_organ_id="000.00.00.G22",
    )


def _entry_in(unit: Any) -> StatusEntry:
    return StatusEntry.objects.create(
        unit=unit,
        edxml_id="000.00.00.G22,2026/01/02,01/CV-VP",
        recipient_organ_id=f"X.L{unit.pk}",
        code=StatusCode.SENT,
        node_code="LOCAL",
        at=timezone.now(),
        hash=uuid.uuid4().hex,
    )


SCOPE_CASES = [
    ScopeCase(model=Envelope, make=_envelope_in),
    ScopeCase(model=InboundMessage, make=_inbound_in),
    ScopeCase(model=InboxItem, make=_item_in),
    ScopeCase(model=StatusEntry, make=_entry_in),
]
