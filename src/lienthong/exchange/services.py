"""Exchange services: outbox, delivery, inbound verification, inbox, status messages.

DESIGN.md "the main path of a document", steps 4-7 (issue #5 scopes 3-5):

- ``envelopes_for_issued`` (the documents ``issued_hooks``): one signed edXML envelope
  per recipient *node* into the outbox, in the issuing transaction; a classified
  document addressed to a node on the Internet is refused there (vn-rules.md §5.2).
- ``outbox_deliver``: the worker takes due envelopes, most urgent first (Priority 3-4
  hỏa tốc before 0 thường, vn-rules.md §3.4), and delivers each: to this node through
  ``inbound_receive`` directly, to another node over HTTPS; failures are retried with
  exponential backoff and jitter until the retry budget is spent (dead letter).
- ``inbound_receive``: the one entrance for every envelope, local or remote: parse
  (hostile XML refused), check the sender's node signature against the directory and
  the trust anchors (chain, revocation), de-duplicate (a replay registers nothing),
  verify every PDF signature, put the document in each recipient unit's inbox and answer
  01 "đã đến"; anything wrong is kept in quarantine with its reason and answered 02
  where the sender is known.
- ``inbox_register`` / ``inbox_refuse`` and the handling hook: each step at the
  recipient (03, 04, 05, 06) goes back to the sender as a signed status message and is
  appended to the status trail on both sides.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.actors import PeerActor, SystemActor
from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.core.tasks import enqueue_on_commit
from lienthong.documents.choices import FileKind
from lienthong.documents.services import files
from lienthong.exchange import edxml
from lienthong.exchange.choices import (
    BusinessType,
    InboundState,
    InboxState,
    MessageKind,
    OutboxState,
    StatusCode,
)
from lienthong.exchange.crypto import ENCRYPTED_TYPE, DecryptError, decrypt, encrypt_for
from lienthong.exchange.identity import (
    known_envelope_certificates,
    local_node,
    node_identity,
    unit_address,
    unit_by_address,
)
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem, Peer, StatusEntry
from lienthong.exchange.trail import trail_append
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import Node, Unit

__all__ = [
    "DeliveryReport",
    "ReceiveOutcome",
    "envelope_redrive",
    "envelopes_for_issued",
    "inbound_discard",
    "inbound_receive",
    "inbound_release",
    "inbox_refuse",
    "inbox_register",
    "on_document_issued",
    "on_handling_step",
    "outbox_deliver",
    "status_send",
]

logger = logging.getLogger(__name__)

_SYSTEM = SystemActor("exchange")

#: The name suffix of an attachment encrypted to the receiving node (RFC 8551 ".p7m").
ENCRYPTED_SUFFIX = ".p7m"


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --------------------------------------------------------------------------- outbox


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


def edxml_document_id(document: Any) -> str:
    """The edXML DocumentId of an issued document: "OrganId,yyyy/MM/dd,Số/Ký hiệu"."""
    return str(
        edxml.document_id_for(
            unit_address(document.unit),
            document.issued_date,
            _number_text(document.code_number),
            document.code_notation,
        )
    )


def _attachments(document: Any) -> list[edxml.Attachment]:
    signed = document.files.filter(kind=FileKind.SIGNED).select_related("stored")
    latest = signed.order_by("-version").first()
    if latest is None:
        raise InvalidInput(_("The document has no signed file to send."))
    out = [
        edxml.Attachment(
            name=latest.name or "van-ban.pdf",
            content_type=latest.stored.content_type,
            data=files.file_read(latest.stored),
        )
    ]
    for extra in document.files.filter(kind=FileKind.ATTACHMENT).select_related("stored"):
        out.append(
            edxml.Attachment(
                name=extra.name,
                content_type=extra.stored.content_type,
                data=files.file_read(extra.stored),
            )
        )
    return out


def _business(document: Any) -> edxml.Business:
    """BussinessDocType (vn-rules.md §3.4): 3 for a replacement (thay thế, with the
    replaced document's id); a correction (đính chính) is a công văn of its own with its
    own number, hence a new document (0), like any other."""
    replaced = document.replaces if document.link_kind == "replaces" else None
    if replaced is not None and replaced.code_number is not None:
        return edxml.Business(
            doc_type=int(BusinessType.REPLACE),
            reason="Văn bản thay thế",
            replaced_document_ids=(edxml_document_id(replaced),),
        )
    return edxml.Business(doc_type=int(BusinessType.NEW), reason="Văn bản điện tử mới")


def _edoc_for(
    document: Any, recipients: list[Unit], attachments: list[edxml.Attachment]
) -> edxml.EdocMessage:
    places = tuple(
        line.strip()[:150] for line in (document.recipients_text or "").splitlines() if line.strip()
    )
    return edxml.EdocMessage(
        sender=_organization(document.unit),
        recipients=tuple(_organization(unit) for unit in recipients),
        document_id=edxml_document_id(document),
        code_number=_number_text(document.code_number),
        code_notation=document.code_notation,
        place=str(getattr(document, "place", "") or "")[:50],
        promulgation_date=document.issued_date,
        type=1,
        type_detail=None,
        type_name=document.document_type.name[:100],
        subject=document.subject[:500],
        content=(document.body or document.subject)[:500],
        signer=edxml.Signer(
            competence=str(document.competence or "")[:100],
            position=document.signer_position[:100],
            full_name=document.signer_name[:50],
        ),
        due_date=document.due_date,
        priority=int(document.priority),
        steering_type=None,
        to_places=places,
        response_for=(),
        business=_business(document),
        trace=((local_node().code, timezone.now().replace(microsecond=0)),),
        attachments=tuple(attachments),
    )


def _encrypted(node: Node, attachments: list[edxml.Attachment]) -> list[edxml.Attachment]:
    """The attachments encrypted end to end to ``node`` (exchange/crypto.py)."""
    return [
        edxml.Attachment(
            name=f"{item.name}{ENCRYPTED_SUFFIX}",
            content_type=ENCRYPTED_TYPE,
            data=encrypt_for(node, item.data),
            description=item.description,
        )
        for item in attachments
    ]


def _max_envelope_bytes() -> int:
    return int(_setting("EXCHANGE_MAX_ENVELOPE_MB", 100)) * 1024 * 1024


def _store_payload(data: bytes, name: str) -> Any:
    """Keep an envelope (sent or received) in the file store, up to the envelope cap."""
    return files.file_store(data=data, name=name, expected="any", max_bytes=_max_envelope_bytes())


def _queue(
    *,
    kind: str,
    unit: Unit,
    document: Any,
    destination: Node,
    recipients: list[str],
    document_id: str,
    payload: bytes,
    priority: int,
    business_type: int | None = None,
    status_code: str = "",
) -> Envelope:
    envelope = Envelope(
        kind=kind,
        unit=unit,
        document=document,
        destination=destination,
        recipient_organ_ids=recipients,
        edxml_id=document_id[:300],
        business_type=business_type,
        status_code=status_code,
        priority=priority,
        payload=_store_payload(payload, f"{kind}.edxml"),
        next_attempt_at=timezone.now(),
    )
    envelope.full_clean()
    envelope.save()
    return envelope


def _kick() -> None:
    from lienthong.exchange.tasks import deliver_outbox

    enqueue_on_commit(deliver_outbox)


def on_document_issued(document: Any) -> None:
    """The documents ``issued_hooks`` entry: ``envelopes_for_issued``."""
    envelopes_for_issued(document)


def envelopes_for_issued(document: Any) -> list[Envelope]:
    """Put one signed envelope per recipient node in the outbox (the issued hook).

    Runs inside the issuing transaction: an error here (a classified document for an
    Internet node, a recipient unit on an unknown node, no node key) refuses the issue.
    """
    units = [
        r.unit
        for r in document.recipients.select_related("unit__node", "unit__parent")
        if r.unit_id
    ]
    if not units:
        return []
    by_node: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        by_node[unit.node_id].append(unit)
    nodes = {node.pk: node for node in Node.objects.filter(pk__in=by_node)}
    if document.classification:
        # vn-rules.md §5.2: classified content never goes to a node on the Internet.
        exposed = [n for n in nodes.values() if n.network_profile == NetworkProfile.INTERNET]
        if exposed:
            raise InvalidInput(
                _(
                    "A classified document cannot be sent to %(nodes)s: that node is on the "
                    "Internet. Send it on paper or through the dedicated network."
                )
                % {"nodes": ", ".join(sorted(str(n) for n in exposed))}
            )
    identity = node_identity()
    attachments = _attachments(document)
    envelopes = []
    now = timezone.now()
    for node_pk, recipients in sorted(by_node.items()):
        node = nodes[node_pk]
        sealed = attachments if node.is_local else _encrypted(node, attachments)
        message = _edoc_for(document, recipients, sealed)
        try:
            payload = edxml.build_edoc(
                message, signing_key=identity.key, signing_chain=identity.chain
            )
        except edxml.EdxmlError as exc:
            raise InvalidInput(
                _("The document cannot be put in an edXML envelope: %(reason)s") % {"reason": exc}
            ) from exc
        envelope = _queue(
            kind=MessageKind.EDOC,
            unit=document.unit,
            document=document,
            destination=node,
            recipients=[unit_address(u) for u in recipients],
            document_id=message.document_id,
            payload=payload,
            priority=int(document.priority),
            business_type=message.business.doc_type,
        )
        envelopes.append(envelope)
        for unit in recipients:
            trail_append(
                unit=document.unit,
                document=document,
                document_id=message.document_id,
                recipient_organ_id=unit_address(unit),
                code=StatusCode.SENT,
                description=_("Sent to %(unit)s") % {"unit": unit.name},
                node_code=identity.node.code,
                at=now,
            )
    record(
        actor=_SYSTEM,
        verb="exchange.outbox",
        target=document,
        data={"envelopes": len(envelopes), "recipients": len(units)},
    )
    _kick()
    return envelopes


def status_send(
    *,
    unit: Unit,
    document: Any,
    response_for: edxml.ResponseFor,
    destination: Node,
    sender_address: str,
    code: str,
    description: str,
    priority: int = 0,
) -> Envelope:
    """Queue a signed status message from ``unit`` about a received document.

    It is also appended to the trail of (document id, ``unit``) on this side.
    """
    identity = node_identity()
    now = timezone.now().replace(microsecond=0)
    message = edxml.StatusMessage(
        sender=_organization(unit),
        response_for=response_for,
        status_code=code,
        description=description[:1000],
        timestamp=now,
    )
    payload = edxml.build_status(message, signing_key=identity.key, signing_chain=identity.chain)
    envelope = _queue(
        kind=MessageKind.STATUS,
        unit=unit,
        document=document,
        destination=destination,
        recipients=[sender_address],
        document_id=response_for.document_id,
        payload=payload,
        priority=priority,
        status_code=code,
    )
    trail_append(
        unit=unit,
        document=document,
        document_id=response_for.document_id,
        recipient_organ_id=unit_address(unit),
        code=code,
        description=description,
        node_code=identity.node.code,
        at=now,
        message=envelope.payload,
    )
    _kick()
    return envelope


# ------------------------------------------------------------------------- delivery


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


def _touch_peer(node: Node | None, error: str = "") -> None:
    """Note the last contact with ``node`` (or the last error) for the operations page."""
    if node is None or node.is_local:
        return
    changes: dict[str, Any] = {"last_error": error[:500]}
    if not error:
        changes["last_contact_at"] = timezone.now()
    Peer.objects.filter(node=node).update(**changes)


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


# -------------------------------------------------------------------------- inbound


@dataclass(frozen=True)
class ReceiveOutcome:
    """What the receiving node answers: 01 (arrived, or a replay) or 02 with a reason.

    ``message`` is the stored ``InboundMessage`` (None when nothing could be kept, e.g.
    an empty body); ``duplicate`` when it was a replay of one already accepted.
    """

    code: str
    reason: str = ""
    message: InboundMessage | None = None
    duplicate: bool = False


def _top_unit(node: Node) -> Unit | None:
    return Unit.objects.filter(node=node).order_by("depth", "sort_order", "pk").first()


def _dedup_key(parts: Iterable[Any]) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _quarantine(**kwargs: Any) -> ReceiveOutcome:
    """Keep a refused envelope with its reason (one transaction) and answer 02."""
    with transaction.atomic():
        return _quarantine_now(**kwargs)


def _quarantine_now(
    *,
    stored: Any,
    reason: str,
    unit: Unit | None,
    parsed: edxml.ParsedMessage | None = None,
    sender_node: Node | None = None,
) -> ReceiveOutcome:
    here = local_node()
    message = parsed.message if parsed is not None else None
    if unit is None:
        # The unit whose IT officer looks after it: the first recipient here (or the
        # unit a status message is about), else the node's top unit.
        addresses: list[str] = []
        if isinstance(message, edxml.EdocMessage):
            addresses = [o.organ_id for o in message.recipients]
        elif isinstance(message, edxml.StatusMessage):
            addresses = [message.response_for.organ_id]
        unit = next(
            (u for u in (unit_by_address(a, node=here) for a in addresses) if u is not None),
            None,
        ) or _top_unit(here)
    if unit is None:  # pragma: no cover - a node without units cannot receive anything
        return ReceiveOutcome(StatusCode.REFUSED, reason)
    row = InboundMessage(
        unit=unit,
        kind=parsed.kind if parsed is not None else "",
        sender_node=sender_node,
        sender_organ_id=(message.sender.organ_id if message is not None else "")[:35],
        sender_name=(message.sender.organ_name if message is not None else "")[:300],
        edxml_id=_document_id_of(parsed)[:300],
        business_type=_business_of(parsed),
        status_code=getattr(message, "status_code", "") or "",
        priority=int(getattr(message, "priority", 0) or 0),
        payload=stored,
        state=InboundState.QUARANTINED,
        reason=reason[:1000],
    )
    row.save()
    record(
        actor=PeerActor(sender_node.code) if sender_node is not None else _SYSTEM,
        verb="exchange.quarantine",
        target=row,
        data={"reason": reason[:300], "sha256": stored.sha256 if stored is not None else ""},
    )
    if (
        parsed is not None
        and parsed.kind == MessageKind.EDOC
        and sender_node is not None
        and isinstance(message, edxml.EdocMessage)
    ):
        # Answer 02 with the reason to the sender, from the first recipient unit here.
        recipient = next(
            (
                u
                for u in (unit_by_address(o.organ_id, node=here) for o in message.recipients)
                if u is not None
            ),
            None,
        )
        if recipient is not None:
            try:
                status_send(
                    unit=recipient,
                    document=None,
                    response_for=_response_for(message),
                    destination=sender_node,
                    sender_address=message.sender.organ_id,
                    code=StatusCode.REFUSED,
                    description=reason,
                )
            except InvalidInput as exc:
                # This node cannot sign now (no valid envelope key): the envelope stays
                # in quarantine with its reason; the sender sees no answer yet.
                logger.warning("exchange: refusal not answered: %s", exc.message)
    return ReceiveOutcome(StatusCode.REFUSED, reason, row)


def _document_id_of(parsed: edxml.ParsedMessage | None) -> str:
    if parsed is None:
        return ""
    message = parsed.message
    if isinstance(message, edxml.StatusMessage):
        return str(message.response_for.document_id or "")
    return str(message.document_id or "")


def _business_of(parsed: edxml.ParsedMessage | None) -> int | None:
    if parsed is None or not isinstance(parsed.message, edxml.EdocMessage):
        return None
    return int(parsed.message.business.doc_type)


def _response_for(message: edxml.EdocMessage) -> edxml.ResponseFor:
    return edxml.ResponseFor(
        organ_id=message.sender.organ_id,
        code=f"{message.code_number}/{message.code_notation}",
        promulgation_date=message.promulgation_date,
        document_id=message.document_id,
    )


def _check_sender(
    parsed: edxml.ParsedMessage, data: bytes, transport_node: Node | None
) -> tuple[Node | None, str]:
    """(the sender's node, "" when its signature is good, else the reason)."""
    sender = unit_by_address(parsed.message.sender.organ_id)
    if sender is None:
        return None, _("Unknown sender %(id)s: not in this node's directory.") % {
            "id": parsed.message.sender.organ_id
        }
    node = sender.node
    if transport_node is not None and transport_node.pk != node.pk:
        return node, _("Sender %(id)s belongs to node %(node)s, but node %(via)s sent it.") % {
            "id": parsed.message.sender.organ_id,
            "node": node.code,
            "via": transport_node.code,
        }
    signature = parsed.signature
    if signature.state != "valid":
        return node, _("The node signature is %(state)s: %(reason)s") % {
            "state": signature.state,
            "reason": signature.reason,
        }
    signer = signature.certificate_der
    if signer is None or signer not in known_envelope_certificates(node):
        return node, _("The envelope is not signed with the certificate of node %(node)s.") % {
            "node": node.code
        }
    check = _validated(signer, tuple(getattr(signature, "chain_der", ()) or ()))
    if not check.ok:
        return node, _("The node certificate of %(node)s is not valid: %(reason)s") % {
            "node": node.code,
            "reason": check.reason,
        }
    return node, ""


#: Node certificates found valid recently: (certificate, chain, newest revocation data)
#: → when. A fan-out of thousands of status messages from one node validates its
#: certificate once a minute, not once per message; new revocation data (a CRL
#: published here or fetched) starts afresh.
_VALIDATED: dict[tuple[Any, ...], float] = {}
_VALIDATED_SECONDS = 60.0


def _validated(certificate: bytes, chain: tuple[bytes, ...]) -> Any:
    """Chain and revocation check of a node certificate (trust's validator), cached."""
    import time

    from lienthong.trust.models import CertificateAuthority, RevocationCacheEntry, RevocationList
    from lienthong.trust.pades.certs import CertificateCheck, certificate_validate
    from lienthong.trust.validation import active_anchor_pems

    # A new CRL (ours or a fetched one) changes the key: a revocation counts at once.
    freshest = (
        RevocationList.objects.order_by("-pk").values_list("pk", flat=True).first(),
        RevocationCacheEntry.objects.order_by("-pk").values_list("pk", flat=True).first(),
    )
    key = (certificate, chain, freshest)
    now = time.monotonic()
    seen = _VALIDATED.get(key)
    if seen is not None and now - seen < _VALIDATED_SECONDS:
        return CertificateCheck(ok=True)
    authorities = [
        str(pem)
        for pem in CertificateAuthority.objects.values_list("certificate__pem", flat=True)
        if pem
    ]
    # Another node's CA publishes its own CRL and OCSP: fetch (or reuse the cached
    # answer) before validating, so "hard-fail" has the evidence it needs.
    from lienthong.trust.revocation import revocation_evidence

    revocation_evidence(
        [certificate, *chain],
        fetch=bool(getattr(settings, "EXCHANGE_FETCH_REVOCATION", True)),
        timeout=5.0,
    )
    check = certificate_validate(
        certificate=certificate,
        intermediates=[*chain, *authorities],
        trust_anchor_pems=active_anchor_pems(),
    )
    if check.ok:
        if len(_VALIDATED) > 1000:
            _VALIDATED.clear()
        _VALIDATED[key] = now
    return check


def inbound_receive(*, data: bytes, transport_node: Node | None = None) -> ReceiveOutcome:
    """Receive one envelope (the single entrance, for HTTP and local delivery alike).

    Args:
        data: the edXML as received.
        transport_node: the node that handed it over (the mutual-TLS peer, or this
            node for local delivery); the sender's units must belong to it.

    Returns:
        01 with the stored message (or the earlier one, for a replay), or 02 with the
        reason; the envelope is kept in quarantine whenever it could be stored.
    """
    max_bytes = _max_envelope_bytes()
    if not data:
        return ReceiveOutcome(StatusCode.REFUSED, _("The envelope is empty."))
    if len(data) > max_bytes:
        return ReceiveOutcome(
            StatusCode.REFUSED,
            _("The envelope is larger than %(n)s MB.") % {"n": max_bytes // (1024 * 1024)},
        )
    stored = _store_payload(data, "received.edxml")
    try:
        parsed = edxml.parse(data, max_bytes=max_bytes)
    except edxml.EdxmlError as exc:
        return _quarantine(stored=stored, reason=str(exc), unit=None)
    # Verification reads only and may take a while (signatures, PDFs): it runs outside
    # any transaction; each outcome is written in one short transaction of its own.
    sender_node, problem = _check_sender(parsed, data, transport_node)
    if problem:
        return _quarantine(
            stored=stored,
            reason=problem,
            unit=None,
            parsed=parsed,
            sender_node=sender_node,
        )
    assert sender_node is not None
    if isinstance(parsed.message, edxml.StatusMessage):
        return _receive_status(parsed, stored, sender_node)
    return _receive_edoc(parsed, stored, sender_node)


def _replay_of(key: str) -> ReceiveOutcome | None:
    """The answer to a replay: "arrived" again, with the message accepted before."""
    earlier = InboundMessage.objects.filter(dedup_key=key).first()
    if earlier is None:
        return None
    return ReceiveOutcome(StatusCode.ARRIVED, "", earlier, duplicate=True)


def _save_once(row: InboundMessage) -> ReceiveOutcome | None:
    """Save an accepted message; when a concurrent copy won the race (the unique
    ``dedup_key``), this one is the replay and its answer is returned."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return _replay_of(str(row.dedup_key))
    return None


def _receive_edoc(parsed: edxml.ParsedMessage, stored: Any, sender_node: Node) -> ReceiveOutcome:
    from lienthong.trust.errors import ValidationFailure
    from lienthong.trust.pades import validate_pdf
    from lienthong.trust.validation import active_anchor_pems

    message = parsed.message
    assert isinstance(message, edxml.EdocMessage)
    here = local_node()
    units = []
    for organisation in message.recipients:
        unit = unit_by_address(organisation.organ_id, node=here)
        if unit is not None and unit not in units:
            units.append(unit)
    if not units:
        return _quarantine(
            stored=stored,
            reason=_("No recipient of this envelope is on this node."),
            unit=None,
            parsed=parsed,
            sender_node=sender_node,
        )
    key = _dedup_key(
        ("edoc", message.sender.organ_id, message.document_id, message.business.doc_type)
    )
    replay = _replay_of(key)
    if replay is not None:
        return replay
    anchors = active_anchor_pems()
    verification: list[dict[str, Any]] = []
    kept: list[tuple[edxml.Attachment, Any]] = []
    for received in message.attachments:
        attachment = received
        if received.name.endswith(ENCRYPTED_SUFFIX):
            try:
                attachment = edxml.Attachment(
                    name=received.name[: -len(ENCRYPTED_SUFFIX)],
                    content_type="",
                    data=decrypt(received.data),
                    description=received.description,
                )
            except DecryptError as exc:
                return _quarantine(
                    stored=stored,
                    reason=_("%(name)s cannot be decrypted on this node: %(error)s")
                    % {"name": received.name, "error": exc},
                    unit=units[0],
                    parsed=parsed,
                    sender_node=sender_node,
                )
        entry: dict[str, Any] = {"name": attachment.name, "size": len(attachment.data)}
        stored_file = files.file_store(
            data=attachment.data,
            name=attachment.name,
            expected="any",
            max_bytes=_max_envelope_bytes(),
        )
        entry["sha256"] = stored_file.sha256
        entry["content_type"] = stored_file.content_type
        if stored_file.content_type == files.PDF_TYPE:
            try:
                report = validate_pdf(pdf=attachment.data, trust_anchors=anchors)
            except ValidationFailure as exc:
                return _quarantine(
                    stored=stored,
                    reason=_("%(name)s cannot be read as a PDF: %(error)s")
                    % {"name": attachment.name, "error": exc},
                    unit=units[0],
                    parsed=parsed,
                    sender_node=sender_node,
                )
            entry["verdict"] = report.verdict
            if report.verdict == "invalid":
                return _quarantine(
                    stored=stored,
                    reason=_("A signature in %(name)s is invalid.") % {"name": attachment.name},
                    unit=units[0],
                    parsed=parsed,
                    sender_node=sender_node,
                )
        verification.append(entry)
        kept.append((attachment, stored_file))
    row = InboundMessage(
        unit=units[0],
        kind=MessageKind.EDOC,
        sender_node=sender_node,
        sender_organ_id=message.sender.organ_id[:35],
        sender_name=message.sender.organ_name[:300],
        edxml_id=message.document_id[:300],
        business_type=message.business.doc_type,
        priority=int(message.priority),
        payload=stored,
        dedup_key=key,
        state=InboundState.ACCEPTED,
    )
    # Everything above only read and verified; the writes are one short transaction
    # (on SQLite a transaction holds the database's write lock).
    try:
        with transaction.atomic():
            replay = _save_once(row)
            if replay is not None:
                return replay
            if message.business.doc_type == BusinessType.RECALL:
                _apply_recall(message, units)
            else:
                for unit in units:
                    _inbox_item(row, unit, message, verification)
            _touch_peer(sender_node)
            record(
                actor=PeerActor(sender_node.code),
                verb="exchange.receive",
                target=row,
                data={"document_id": message.document_id, "units": [u.pk for u in units]},
            )
    except InvalidInput as exc:
        # This node cannot answer (no valid envelope key): keep the envelope, say why.
        return _quarantine(
            stored=stored,
            reason=_("Accepted but not answered: %(error)s") % {"error": exc.message},
            unit=units[0],
            parsed=parsed,
            sender_node=None,
        )
    return ReceiveOutcome(StatusCode.ARRIVED, "", row)


def _inbox_item(
    row: InboundMessage, unit: Unit, message: edxml.EdocMessage, verification: list[dict[str, Any]]
) -> InboxItem:
    signer = message.signer
    item = InboxItem(
        message=row,
        unit=unit,
        subject=message.subject[:500] or "—",
        issuer_name=message.sender.organ_name[:300] or message.sender.organ_id,
        issuer_organ_id=message.sender.organ_id[:35],
        code_number=str(message.code_number or "")[:11],
        code_notation=str(message.code_notation or "")[:30],
        issued_date=message.promulgation_date,
        due_date=message.due_date,
        type_name=str(message.type_name or "")[:100],
        priority=int(message.priority),
        signer_name=(signer.full_name if signer else "")[:50],
        signer_position=(signer.position if signer else "")[:100],
        verification={"attachments": verification},
    )
    item.save()
    status_send(
        unit=unit,
        document=None,
        response_for=_response_for(message),
        destination=row.sender_node,  # type: ignore[arg-type]
        sender_address=message.sender.organ_id,
        code=StatusCode.ARRIVED,
        description=_("Arrived at %(unit)s.") % {"unit": unit.name},
        priority=int(message.priority),
    )
    return item


def _apply_recall(message: edxml.EdocMessage, units: list[Unit]) -> None:
    """A recall (BussinessDocType 1): the document leaves the inboxes where not registered."""
    for item in InboxItem.objects.filter(
        unit__in=units, message__edxml_id=message.document_id, state=InboxState.ARRIVED
    ):
        item.state = InboxState.RECALLED
        item.reason = _("Taken back by the sender.")
        item.save(update_fields=["state", "reason"])


def _receive_status(parsed: edxml.ParsedMessage, stored: Any, sender_node: Node) -> ReceiveOutcome:

    message = parsed.message
    assert isinstance(message, edxml.StatusMessage)
    key = _dedup_key(
        (
            "status",
            message.sender.organ_id,
            message.response_for.document_id,
            message.status_code,
            message.timestamp.isoformat() if message.timestamp else "",
        )
    )
    replay = _replay_of(key)
    if replay is not None:
        return replay
    # The document it is about: one of ours, found by the "sent" step of its trail.
    ours = unit_by_address(message.response_for.organ_id, node=local_node())
    document = None
    if ours is not None:
        sent = (
            StatusEntry.objects.filter(
                unit=ours, edxml_id=message.response_for.document_id, code=StatusCode.SENT
            )
            .exclude(document=None)
            .select_related("document")
            .order_by()
            .first()
        )
        document = sent.document if sent is not None else None
    if ours is None:
        return _quarantine(
            stored=stored,
            reason=_("The status message is about a document this node did not send."),
            unit=None,
            parsed=parsed,
            sender_node=sender_node,
        )
    row = InboundMessage(
        unit=ours,
        kind=MessageKind.STATUS,
        sender_node=sender_node,
        sender_organ_id=message.sender.organ_id[:35],
        sender_name=message.sender.organ_name[:300],
        edxml_id=message.response_for.document_id[:300],
        status_code=message.status_code,
        payload=stored,
        dedup_key=key,
        state=InboundState.ACCEPTED,
    )
    with transaction.atomic():
        replay = _save_once(row)
        if replay is not None:
            return replay
        trail_append(
            unit=ours,
            document=document,
            document_id=message.response_for.document_id,
            recipient_organ_id=message.sender.organ_id,
            code=message.status_code,
            description=message.description,
            node_code=sender_node.code,
            at=message.timestamp or timezone.now(),
            message=stored,
        )
        _touch_peer(sender_node)
    return ReceiveOutcome(StatusCode.ARRIVED, "", row)


def inbound_release(*, actor: Actor, message: InboundMessage) -> ReceiveOutcome:
    """Release a quarantined envelope: receive it again (after, e.g., a directory update).

    The quarantined row is marked released and audited; the envelope goes through every
    check again, so a release never lets a bad envelope in.
    """
    if message.state != InboundState.QUARANTINED or message.payload is None:
        raise InvalidInput(_("Only an envelope in quarantine can be released."))
    with transaction.atomic():
        message.state = InboundState.RELEASED
        message.decided_by = actor if hasattr(actor, "get_username") else None  # type: ignore[assignment]
        message.decided_at = timezone.now()
        message.save(update_fields=["state", "decided_by", "decided_at"])
        record(actor=actor, verb="exchange.release", target=message)
        return inbound_receive(
            data=files.file_read(message.payload), transport_node=message.sender_node
        )


def inbound_discard(*, actor: Actor, message: InboundMessage, reason: str) -> InboundMessage:
    """Discard a quarantined envelope (kept as evidence; audited with the reason)."""
    if message.state != InboundState.QUARANTINED:
        raise InvalidInput(_("Only an envelope in quarantine can be discarded."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason for discarding it."))
    with transaction.atomic():
        message.state = InboundState.DISCARDED
        message.reason = f"{message.reason} — {reason.strip()}"[:1000]
        message.decided_by = actor if hasattr(actor, "get_username") else None  # type: ignore[assignment]
        message.decided_at = timezone.now()
        message.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        record(actor=actor, verb="exchange.discard", target=message, data={"reason": reason[:300]})
    return message


# ---------------------------------------------------------------------------- inbox


def _item_response_for(item: InboxItem) -> edxml.ResponseFor:
    return edxml.ResponseFor(
        organ_id=item.issuer_organ_id,
        code=f"{item.code_number}/{item.code_notation}",
        promulgation_date=item.issued_date,
        document_id=item.message.edxml_id,
    )


def inbox_register(
    *, actor: Actor, item: InboxItem, document_type: Any, due_date: Any = None
) -> Any:
    """The clerk registers a received document in the incoming register (03 back).

    NĐ 30 Điều 22 (vn-rules.md §1.5): the arrival number is the next of the unit's
    incoming register; the received signed PDF becomes the document's file.
    """
    from lienthong.documents.models import StoredFile
    from lienthong.documents.services import document_register_incoming

    if item.state != InboxState.ARRIVED:
        raise InvalidInput(_("This document is no longer waiting in the inbox."))
    attachments = (item.verification or {}).get("attachments", [])
    main = next((a for a in attachments if a.get("content_type") == files.PDF_TYPE), None)
    scan = None
    if main is not None:
        stored = StoredFile.objects.filter(sha256=main["sha256"]).first()
        scan = files.file_read(stored) if stored is not None else None
    number = int(item.code_number) if item.code_number.isdigit() else None
    with transaction.atomic():
        locked = InboxItem.objects.select_for_update().select_related("message").get(pk=item.pk)
        if locked.state != InboxState.ARRIVED:
            raise InvalidInput(_("This document is no longer waiting in the inbox."))
        document = document_register_incoming(
            actor=actor,
            unit=locked.unit,
            document_type=document_type,
            subject=locked.subject,
            issuer_name=locked.issuer_name,
            code_number=number,
            code_notation=locked.code_notation,
            issued_date=locked.issued_date,
            due_date=due_date or locked.due_date,
            priority=locked.priority,
            scan_data=scan,
            scan_name=main["name"] if main else "",
            signer_name=locked.signer_name,
            signer_position=locked.signer_position,
            issuer_organ_id=locked.issuer_organ_id,
        )
        locked.state = InboxState.REGISTERED
        locked.document = document
        locked.save(update_fields=["state", "document"])
        record(
            actor=actor,
            verb="exchange.inbox_register",
            target=locked,
            data={"document": document.pk},
        )
        if locked.message.sender_node is not None:
            status_send(
                unit=locked.unit,
                document=document,
                response_for=_item_response_for(locked),
                destination=locked.message.sender_node,
                sender_address=locked.issuer_organ_id,
                code=StatusCode.REGISTERED,
                description=_("Registered, arrival number %(n)s.") % {"n": document.arrival_number},
                priority=locked.priority,
            )
    return document


def inbox_refuse(*, actor: Actor, item: InboxItem, reason: str) -> InboxItem:
    """The clerk refuses a received document with a reason (02 back; NĐ 30 Điều 21.2.b)."""
    if not reason.strip():
        raise InvalidInput(_("Give the reason for refusing it."))
    with transaction.atomic():
        locked = InboxItem.objects.select_for_update().select_related("message").get(pk=item.pk)
        if locked.state != InboxState.ARRIVED:
            raise InvalidInput(_("This document is no longer waiting in the inbox."))
        locked.state = InboxState.REFUSED
        locked.reason = reason.strip()[:1000]
        locked.save(update_fields=["state", "reason"])
        record(
            actor=actor, verb="exchange.inbox_refuse", target=locked, data={"reason": reason[:300]}
        )
        if locked.message.sender_node is not None:
            status_send(
                unit=locked.unit,
                document=None,
                response_for=_item_response_for(locked),
                destination=locked.message.sender_node,
                sender_address=locked.issuer_organ_id,
                code=StatusCode.REFUSED,
                description=locked.reason,
            )
    return locked


_STEP_CODES = {
    "assigned": StatusCode.ASSIGNED,
    "in_progress": StatusCode.IN_PROGRESS,
    "done": StatusCode.DONE,
}


def on_handling_step(document: Any, step: str, data: dict[str, Any]) -> None:
    """The documents handling hook: send 04/05/06 back for a document received here.

    Registration (03) is sent by ``inbox_register`` itself; documents registered by
    hand (paper) have no inbox item and send nothing.
    """
    code = _STEP_CODES.get(step)
    if code is None:
        return
    item = (
        InboxItem.objects.filter(document=document)
        .select_related("message__sender_node", "unit")
        .first()
    )
    if item is None or item.message.sender_node is None:
        return
    description = str(data.get("note") or "")
    answer = data.get("answer")
    if code == StatusCode.DONE and answer is not None:
        description = _("Done; answered by %(number)s. %(note)s") % {
            "number": getattr(answer, "number_display", "") or str(answer),
            "note": description,
        }
    status_send(
        unit=item.unit,
        document=document,
        response_for=_item_response_for(item),
        destination=item.message.sender_node,
        sender_address=item.issuer_organ_id,
        code=code,
        description=description.strip() or str(StatusCode(code).label),
        priority=item.priority,
    )
