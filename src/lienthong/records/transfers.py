"""Transfers of Party life (chuyển sinh hoạt đảng, issue #9 scope 2).

The organisation department of the member's committee sends the transfer
(``transfer_send``); the organisation department of the receiving committee accepts it
(``transfer_accept``: a record is opened there from the record that travelled) or
refuses it with a reason (``transfer_refuse``). On acceptance the sender's record is
closed: state "transferred out", the date and the receiving unit in Mẫu 7-HSĐV column 10
(vn-rules.md §6.4); the receiving record carries the date and origin in column 11.

On one node both sides are rows of this database. Across nodes the record travels as
the payload ``PAYLOAD`` of a signed envelope, encrypted to the receiving node, and the
answer (06 accepted, 02 refused) comes back as a signed status message: ``on_payload``
and ``on_status`` are the exchange hooks (records/apps.py). A replayed envelope or status
message changes nothing: the exchange de-duplicates, and each handler acts only on a
transfer still waiting.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.actors import PeerActor
from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.exchange.choices import StatusCode
from lienthong.exchange.identity import unit_address
from lienthong.exchange.services.payloads import (
    PayloadArrival,
    PayloadRefused,
    PayloadStatus,
    payload_answer,
    payload_send,
)
from lienthong.org.choices import UnitKind
from lienthong.org.models import Unit
from lienthong.records.choices import MemberEventKind, MemberState, TransferDirection, TransferState
from lienthong.records.models import Member, MemberEvent, Transfer
from lienthong.records.services import DATES, member_check, normalise

__all__ = [
    "PAYLOAD",
    "RECORD_FIELDS",
    "on_payload",
    "on_status",
    "transfer_accept",
    "transfer_refuse",
    "transfer_send",
]

#: The reserved attachment name of a member's record in an envelope.
PAYLOAD = "lienthong-ho-so-dang-vien.json"
#: The notation of a transfer's number ("giới thiệu sinh hoạt đảng").
NOTATION = "GTSHĐ"
_FORMAT = 1

#: What travels: the record's own items (Mẫu 2-HSĐV), not the sender's bookkeeping of it.
RECORD_FIELDS = (
    "full_name",
    "birth_name",
    "alias",
    "gender",
    "born_on",
    "birth_place",
    "home_town",
    "residence",
    "ethnicity",
    "religion",
    "occupation_before",
    "occupation",
    "education",
    "professional",
    "theory",
    "foreign_language",
    "admitted_on",
    "admitted_place",
    "official_on",
    "official_place",
    "card_number",
    "file_number",
    "badge",
    "service",
    "exempt_since",
)


def _record_of(member: Member) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in RECORD_FIELDS:
        value = getattr(member, key)
        fields[key] = value.isoformat() if isinstance(value, dt.date) else value
    events = [
        {
            "kind": event.kind,
            "title": event.title,
            "since": event.since.isoformat() if event.since else None,
            "until": event.until.isoformat() if event.until else None,
            "decision": event.decision,
        }
        for event in member.events.order_by("since", "pk")
    ]
    return {"format": _FORMAT, "member": fields, "events": events}


def _values_of(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The typed record values and entries of a received record.

    Raises:
        InvalidInput: not a record of this format.
    """
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise InvalidInput(_("The record is not in a format this node reads."))
    fields = data.get("member")
    events = data.get("events") or []
    if not isinstance(fields, dict) or not isinstance(events, list):
        raise InvalidInput(_("The record is not in a format this node reads."))
    values: dict[str, Any] = {}
    for key in RECORD_FIELDS:
        value = fields.get(key)
        if key in DATES and value:
            try:
                value = dt.date.fromisoformat(str(value))
            except ValueError as exc:
                raise InvalidInput(_("A date of the record is not a date.")) from exc
        elif value is None:
            value = None if key in DATES else ""
        elif not isinstance(value, str):
            raise InvalidInput(_("The record is not in a format this node reads."))
        values[key] = value
    entries = []
    for event in events:
        if not isinstance(event, dict) or event.get("kind") not in MemberEventKind.values:
            raise InvalidInput(_("The record is not in a format this node reads."))
        try:
            entries.append(
                {
                    "kind": event["kind"],
                    "title": str(event.get("title") or "")[:300],
                    "since": dt.date.fromisoformat(event["since"]) if event.get("since") else None,
                    "until": dt.date.fromisoformat(event["until"]) if event.get("until") else None,
                    "decision": str(event.get("decision") or "")[:200],
                }
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("A date of the record is not a date.")) from exc
    return normalise(values), entries


#: The units that issue a letter of introduction (giấy giới thiệu sinh hoạt đảng): a
#: cell's letter comes from its committee.
COMMITTEES = (UnitKind.CENTRAL, UnitKind.COMMITTEE, UnitKind.COMMUNE_COMMITTEE)


