"""Payloads of other apps: records that travel between nodes in an edXML envelope.

A member's record on transfer (issue #9 scope 2) is not a document for an inbox: it is
data for the records app of the receiving node. DESIGN.md "hooks": the higher app
registers, in its ``AppConfig.ready()``, a handler for a reserved attachment name
(``payload_hooks``) and a listener for the status messages that answer what it sent
(``status_hooks``); the exchange never imports it.

The path is the documents' path, with the same guarantees:

- ``payload_send``: one envelope for the recipient unit's node, signed by this node
  (XMLDSig), the payload encrypted to the receiving node (CMS, exchange/crypto.py), queued
  in the caller's transaction with the "sent" step of its trail;
- at the receiver, ``inbound_receive`` verifies the envelope like any other, de-duplicates
  it (a replay changes nothing), decrypts the payload and calls the handler registered
  for its name inside the transaction that accepts the envelope, then answers 01 "đã
  đến"; a handler that refuses the payload (``PayloadRefused``) sends the envelope to
  quarantine with the reason: nothing is dropped;
- ``payload_answer``: the receiving app's decision (06 done, 02 refused) goes back as a
  signed status message; at the sender, ``status_hooks`` hear it inside the transaction
  that appends it to the trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import record
from lienthong.core.errors import InvalidInput
from lienthong.exchange import edxml
from lienthong.exchange.choices import BusinessType, MessageKind, StatusCode
from lienthong.exchange.identity import local_node, node_identity, unit_address
from lienthong.exchange.models import Envelope, InboundMessage
from lienthong.exchange.services._common import _SYSTEM, _kick, _organization, _store_payload
from lienthong.exchange.services.outbox import _encrypted, _queue, status_send
from lienthong.exchange.trail import TrailStep, trail_append_many
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import Node, Unit

__all__ = [
    "PayloadArrival",
    "PayloadRefused",
    "PayloadStatus",
    "payload_answer",
    "payload_hooks",
    "payload_send",
    "run_status_hooks",
    "status_hooks",
]

#: The content type of a payload attachment (before encryption).
PAYLOAD_TYPE = "application/json"


@dataclass(frozen=True)
class PayloadArrival:
    """A verified payload, handed to its app inside the accepting transaction."""

    message: InboundMessage
    units: list[Unit]
    sender_node: Node
    sender_address: str
    sender_name: str
    document_id: str
    code: str
    promulgation_date: date | None
    data: bytes


@dataclass(frozen=True)
class PayloadStatus:
    """A status message about a payload this node sent (``unit`` sent it)."""

    unit: Unit
    document_id: str
    recipient_address: str
    code: str
    description: str
    node_code: str


class PayloadRefused(InvalidInput):
    """Raised by a payload handler: the payload cannot be taken (kept in quarantine)."""


#: Reserved attachment name → the handler of the app that owns it.
payload_hooks: dict[str, Callable[[PayloadArrival], None]] = {}
#: Called for every status message that reaches a trail at its sender (the listener
#: returns at once for a document id that is not one of its own).
status_hooks: list[Callable[[PayloadStatus], None]] = []


def run_status_hooks(status: PayloadStatus) -> None:
    """Tell the listeners (inside the caller's transaction)."""
    for hook in list(status_hooks):
        hook(status)


def payload_send(
    *,
    unit: Unit,
    recipient: Unit,
    name: str,
    data: bytes,
    subject: str,
    code_number: str,
    code_notation: str,
    type_name: str = "",
    priority: int = 0,
    sensitive: bool = True,
) -> Envelope:
    """Queue ``data`` for ``recipient`` (a unit of another node) as attachment ``name``.

    Call it inside the transaction of the state change it belongs to. The subject and
    the numbers travel in clear (the envelope's header); anything personal belongs in
    ``data``, which is encrypted to the receiving node. ``sensitive`` payloads (personal
    records) travel only between nodes of the dedicated network, never through a node on
    the Internet (as classified documents, vn-rules.md §5.2).

    Raises:
        InvalidInput: the recipient is on this node, or on the Internet for a sensitive
            payload, or the envelope cannot be built.
    """
    if name not in payload_hooks:
        raise InvalidInput(
            _("No handler on this node knows payloads named %(name)s.") % {"name": name}
        )
    node = recipient.node
    if node.is_local:
        raise InvalidInput(_("The recipient is on this node: nothing to send."))
    if sensitive:
        for end in (local_node(), node):
            if end.network_profile == NetworkProfile.INTERNET:
                raise InvalidInput(
                    _(
                        "This record cannot travel through %(node)s: that node is on the "
                        "Internet, not on the dedicated network."
                    )
                    % {"node": end}
                )
    identity = node_identity()
    today = timezone.localdate()
    address = unit_address(unit)
    attachment = edxml.Attachment(name=name, content_type=PAYLOAD_TYPE, data=data)
    message = edxml.EdocMessage(
        sender=_organization(unit),
        recipients=(_organization(recipient),),
        document_id=edxml.document_id_for(address, today, code_number, code_notation),
        code_number=code_number,
        code_notation=code_notation,
        promulgation_date=today,
        type=1,
        type_name=type_name[:100],
        subject=subject[:500],
        content=subject[:500],
        priority=priority,
        business=edxml.Business(doc_type=int(BusinessType.NEW), reason=type_name[:100]),
        trace=((local_node().code, timezone.now().replace(microsecond=0)),),
        attachments=tuple(_encrypted(node, [attachment])),
    )
    try:
        payload = edxml.build_edoc(message, signing_key=identity.key, signing_chain=identity.chain)
    except edxml.EdxmlError as exc:
        raise InvalidInput(
            _("The record cannot be put in an edXML envelope: %(reason)s") % {"reason": exc}
        ) from exc
    envelope = _queue(
        kind=MessageKind.EDOC,
        unit=unit,
        document=None,
        destination=node,
        recipients=[unit_address(recipient)],
        document_id=message.document_id,
        payload=_store_payload(payload, "edoc.edxml"),
        priority=priority,
        business_type=int(BusinessType.NEW),
    )
    trail_append_many(
        [
            TrailStep(
                unit=unit,
                document=None,
                document_id=message.document_id,
                recipient_organ_id=unit_address(recipient),
                code=StatusCode.SENT,
                description=_("Sent to %(unit)s") % {"unit": recipient.name},
                node_code=identity.node.code,
                at=timezone.now(),
            )
        ]
    )
    record(
        actor=_SYSTEM,
        verb="exchange.payload_sent",
        target=envelope,
        data={"name": name, "document_id": message.document_id, "recipient": recipient.pk},
    )
    _kick()
    return envelope


def payload_answer(
    *,
    unit: Unit,
    arrival: InboundMessage,
    code: str,
    code_text: str,
    promulgation_date: date | None,
    description: str,
) -> Envelope | None:
    """Answer a payload that reached ``unit``: 06 (taken) or 02 (refused), signed."""
    if code not in (StatusCode.DONE, StatusCode.REFUSED):
        raise ValueError(code)
    if arrival.sender_node is None:
        raise InvalidInput(_("The sender of this record is not known: it cannot be answered."))
    return status_send(
        unit=unit,
        document=None,
        response_for=edxml.ResponseFor(
            organ_id=arrival.sender_organ_id,
            code=code_text,
            promulgation_date=promulgation_date,
            document_id=arrival.edxml_id,
        ),
        destination=arrival.sender_node,
        sender_address=arrival.sender_organ_id,
        code=code,
        description=description,
    )
