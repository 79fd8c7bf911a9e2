"""The recipient clerk's side: register or refuse what arrived, answer recalls, and the
handling hook that sends 03-06 back to the sender (issue #5 scopes 4-5).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.documents.services import files
from lienthong.exchange.choices import (
    InboxState,
    StatusCode,
)
from lienthong.exchange.models import InboxItem
from lienthong.exchange.services.outbox import (
    _item_response_for,
    _recall_answer,
    status_send,
    status_send_many,
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
            electronic=True,
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


def _recall_decision(actor: Actor, item: InboxItem) -> InboxItem:
    locked = (
        # Lock the item only: PostgreSQL cannot lock the nullable side of an outer join.
        InboxItem.objects.select_for_update(of=("self",))
        .select_related("message__sender_node", "unit__node", "document")
        .get(pk=item.pk)
    )
    if locked.state != InboxState.RECALL_ASKED:
        raise InvalidInput(_("The sender has not asked for this document back."))
    return locked


def inbox_recall_accept(*, actor: Actor, item: InboxItem) -> InboxItem:
    """The clerk agrees to give a registered document back: it is withdrawn from
    handling (``document_withdraw``) and 15 goes to the sender."""
    from lienthong.documents.services import document_withdraw

    with transaction.atomic():
        locked = _recall_decision(actor, item)
        if locked.document is not None:
            document_withdraw(actor=actor, document=locked.document, reason=locked.reason)
        locked.state = InboxState.RECALLED
        locked.save(update_fields=["state"])
        record(actor=actor, verb="exchange.recall_accept", target=locked)
        if locked.message.sender_node is not None:
            answer = _("Taken out of handling and given back.")
            status_send_many([_recall_answer(locked, StatusCode.CHANGE_ACCEPTED, answer)])
    return locked


def inbox_recall_refuse(*, actor: Actor, item: InboxItem, reason: str) -> InboxItem:
    """The clerk refuses to give a registered document back (16 with the reason); it
    stays registered and in handling."""
    from lienthong.documents.selectors import document_get

    if not reason.strip():
        raise InvalidInput(_("Give the reason for refusing it."))
    with transaction.atomic():
        locked = _recall_decision(actor, item)
        if locked.document is not None:
            document_get(user=actor, pk=locked.document.pk)  # in the clerk's reach
        locked.state = InboxState.REGISTERED
        locked.reason = reason.strip()[:1000]
        locked.save(update_fields=["state", "reason"])
        record(
            actor=actor,
            verb="exchange.recall_refuse",
            target=locked,
            data={"reason": reason[:300]},
        )
        if locked.message.sender_node is not None:
            status_send_many([_recall_answer(locked, StatusCode.CHANGE_REFUSED, locked.reason)])
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