def committee_of(unit: Unit) -> Unit:
    """The nearest committee at or above ``unit`` (the unit itself when none is)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    found = Unit.objects.filter(pk__in=ids, kind__in=COMMITTEES).order_by("-depth").first()
    return found or unit


def transfer_send(
    *, actor: Actor, member: Member, to_unit: Unit, on: dt.date | None = None, note: str = ""
) -> Transfer:
    """Send ``member`` to ``to_unit`` (a cell or committee on this node or another).

    Raises:
        NotFound: the actor may not keep this record.
        InvalidInput: the member is not active, already on the way, or the unit is theirs;
            the receiving node cannot be reached safely (exchange/services/payloads.py).
    """
    if not Member.objects.restrict(actor, "change").filter(pk=member.pk).exists():  # type: ignore[arg-type]
        raise NotFound(_("This record does not exist or you may not change it."))
    if not holds_in(actor, member.unit, "records.add_transfer"):  # type: ignore[arg-type]
        raise NotFound(_("This record does not exist or you may not change it."))
    today = timezone.localdate()
    day = on or today
    if member.state != MemberState.ACTIVE:
        raise InvalidInput(_("Only an active member's Party life is transferred."))
    if to_unit.pk == member.unit_id:
        raise InvalidInput(_("The member already takes part in Party life there."))
    if day > today or day < member.admitted_on:
        raise InvalidInput(_("The date of transfer is after the admission and not in the future."))
    if Transfer.objects.filter(
        member=member, direction=TransferDirection.OUT, state=TransferState.PENDING
    ).exists():
        raise InvalidInput(_("This member's transfer is already on its way."))
    data = _record_of(member)
    with transaction.atomic():
        out = Transfer.objects.create(
            direction=TransferDirection.OUT,
            unit=member.unit,
            member=member,
            other_unit=to_unit,
            other_name=to_unit.name[:300],
            other_address=unit_address(to_unit)[:35],
            node=None if to_unit.node.is_local else to_unit.node,
            transfer_on=day,
            note=note.strip()[:500],
            record=data,
            full_name=member.full_name,
        )
        if to_unit.node.is_local:
            Transfer.objects.create(
                direction=TransferDirection.IN,
                unit=to_unit,
                other_unit=member.unit,
                other_name=member.unit.name[:300],
                other_address=unit_address(member.unit)[:35],
                transfer_on=day,
                note=out.note,
                record=data,
                full_name=member.full_name,
                linked=out,
            )
        else:
            out.code = f"{out.pk}/{NOTATION}"
            envelope = payload_send(
                unit=committee_of(member.unit),
                recipient=to_unit,
                name=PAYLOAD,
                data=json.dumps(
                    {**data, "transfer_on": day.isoformat(), "note": out.note},
                    ensure_ascii=False,
                ).encode("utf-8"),
                subject="Giới thiệu sinh hoạt đảng",
                code_number=str(out.pk),
                code_notation=NOTATION,
                type_name="Giấy giới thiệu sinh hoạt đảng",
                sensitive=bool(getattr(settings, "RECORDS_TRANSFER_DEDICATED_ONLY", True)),
            )
            out.edxml_id = envelope.edxml_id
            out.save(update_fields=["code", "edxml_id"])
        record(
            actor=actor,
            verb="member.transfer_send",
            target=out,
            data={"member": member.pk, "to": to_unit.pk, "on": day.isoformat()},
        )
    return out


def _incoming(actor: Actor, transfer: Transfer) -> Transfer:
    found = (
        Transfer.objects.restrict(actor, "change")  # type: ignore[arg-type]
        .filter(pk=transfer.pk, direction=TransferDirection.IN)
        .select_related("unit", "linked", "arrival__sender_node")
        .first()
    )
    if found is None:
        raise NotFound(_("This transfer does not exist or you may not decide on it."))
    if found.state != TransferState.PENDING:
        raise InvalidInput(
            _("This transfer was decided already (%(state)s).")
            % {"state": found.get_state_display()}
        )
    return found


def _close_out(out: Transfer, *, accepted: bool, reason: str, actor: Actor) -> None:
    """The sending side learns the answer: on acceptance the record is closed."""
    if out.state != TransferState.PENDING:
        return
    out.state = TransferState.ACCEPTED if accepted else TransferState.REFUSED
    out.reason = reason[:500]
    out.decided_at = timezone.now()
    out.save(update_fields=["state", "reason", "decided_at", "updated_at"])
    if accepted and out.member_id is not None:
        Member.objects.filter(pk=out.member_id, state=MemberState.ACTIVE).update(
            state=MemberState.TRANSFERRED_OUT,
            transferred_out_on=out.transfer_on,
            transferred_out_to=out.other_name,
            updated_at=timezone.now(),
        )
    record(
        actor=actor,
        verb="member.transfer_closed" if accepted else "member.transfer_refused",
        target=out,
        data={"member": out.member_id, "reason": reason[:300]},
    )


def transfer_accept(*, actor: Actor, transfer: Transfer) -> Member:
    """Accept an incoming transfer: open the member's record here, close it at the sender.

    Raises:
        NotFound: not an incoming transfer the actor may decide on.
        InvalidInput: decided already; the record breaks a rule here (a number held by
            another active member): refuse it with the reason instead.
    """
    incoming = _incoming(actor, transfer)
    values, entries = _values_of(incoming.record)
    # On one node the sender's record is still open: its numbers are the member's own.
    leaving = incoming.linked.member_id if incoming.linked is not None else None
    problems = member_check(values, other_than=leaving)
    if problems:
        raise InvalidInput(
            _("The record cannot be opened here: %(problems)s")
            % {"problems": "; ".join(problems.values())},
            extra={"fields": problems},
        )
    with transaction.atomic():
        if incoming.linked is not None:
            _close_out(incoming.linked, accepted=True, reason="", actor=actor)
        member = Member(
            unit=incoming.unit,
            state=MemberState.ACTIVE,
            transferred_in_on=incoming.transfer_on,
            transferred_in_from=incoming.other_name,
            **values,
        )
        member.save()
        MemberEvent.objects.bulk_create(MemberEvent(member=member, **e) for e in entries)
        incoming.member = member
        incoming.state = TransferState.ACCEPTED
        incoming.decided_at = timezone.now()
        incoming.save(update_fields=["member", "state", "decided_at", "updated_at"])
        record(
            actor=actor,
            verb="member.transfer_accept",
            target=incoming,
            data={"member": member.pk, "from": incoming.other_name},
        )
        if incoming.linked is None:
            _answer(
                incoming,
                StatusCode.DONE,
                _("Party life taken up at %(unit)s.") % {"unit": incoming.unit.name},
            )
    return member


def transfer_refuse(*, actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    """Refuse an incoming transfer with the reason; the sender's record stays open.

    Raises:
        NotFound: not an incoming transfer the actor may decide on.
        InvalidInput: decided already, or no reason.
    """
    incoming = _incoming(actor, transfer)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason for refusing the transfer."))
    with transaction.atomic():
        incoming.state = TransferState.REFUSED
        incoming.reason = reason[:500]
        incoming.decided_at = timezone.now()
        incoming.save(update_fields=["state", "reason", "decided_at", "updated_at"])
        record(
            actor=actor,
            verb="member.transfer_refuse",
            target=incoming,
            data={"reason": reason[:300]},
        )
        if incoming.linked is not None:
            _close_out(incoming.linked, accepted=False, reason=reason, actor=actor)
        else:
            _answer(incoming, StatusCode.REFUSED, reason)
    return incoming


def _answer(incoming: Transfer, code: str, description: str) -> None:
    if incoming.arrival is None:
        raise InvalidInput(_("The sender of this record is not known: it cannot be answered."))
    payload_answer(
        unit=incoming.unit,
        arrival=incoming.arrival,
        code=code,
        code_text=incoming.code,
        promulgation_date=incoming.arrival.received_at.date(),
        description=description,
    )


def on_payload(arrival: PayloadArrival) -> None:
    """The exchange's ``payload_hooks`` entry for ``PAYLOAD``: a record arrives.

    Raises:
        PayloadRefused: not a readable record (the envelope goes to quarantine).
    """
    try:
        data = json.loads(arrival.data.decode("utf-8"))
        _values_of(data)
        day = dt.date.fromisoformat(str(data.get("transfer_on")))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, InvalidInput) as exc:
        raise PayloadRefused(_("The member record in the envelope cannot be read.")) from exc
    note = str(data.get("note") or "")[:500]
    record_only = {key: data[key] for key in ("format", "member", "events")}
    for unit in arrival.units:
        incoming, created = Transfer.objects.get_or_create(
            direction=TransferDirection.IN,
            unit=unit,
            edxml_id=arrival.document_id[:300],
            defaults={
                "other_name": arrival.sender_name[:300] or arrival.sender_address,
                "other_address": arrival.sender_address[:35],
                "node": arrival.sender_node,
                "transfer_on": day,
                "note": note,
                "record": record_only,
                "full_name": str(data["member"].get("full_name") or "")[:200],
                "code": arrival.code[:60],
                "arrival": arrival.message,
            },
        )
        if created:
            record(
                actor=PeerActor(arrival.sender_node.code),
                verb="member.transfer_arrived",
                target=incoming,
                data={"from": arrival.sender_address},
            )


def on_status(status: PayloadStatus) -> None:
    """The exchange's ``status_hooks`` entry: the receiving committee's answer."""
    if status.code not in (StatusCode.DONE, StatusCode.REFUSED):
        return
    out = (
        # The id names the sending committee (``status.unit``), the out row its cell.
        Transfer.objects.filter(
            direction=TransferDirection.OUT,
            edxml_id=status.document_id,
            state=TransferState.PENDING,
        )
        .select_related("member")
        .first()
    )
    if out is None:
        return
    _close_out(
        out,
        accepted=status.code == StatusCode.DONE,
        reason="" if status.code == StatusCode.DONE else status.description,
        actor=PeerActor(status.node_code),
    )
