"""The outbox: envelopes of issued documents, status messages, recall requests.

Issue #5 scope 3 and 5: ``envelopes_for_issued`` (the documents ``issued_hooks``) writes
one signed envelope per recipient node in the issuing transaction; ``status_send_many``
signs status messages and appends them to the trails; ``recall_send`` asks every
recipient to give a recalled document back (13).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import record
from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import FileKind
from lienthong.documents.services import files
from lienthong.exchange import edxml
from lienthong.exchange.choices import (
    BusinessType,
    MessageKind,
    OutboxState,
    StatusCode,
)
from lienthong.exchange.crypto import ENCRYPTED_TYPE, encrypt_for
from lienthong.exchange.identity import (
    local_node,
    node_identity,
    unit_address,
    units_by_address,
)
from lienthong.exchange.models import Envelope, InboxItem, StatusEntry
from lienthong.exchange.services._common import (
    _SYSTEM,
    ENCRYPTED_SUFFIX,
    _kick,
    _number_text,
    _organization,
    _store_payload,
)
from lienthong.exchange.trail import TrailStep, trail_append_many
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import Node, Unit


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


def _queue(
    *,
    kind: str,
    unit: Unit,
    document: Any,
    destination: Node,
    recipients: list[str],
    document_id: str,
    payload: Any,
    priority: int,
    business_type: int | None = None,
    status_code: str = "",
) -> Envelope:
    """Put a stored envelope (``payload``, a ``StoredFile``) in the outbox.

    While its node is unreachable (envelopes waiting after a failed attempt), a new
    envelope joins their wait: otherwise every new document would try the dead node at
    once, reset the shared backoff to its shortest, and spend the retry budget of the
    oldest envelope in minutes instead of days.
    """
    now = timezone.now()
    waiting = (
        Envelope.objects.filter(
            destination=destination, state=OutboxState.QUEUED, next_attempt_at__gt=now
        )
        .exclude(last_error="")
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
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
        payload=payload,
        next_attempt_at=waiting or now,
    )
    # The values are this module's own: check them without a query per foreign key
    # (the database's constraints hold the rest).
    envelope.full_clean(
        exclude=["unit", "document", "destination", "payload"],
        validate_unique=False,
        validate_constraints=False,
    )
    envelope.save()
    return envelope


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
    steps: list[TrailStep] = []
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
            payload=_store_payload(payload, "edoc.edxml"),
            priority=int(document.priority),
            business_type=message.business.doc_type,
        )
        envelopes.append(envelope)
        steps.extend(
            TrailStep(
                unit=document.unit,
                document=document,
                document_id=message.document_id,
                recipient_organ_id=unit_address(unit),
                code=StatusCode.SENT,
                description=_("Sent to %(unit)s") % {"unit": unit.name},
                node_code=identity.node.code,
                at=now,
            )
            for unit in recipients
        )
    trail_append_many(steps)
    record(
        actor=_SYSTEM,
        verb="exchange.outbox",
        target=document,
        data={"envelopes": len(envelopes), "recipients": len(units)},
    )
    _kick()
    return envelopes


@dataclass(frozen=True)
class StatusSpec:
    """A status message to send: from ``unit`` about a document it received.

    ``destination`` is the node of the sender (``sender_address``); ``document`` is the
    document on this side (None until the recipient registers it).
    """

    unit: Unit
    document: Any
    response_for: edxml.ResponseFor
    destination: Node
    sender_address: str
    code: str
    description: str
    priority: int = 0


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
) -> Envelope | None:
    """Send one signed status message (``status_send_many`` of one)."""
    return status_send_many(
        [
            StatusSpec(
                unit=unit,
                document=document,
                response_for=response_for,
                destination=destination,
                sender_address=sender_address,
                code=code,
                description=description,
                priority=priority,
            )
        ]
    )[0]


def _local_senders(specs: list[StatusSpec]) -> dict[tuple[str, str], tuple[Unit, Any]]:
    """(sender address, document id) → (the sending unit here, its document), for the
    status messages whose sender is a unit of this node that sent the document."""
    local = [s for s in specs if s.destination.is_local]
    if not local:
        return {}
    units = units_by_address({s.sender_address for s in local}, node=local_node())
    if not units:
        return {}
    ids = {s.response_for.document_id for s in local}
    sent = (
        StatusEntry.objects.filter(unit__in=units.values(), edxml_id__in=ids, code=StatusCode.SENT)
        .order_by()
        .values_list("unit_id", "edxml_id", "document_id")
        .distinct()
    )
    documents: dict[tuple[int, str], Any] = {}
    for unit_id, edxml_id, document_id in sent:
        if document_id is not None or (unit_id, edxml_id) not in documents:
            documents[(unit_id, edxml_id)] = document_id
    from lienthong.documents.models import Document

    by_pk = Document.objects.in_bulk([pk for pk in documents.values() if pk is not None])
    found: dict[tuple[str, str], tuple[Unit, Any]] = {}
    for address, unit in units.items():
        for document_id in ids:
            if (unit.pk, document_id) in documents:
                pk = documents[(unit.pk, document_id)]
                found[(address, document_id)] = (unit, by_pk.get(pk) if pk else None)
    return found


def _signed_status(
    identity: Any,
    *,
    sender: edxml.Organization,
    response_for: edxml.ResponseFor,
    code: str,
    description: str,
    at: Any,
) -> tuple[edxml.StatusMessage, Any]:
    """A status message signed by this node and kept in the file store."""
    message = edxml.StatusMessage(
        sender=sender,
        response_for=response_for,
        status_code=code,
        description=description[:1000],
        timestamp=at,
    )
    payload = edxml.build_status(message, signing_key=identity.key, signing_chain=identity.chain)
    return message, _store_payload(payload, f"{MessageKind.STATUS}.edxml")


def status_send_many(specs: list[StatusSpec]) -> list[Envelope | None]:
    """Send signed status messages about received documents, in one transaction.

    Each message is signed by this node and appended, with its signed bytes, to the
    trail of (document id, unit) on this side. A message for a document sent by a unit
    of this node goes straight onto that unit's trail as well (the step the receiving
    side would append: no outbox round trip to oneself, the signed message is kept all
    the same, so ``trail_verify`` and the pages read it alike); any other goes into the
    outbox for the sender's node. Returns the queued envelope of each message (None
    where it was delivered here).
    """
    if not specs:
        return []
    identity = node_identity()
    now = timezone.now().replace(microsecond=0)
    senders = _local_senders(specs)
    steps: list[TrailStep] = []
    envelopes: list[Envelope | None] = []
    with transaction.atomic():
        for spec in specs:
            message, stored = _signed_status(
                identity,
                sender=_organization(spec.unit),
                response_for=spec.response_for,
                code=spec.code,
                description=spec.description,
                at=now,
            )
            address = unit_address(spec.unit)
            target = (
                senders.get((spec.sender_address, spec.response_for.document_id))
                if spec.destination.is_local
                else None
            )
            if target is None:
                envelopes.append(
                    _queue(
                        kind=MessageKind.STATUS,
                        unit=spec.unit,
                        document=spec.document,
                        destination=spec.destination,
                        recipients=[spec.sender_address],
                        document_id=spec.response_for.document_id,
                        payload=stored,
                        priority=spec.priority,
                        status_code=spec.code,
                    )
                )
            else:
                envelopes.append(None)
                sender_unit, sender_document = target
                steps.append(
                    TrailStep(
                        unit=sender_unit,
                        document=sender_document,
                        document_id=spec.response_for.document_id,
                        recipient_organ_id=address,
                        code=spec.code,
                        description=message.description,
                        node_code=identity.node.code,
                        at=now,
                        message=stored,
                    )
                )
            steps.append(
                TrailStep(
                    unit=spec.unit,
                    document=spec.document,
                    document_id=spec.response_for.document_id,
                    recipient_organ_id=address,
                    code=spec.code,
                    description=spec.description,
                    node_code=identity.node.code,
                    at=now,
                    message=stored,
                )
            )
        trail_append_many(steps)
    if any(e is not None for e in envelopes):
        _kick()
    return envelopes


def on_document_recalled(document: Any, reason: str) -> None:
    """The documents ``recall_hooks`` entry: ``recall_send``."""
    recall_send(document=document, reason=reason)


def recall_send(*, document: Any, reason: str) -> list[Envelope]:
    """Ask every recipient of an issued document to take it back: status 13 "yêu cầu
    lấy lại" with the reason (vn-rules.md §3.6; NĐ 30 Điều 18, Phụ lục VI III.8).

    One signed message per recipient node, queued after the document's own envelope
    (same priority, later: it never overtakes the document); the step is appended to
    the sender's trail of every recipient. Each recipient answers 15 (taken back) or 16
    (refused, with the reason). Runs inside ``document_recall``'s transaction.
    """
    sent = list(
        Envelope.objects.filter(document=document, kind=MessageKind.EDOC)
        .select_related("destination")
        .order_by("pk")
    )
    if not sent:
        return []
    identity = node_identity()
    now = timezone.now().replace(microsecond=0)
    sender = _organization(document.unit)
    envelopes = []
    steps: list[TrailStep] = []
    for edoc in sent:
        message, stored = _signed_status(
            identity,
            sender=sender,
            response_for=edxml.ResponseFor(
                organ_id=sender.organ_id,
                code=f"{_number_text(document.code_number)}/{document.code_notation}",
                promulgation_date=document.issued_date,
                document_id=edoc.edxml_id,
            ),
            code=StatusCode.RECALL_REQUESTED,
            description=reason,
            at=now,
        )
        envelopes.append(
            _queue(
                kind=MessageKind.STATUS,
                unit=document.unit,
                document=document,
                destination=edoc.destination,
                recipients=list(edoc.recipient_organ_ids),
                document_id=edoc.edxml_id,
                payload=stored,
                priority=edoc.priority,
                status_code=StatusCode.RECALL_REQUESTED,
            )
        )
        steps.extend(
            TrailStep(
                unit=document.unit,
                document=document,
                document_id=edoc.edxml_id,
                recipient_organ_id=address,
                code=StatusCode.RECALL_REQUESTED,
                description=message.description,
                node_code=identity.node.code,
                at=now,
                message=stored,
            )
            for address in edoc.recipient_organ_ids
        )
    trail_append_many(steps)
    record(
        actor=_SYSTEM,
        verb="exchange.recall",
        target=document,
        data={"envelopes": len(envelopes), "reason": reason[:300]},
    )
    _kick()
    return envelopes


def _response_for(message: edxml.EdocMessage) -> edxml.ResponseFor:
    return edxml.ResponseFor(
        organ_id=message.sender.organ_id,
        code=f"{message.code_number}/{message.code_notation}",
        promulgation_date=message.promulgation_date,
        document_id=message.document_id,
    )


def _recall_answer(item: InboxItem, code: str, description: str) -> StatusSpec:
    return StatusSpec(
        unit=item.unit,
        document=item.document,
        response_for=_item_response_for(item),
        destination=item.message.sender_node,  # type: ignore[arg-type]
        sender_address=item.issuer_organ_id,
        code=code,
        description=description,
        priority=item.priority,
    )


def _item_response_for(item: InboxItem) -> edxml.ResponseFor:
    return edxml.ResponseFor(
        organ_id=item.issuer_organ_id,
        code=f"{item.code_number}/{item.code_notation}",
        promulgation_date=item.issued_date,
        document_id=item.message.edxml_id,
    )
