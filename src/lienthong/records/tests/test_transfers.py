"""Transfers of Party life (issue #9 scope 2): on one node, and the handlers of the
exchange hooks that carry a transfer across nodes (the wire itself is exercised by
``tests/integration/test_exchange_nodes.py`` with two nodes on loopback).

A member of a cell of the commune committee A1 moves to a cell of the commune committee
A2: the organisation department of A1 sends, that of A2 accepts or refuses.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.exchange.choices import StatusCode
from lienthong.exchange.services.payloads import (
    PayloadArrival,
    PayloadRefused,
    PayloadStatus,
    payload_hooks,
    status_hooks,
)
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.records.choices import MemberEventKind, MemberState, TransferDirection, TransferState
from lienthong.records.models import Member, MemberEvent, Transfer
from lienthong.records.selectors import member_statistics
from lienthong.records.services import member_create
from lienthong.records.tests.conftest import GOOD
from lienthong.records.transfers import (
    PAYLOAD,
    on_payload,
    on_status,
    transfer_accept,
    transfer_refuse,
    transfer_send,
)


@pytest.fixture
def moving(world: Any, party: dict[str, Any]) -> dict[str, Any]:
    """GIVEN an active member of the A1 cell with a reward, and a cell of A2."""
    from lienthong.org.tests.factories import UnitFactory

    member = member_create(actor=party["commune_org"], unit=party["cell"], **GOOD)
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.REWARD,
        title="Huy hiệu 10 năm",
        since=dt.date(2020, 5, 19),
    )
    cell2 = UnitFactory(
        name="Chi bộ khu phố 5",
        parent=world.commune_a2,
        kind=UnitKind.CELL,
        level=UnitLevel.GRASSROOTS,
    )
    return {**party, "member": member, "cell2": cell2}


def test_the_hooks_are_registered() -> None:
    assert payload_hooks[PAYLOAD] is on_payload
    assert on_status in status_hooks


def test_a_transfer_on_one_node_closes_one_record_and_opens_the_other(
    world: Any, moving: dict[str, Any]
) -> None:
    member = moving["member"]
    out = transfer_send(
        actor=moving["commune_org"], member=member, to_unit=moving["cell2"], note="Chuyển nơi ở"
    )
    assert out.state == TransferState.PENDING and out.direction == TransferDirection.OUT
    incoming = Transfer.objects.get(linked=out)
    # Who sees which side: each organisation department its own; the province both.
    sender, receiver = moving["commune_org"], moving["other_commune_org"]
    assert list(Transfer.objects.restrict(sender, "view")) == [out]
    assert list(Transfer.objects.restrict(receiver, "view")) == [incoming]
    assert set(Transfer.objects.restrict(moving["province_org"], "view")) == {out, incoming}
    with pytest.raises(NotFound):  # the sender cannot accept on the receiver's behalf
        transfer_accept(actor=sender, transfer=incoming)
    with pytest.raises(InvalidInput, match="already on its way"):
        transfer_send(actor=sender, member=member, to_unit=moving["cell2"])
    # Until the receiver decides, the member is counted once, at the sender.
    assert member_statistics(user=moving["province_org"], unit=world.province_a).total == 1

    opened = transfer_accept(actor=receiver, transfer=incoming)

    member.refresh_from_db()
    assert member.state == MemberState.TRANSFERRED_OUT
    assert member.transferred_out_on == out.transfer_on
    assert member.transferred_out_to == "Chi bộ khu phố 5"
    assert opened.unit == moving["cell2"] and opened.state == MemberState.ACTIVE
    assert opened.transferred_in_from == party_cell_name(moving)
    assert (opened.card_number, opened.file_number, opened.born_on) == (
        member.card_number,
        member.file_number,
        member.born_on,
    )
    assert list(opened.events.values_list("title", flat=True)) == ["Huy hiệu 10 năm"]
    out.refresh_from_db()
    incoming.refresh_from_db()
    assert (out.state, incoming.state, incoming.member) == (
        TransferState.ACCEPTED,
        TransferState.ACCEPTED,
        opened,
    )
    # Never active twice: one member in the province's statistics, and the card number
    # cannot be given to a third record.
    assert member_statistics(user=moving["province_org"], unit=world.province_a).total == 1
    with pytest.raises(InvalidInput, match="party card number"):
        member_create(
            actor=moving["commune_org"],
            unit=moving["cell"],
            **{**GOOD, "file_number": "654321HN"},
        )
    with pytest.raises(InvalidInput, match="decided already"):
        transfer_accept(actor=receiver, transfer=incoming)
    verbs = set(
        AuditEvent.objects.filter(verb__startswith="member.transfer").values_list("verb", flat=True)
    )
    assert verbs == {"member.transfer_send", "member.transfer_accept", "member.transfer_closed"}


def party_cell_name(moving: dict[str, Any]) -> str:
    return str(moving["cell"].name)


def test_a_refused_transfer_leaves_the_record_where_it_was(moving: dict[str, Any]) -> None:
    member = moving["member"]
    out = transfer_send(actor=moving["commune_org"], member=member, to_unit=moving["cell2"])
    incoming = Transfer.objects.get(linked=out)
    with pytest.raises(InvalidInput, match="reason"):
        transfer_refuse(actor=moving["other_commune_org"], transfer=incoming, reason="  ")
    transfer_refuse(
        actor=moving["other_commune_org"], transfer=incoming, reason="Không đúng địa bàn"
    )
    out.refresh_from_db()
    member.refresh_from_db()
    assert out.state == TransferState.REFUSED and out.reason == "Không đúng địa bàn"
    assert member.state == MemberState.ACTIVE and member.unit == moving["cell"]
    assert Member.objects.count() == 1
    # Refused, the member may be sent again.
    again = transfer_send(actor=moving["commune_org"], member=member, to_unit=moving["cell2"])
    assert again.state == TransferState.PENDING


def test_a_transfer_is_refused_with_a_reason_when_it_cannot_be(
    world: Any, moving: dict[str, Any]
) -> None:
    member = moving["member"]
    sender = moving["commune_org"]
    with pytest.raises(InvalidInput, match="already takes part"):
        transfer_send(actor=sender, member=member, to_unit=moving["cell"])
    with pytest.raises(InvalidInput, match="not in the future"):
        transfer_send(
            actor=sender,
            member=member,
            to_unit=moving["cell2"],
            on=dt.date.today() + dt.timedelta(days=3),
        )
    with pytest.raises(NotFound):
        transfer_send(actor=world.clerk_a1, member=member, to_unit=moving["cell2"])
    with pytest.raises(NotFound):
        transfer_send(actor=moving["other_commune_org"], member=member, to_unit=moving["cell2"])
    Member.objects.filter(pk=member.pk).update(state=MemberState.DIED, died_on=dt.date(2025, 1, 1))
    member.refresh_from_db()
    with pytest.raises(InvalidInput, match="active"):
        transfer_send(actor=sender, member=member, to_unit=moving["cell2"])
    assert not Transfer.objects.exists()


# The handlers of the exchange hooks, as the exchange calls them for another node.


def _arrival(
    moving: dict[str, Any], data: bytes, document_id: str = "G1,2026/11/20,7/GTSHĐ"
) -> Any:
    from lienthong.exchange.choices import InboundState, MessageKind
    from lienthong.exchange.models import InboundMessage
    from lienthong.org.models import Node

    node = Node.objects.create(code="T99", name="Nút tỉnh khác", base_url="https://t99.invalid")
    message = InboundMessage.objects.create(
        unit=moving["cell2"],
        kind=MessageKind.EDOC,
        sender_node=node,
        sender_organ_id="T99.L5",
        edxml_id=document_id,
        state=InboundState.ACCEPTED,
    )
    return PayloadArrival(
        message=message,
        units=[moving["cell2"]],
        sender_node=node,
        sender_address="T99.L5",
        sender_name="Chi bộ 3, Đảng ủy phường X",
        document_id=document_id,
        code="7/GTSHĐ",
        promulgation_date=dt.date(2026, 11, 20),
        data=data,
    )


def _sent(member: Member) -> bytes:
    from lienthong.records.transfers import _record_of

    return json.dumps({**_record_of(member), "transfer_on": "2026-11-20", "note": ""}).encode()


def test_a_record_from_another_node_waits_for_the_receiving_department(
    moving: dict[str, Any],
) -> None:
    member = moving["member"]
    data = _sent(member)
    arrival = _arrival(moving, data)
    on_payload(arrival)
    on_payload(arrival)  # the same envelope again: nothing new
    incoming = Transfer.objects.get(direction=TransferDirection.IN)
    assert incoming.state == TransferState.PENDING
    assert incoming.full_name == member.full_name
    assert incoming.record["member"]["card_number"] == member.card_number
    assert incoming.transfer_on == dt.date(2026, 11, 20)
    assert list(Transfer.objects.restrict(moving["other_commune_org"], "view")) == [incoming]
    assert not Transfer.objects.restrict(moving["commune_org"], "view").exists()


@pytest.mark.parametrize(
    "data",
    [b"not json", b'{"format": 9}', json.dumps({"format": 1, "member": {"born_on": "x"}}).encode()],
)
def test_an_unreadable_record_is_refused_to_quarantine(moving: dict[str, Any], data: bytes) -> None:
    with pytest.raises(PayloadRefused):
        on_payload(_arrival(moving, data))
    assert not Transfer.objects.exists()


def test_the_answer_from_another_node_closes_the_record_once(moving: dict[str, Any]) -> None:
    member = moving["member"]
    out = Transfer.objects.create(
        direction=TransferDirection.OUT,
        unit=member.unit,
        member=member,
        other_name="Chi bộ 3, Đảng ủy phường X",
        transfer_on=dt.date(2026, 11, 20),
        full_name=member.full_name,
        edxml_id="L1,2026/11/20,9/GTSHĐ",
    )
    status = PayloadStatus(
        unit=member.unit,
        document_id=out.edxml_id,
        recipient_address="T99.L5",
        code=StatusCode.DONE,
        description="",
        node_code="T99",
    )
    on_status(PayloadStatus(**{**status.__dict__, "code": StatusCode.ARRIVED}))
    out.refresh_from_db()
    assert out.state == TransferState.PENDING  # "đã đến" decides nothing
    on_status(status)
    on_status(PayloadStatus(**{**status.__dict__, "code": StatusCode.REFUSED}))  # too late
    out.refresh_from_db()
    member.refresh_from_db()
    assert out.state == TransferState.ACCEPTED
    assert member.state == MemberState.TRANSFERRED_OUT
    assert member.transferred_out_to == "Chi bộ 3, Đảng ủy phường X"
    assert AuditEvent.objects.filter(verb="member.transfer_closed").count() == 1
