"""The receiving side: ``inbound_receive``, the one entrance for every envelope.

Parse (hostile XML refused), check the sender's node signature against the directory and
the trust anchors (chain, revocation), de-duplicate (a replay registers nothing), verify
every PDF signature, put the document in each recipient unit's inbox and answer 01 "đã
đến"; anything wrong is kept in quarantine with its reason and answered 02 where the
sender is known. Status messages extend the sender's trail; 13 asks for a document back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.actors import PeerActor
from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.documents.services import files
from lienthong.exchange import edxml
from lienthong.exchange.choices import (
    BusinessType,
    InboundState,
    InboxState,
    MessageKind,
    StatusCode,
)
from lienthong.exchange.crypto import DecryptError, decrypt
from lienthong.exchange.identity import (
    known_envelope_certificates,
    local_node,
    unit_address,
    unit_by_address,
    units_by_address,
)
from lienthong.exchange.models import InboundMessage, InboxItem, StatusEntry
from lienthong.exchange.services._common import (
    _SYSTEM,
    ENCRYPTED_SUFFIX,
    _dedup_key,
    _max_envelope_bytes,
    _peer_alive,
    _store_payload,
    _top_unit,
    _touch_peer,
    logger,
)
from lienthong.exchange.services.outbox import (
    StatusSpec,
    _recall_answer,
    _response_for,
    status_send,
    status_send_many,
)
from lienthong.exchange.services.payloads import (
    PayloadArrival,
    PayloadRefused,
    PayloadStatus,
    payload_hooks,
    run_status_hooks,
)
from lienthong.exchange.trail import TrailStep, trail_append, trail_append_many
from lienthong.org.models import Node, Unit


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
    found = units_by_address([o.organ_id for o in message.recipients], node=here)
    units: list[Unit] = []
    for organisation in message.recipients:
        unit = found.get(organisation.organ_id.strip())
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
    payloads: list[edxml.Attachment] = []

    def refuse(reason: str) -> ReceiveOutcome:
        return _quarantine(
            stored=stored, reason=reason, unit=units[0], parsed=parsed, sender_node=sender_node
        )

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
                return refuse(
                    _("%(name)s cannot be decrypted on this node: %(error)s")
                    % {"name": received.name, "error": exc}
                )
        if attachment.name in payload_hooks:
            # Another app's record (services/payloads.py): handed over below, not filed.
            payloads.append(attachment)
            continue
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
                return refuse(
                    _("%(name)s cannot be read as a PDF: %(error)s")
                    % {"name": attachment.name, "error": exc}
                )
            entry["verdict"] = report.verdict
            if report.verdict == "invalid":
                return refuse(_("A signature in %(name)s is invalid.") % {"name": attachment.name})
        verification.append(entry)
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
            if payloads:
                _hand_over(row, units, message, sender_node, payloads)
            elif message.business.doc_type == BusinessType.RECALL:
                _apply_recall(message, units)
            else:
                _inbox_items(row, units, message, verification)
                if message.business.doc_type == BusinessType.REPLACE:
                    _apply_replacement(message, units, sender_node)
            _touch_peer(sender_node)
            _peer_alive(sender_node)
            record(
                actor=PeerActor(sender_node.code),
                verb="exchange.receive",
                target=row,
                data={"document_id": message.document_id, "units": [u.pk for u in units]},
            )
    except PayloadRefused as exc:
        return refuse(exc.message)
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


def _inbox_items(
    row: InboundMessage,
    units: list[Unit],
    message: edxml.EdocMessage,
    verification: list[dict[str, Any]],
) -> list[InboxItem]:
    """Put the document in each recipient unit's inbox and answer 01 "đã đến" from each."""
    signer = message.signer
    items = [
        InboxItem(
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
        for unit in units
    ]
    InboxItem.objects.bulk_create(items, batch_size=500)
    _answer_arrived(row, units, message)
    return items


def _hand_over(
    row: InboundMessage,
    units: list[Unit],
    message: edxml.EdocMessage,
    sender_node: Node,
    payloads: list[edxml.Attachment],
) -> None:
    """Give each payload to the app registered for its name (services/payloads.py), then
    answer 01 "đã đến" from each recipient unit."""
    for attachment in payloads:
        payload_hooks[attachment.name](
            PayloadArrival(
                message=row,
                units=units,
                sender_node=sender_node,
                sender_address=message.sender.organ_id,
                sender_name=message.sender.organ_name,
                document_id=message.document_id,
                code=f"{message.code_number}/{message.code_notation}",
                promulgation_date=message.promulgation_date,
                data=attachment.data,
            )
        )
    _answer_arrived(row, units, message)


def _answer_arrived(row: InboundMessage, units: list[Unit], message: edxml.EdocMessage) -> None:
    """01 "đã đến" from each recipient unit, back to the sender."""
    response_for = _response_for(message)
    status_send_many(
        [
            StatusSpec(
                unit=unit,
                document=None,
                response_for=response_for,
                destination=row.sender_node,  # type: ignore[arg-type]
                sender_address=message.sender.organ_id,
                code=StatusCode.ARRIVED,
                description=_("Arrived at %(unit)s.") % {"unit": unit.name},
                priority=int(message.priority),
            )
            for unit in units
        ]
    )


def _apply_recall(message: edxml.EdocMessage, units: list[Unit]) -> None:
    """A recall (BussinessDocType 1): the document leaves the inboxes where not registered."""
    for item in InboxItem.objects.filter(
        unit__in=units, message__edxml_id=message.document_id, state=InboxState.ARRIVED
    ):
        item.state = InboxState.RECALLED
        item.reason = _("Taken back by the sender.")
        item.save(update_fields=["state", "reason"])


def _apply_replacement(message: edxml.EdocMessage, units: list[Unit], sender_node: Node) -> None:
    """A replacement (BussinessDocType 3, vn-rules.md §3.4): the copies of the documents
    it replaces that still wait in these units' inboxes leave them (the clerk registers
    the new one instead); copies already registered stay, with a note of the successor."""
    replaced = [i for i in message.business.replaced_document_ids if i]
    if not replaced:
        return
    number = f"{message.code_number}/{message.code_notation}".strip("/")
    note = _("Replaced by No. %(number)s.") % {"number": number}
    items = InboxItem.objects.filter(
        unit__in=units,
        issuer_organ_id=message.sender.organ_id,
        message__edxml_id__in=replaced,
        message__sender_node=sender_node,
    )
    items.filter(state=InboxState.ARRIVED).update(state=InboxState.REPLACED, reason=note[:1000])
    items.filter(state=InboxState.REGISTERED).update(reason=note[:1000])


def _accepted_status(
    message: edxml.StatusMessage, unit: Unit, sender_node: Node, stored: Any, key: str
) -> InboundMessage:
    """The row of an accepted status message (saved by ``_save_once``)."""
    return InboundMessage(
        unit=unit,
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
    if message.status_code == StatusCode.RECALL_REQUESTED:
        return _receive_recall(parsed, stored, sender_node, key)
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
    row = _accepted_status(message, ours, sender_node, stored, key)
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
        if document is None:
            run_status_hooks(
                PayloadStatus(
                    unit=ours,
                    document_id=message.response_for.document_id,
                    recipient_address=message.sender.organ_id,
                    code=message.status_code,
                    description=message.description,
                    node_code=sender_node.code,
                )
            )
        _touch_peer(sender_node)
        _peer_alive(sender_node)
    return ReceiveOutcome(StatusCode.ARRIVED, "", row)


def _receive_recall(
    parsed: edxml.ParsedMessage, stored: Any, sender_node: Node, key: str
) -> ReceiveOutcome:
    """The sender asks for a document back (13): every copy received here is told.

    A copy still waiting in the inbox is taken out at once and 15 goes back; a copy
    already registered waits for the clerk, who agrees (15, the registered document is
    withdrawn) or refuses (16, with the reason): ``inbox_recall_accept`` /
    ``inbox_recall_refuse``. A copy refused or taken back earlier answers 15.
    """
    message = parsed.message
    assert isinstance(message, edxml.StatusMessage)
    items = list(
        InboxItem.objects.filter(
            issuer_organ_id=message.sender.organ_id,
            message__edxml_id=message.response_for.document_id,
            message__sender_node=sender_node,
        )
        .select_related("message", "unit__node")
        .order_by("pk")
    )
    if not items:
        return _quarantine(
            stored=stored,
            reason=_("A request to take back a document that did not arrive here."),
            unit=None,
            parsed=parsed,
            sender_node=sender_node,
        )
    row = _accepted_status(message, items[0].unit, sender_node, stored, key)
    reason = message.description or str(StatusCode.RECALL_REQUESTED.label)
    with transaction.atomic():
        replay = _save_once(row)
        if replay is not None:
            return replay
        trail_append_many(
            [
                TrailStep(
                    unit=item.unit,
                    document=item.document,
                    document_id=message.response_for.document_id,
                    recipient_organ_id=unit_address(item.unit),
                    code=StatusCode.RECALL_REQUESTED,
                    description=reason,
                    node_code=sender_node.code,
                    at=message.timestamp or timezone.now(),
                    message=stored,
                )
                for item in items
            ]
        )
        answers = []
        for item in items:
            if item.state == InboxState.REGISTERED:
                item.state = InboxState.RECALL_ASKED
                item.reason = reason[:1000]
                item.save(update_fields=["state", "reason"])
                continue
            if item.state == InboxState.ARRIVED:
                item.state = InboxState.RECALLED
                item.reason = reason[:1000]
                item.save(update_fields=["state", "reason"])
                description = _("Taken out of the inbox before registration.")
            elif item.state == InboxState.RECALL_ASKED:
                continue
            else:
                description = _("Not held here any more (%(state)s).") % {
                    "state": item.get_state_display()
                }
            answers.append(_recall_answer(item, StatusCode.CHANGE_ACCEPTED, description))
        status_send_many(answers)
        _touch_peer(sender_node)
        record(
            actor=PeerActor(sender_node.code),
            verb="exchange.recall_received",
            target=row,
            data={"document_id": message.response_for.document_id, "items": len(items)},
        )
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
