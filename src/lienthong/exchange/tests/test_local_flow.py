"""Exchange on one node: issue → outbox → inbox → status trail back (issue #5 scopes 3-5).

Local recipients go through the same code path as remote ones (``inbound_receive``):
the envelope is signed by the node, verified, de-duplicated, put in each unit's inbox
and answered with signed status messages that build the sender's trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from lienthong.core.errors import InvalidInput
from lienthong.documents import services as documents
from lienthong.documents.choices import Direction, DocumentState
from lienthong.documents.models import Document, Register
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import Office, office, pki, storage, write_draft
from lienthong.exchange import selectors, services
from lienthong.exchange.choices import InboundState, InboxState, OutboxState, StatusCode
from lienthong.exchange.identity import unit_address
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem, StatusEntry
from lienthong.exchange.trail import trail_verify
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import Node

__all__ = ["office", "pki", "storage"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _issue(office: Office, recipients: list[Any], **overrides: Any) -> Document:
    document = write_draft(office, recipient_units=recipients, **overrides)
    document = documents.document_submit(actor=office.specialist, document=document)
    document = documents.document_approve(actor=office.leader, document=document)
    document = documents.document_sign(
        actor=office.leader, document=document, second_factor_verified=True
    )
    return documents.document_issue(
        actor=office.clerk, document=document, second_factor_verified=True
    )


def _codes(document: Document, unit: Any) -> list[str]:
    return list(
        StatusEntry.objects.filter(unit=document.unit, recipient_organ_id=unit_address(unit))
        .order_by("pk")
        .values_list("code", flat=True)
    )


def test_issue_to_local_units_reaches_every_inbox_and_the_trail_comes_back(
    office: Office, world: Any
) -> None:
    """GIVEN a document issued by Tỉnh ủy Hà Nội to two communes on the same node
    WHEN the outbox is delivered
    THEN one envelope (one node) carried it, both communes have it in their inbox as
    "arrived", and the sender's trail per recipient reads sent → arrived, hash-chained."""
    document = _issue(office, [world.commune_a1, world.commune_a2])

    envelopes = list(Envelope.objects.filter(document=document))
    assert len(envelopes) == 1
    assert sorted(envelopes[0].recipient_organ_ids) == sorted(
        [unit_address(world.commune_a1), unit_address(world.commune_a2)]
    )
    report = services.outbox_deliver()

    assert report.dead == 0
    assert not Envelope.objects.exclude(state=OutboxState.DELIVERED).exists()
    items = InboxItem.objects.filter(message__edxml_id=envelopes[0].edxml_id)
    assert sorted(i.unit_id for i in items) == sorted([world.commune_a1.pk, world.commune_a2.pk])
    assert {i.state for i in items} == {InboxState.ARRIVED}
    assert {i.subject for i in items} == {document.subject}
    assert all(
        a["verdict"] in {"valid", "valid_with_warnings"}
        for i in items
        for a in i.verification["attachments"]
        if a["content_type"] == files.PDF_TYPE
    )
    for unit in (world.commune_a1, world.commune_a2):
        assert _codes(document, unit) == [StatusCode.SENT, StatusCode.ARRIVED]
        check = trail_verify(
            unit=document.unit,
            document_id=envelopes[0].edxml_id,
            recipient_organ_id=unit_address(unit),
        )
        assert check.ok and check.entries == 2


def test_a_replayed_envelope_registers_nothing_new(office: Office, world: Any) -> None:
    """GIVEN a delivered envelope
    WHEN the same bytes arrive again
    THEN the answer is 01 "duplicate" and no inbox item or message is added."""
    document = _issue(office, [world.commune_a1])
    services.outbox_deliver()
    envelope = Envelope.objects.get(document=document)
    before = (InboxItem.objects.count(), InboundMessage.objects.count())

    outcome = services.inbound_receive(data=files.file_read(envelope.payload))

    assert outcome.duplicate and outcome.code == StatusCode.ARRIVED
    assert (InboxItem.objects.count(), InboundMessage.objects.count()) == before


def test_a_tampered_envelope_is_quarantined_and_registers_nothing(
    office: Office, world: Any
) -> None:
    """GIVEN a signed envelope whose subject was changed by one letter on the way
    WHEN it is received
    THEN it is answered 02 with the reason, kept in quarantine, and no inbox item exists."""
    document = _issue(office, [world.commune_a1])
    envelope = Envelope.objects.get(document=document)
    data = files.file_read(envelope.payload)
    tampered = data.replace(b"ph\xe1\xba\xa7n m\xe1\xbb\x81m", b"ph\xe1\xba\xa7n m\xe1\xbb\x81n", 1)
    assert tampered != data

    outcome = services.inbound_receive(data=tampered)

    assert outcome.code == StatusCode.REFUSED
    assert outcome.message is not None
    assert outcome.message.state == InboundState.QUARANTINED
    assert "signature" in outcome.reason
    assert not InboxItem.objects.exists()


def test_registering_from_the_inbox_sends_registered_back(office: Office, world: Any) -> None:
    """GIVEN a document arrived in Hoàn Kiếm's inbox
    WHEN Hoàn Kiếm's clerk registers it
    THEN it is an incoming document with the next arrival number and the received PDF,
    and the sender's trail reads sent → arrived → registered."""
    Register.objects.create(unit=world.commune_a1, direction=Direction.INCOMING, name="Sổ đến")
    document = _issue(office, [world.commune_a1])
    services.outbox_deliver()
    item = InboxItem.objects.get(unit=world.commune_a1)

    incoming = services.inbox_register(
        actor=world.clerk_a1, item=item, document_type=document.document_type
    )
    services.outbox_deliver()

    assert incoming.direction == Direction.INCOMING
    assert incoming.state == DocumentState.REGISTERED
    assert incoming.arrival_number == 1
    assert incoming.files.exists()
    item.refresh_from_db()
    assert item.state == InboxState.REGISTERED and item.document == incoming
    assert _codes(document, world.commune_a1) == [
        StatusCode.SENT,
        StatusCode.ARRIVED,
        StatusCode.REGISTERED,
    ]


def test_a_classified_document_for_an_internet_node_is_refused_at_issue(
    office: Office, world: Any, settings: Any
) -> None:
    """GIVEN this node on the dedicated network and Nghi Lộc hosted by a node on the Internet
    WHEN a document marked Mật is issued to Nghi Lộc
    THEN the issue is refused with a message and the document stays signed, nothing queued."""
    from lienthong.org.models import Role

    settings.NETWORK_PROFILE = "dedicated"
    Role.objects.update(clearance=1)  # the office's people are cleared for Mật
    Node.objects.filter(is_local=True).update(network_profile=NetworkProfile.DEDICATED)
    remote = Node.objects.create(
        code="NA", name="Nút Nghệ An", network_profile=NetworkProfile.INTERNET
    )
    world.commune_b1.node = remote
    world.commune_b1.save()

    with pytest.raises(InvalidInput, match="cannot be sent to Nút Nghệ An"):
        _issue(office, [world.commune_b1], classification=1)

    document = Document.objects.get(direction=Direction.OUTGOING)
    assert document.state == DocumentState.SIGNED
    assert not Envelope.objects.exists()


def test_every_handling_step_at_the_recipient_reaches_the_sender(
    office: Office, world: Any
) -> None:
    """GIVEN a document registered from Hoàn Kiếm's inbox
    WHEN it is assigned, handled and closed there
    THEN the sender's trail reads sent → arrived → registered → assigned → in progress →
    done, each step a signed status message from the node where it happened, and the
    chain verifies."""
    Register.objects.create(unit=world.commune_a1, direction=Direction.INCOMING, name="Sổ đến")
    document = _issue(office, [world.commune_a1])
    services.outbox_deliver()
    item = InboxItem.objects.get(unit=world.commune_a1)
    incoming = services.inbox_register(
        actor=world.clerk_a1, item=item, document_type=document.document_type
    )

    (lead, *_rest) = documents.document_assign(
        actor=world.clerk_a1, document=incoming, lead=world.clerk_a1, directive="Xử lý ngay"
    )
    documents.assignment_progress(actor=world.clerk_a1, assignment=lead, text="Đang soạn")
    documents.assignment_done(actor=world.clerk_a1, assignment=lead, note="Đã xong")
    services.outbox_deliver()

    assert _codes(document, world.commune_a1) == [
        StatusCode.SENT,
        StatusCode.ARRIVED,
        StatusCode.REGISTERED,
        StatusCode.ASSIGNED,
        StatusCode.IN_PROGRESS,
        StatusCode.DONE,
    ]
    entries = StatusEntry.objects.filter(
        unit=document.unit, recipient_organ_id=unit_address(world.commune_a1)
    ).exclude(code=StatusCode.SENT)
    assert all(entry.message is not None for entry in entries)
    check = trail_verify(
        unit=document.unit,
        document_id=entries[0].edxml_id,
        recipient_organ_id=unit_address(world.commune_a1),
    )
    assert check.ok and check.entries == 6


def test_a_recall_takes_an_unregistered_document_out_of_every_inbox(
    office: Office, world: Any
) -> None:
    """GIVEN a document delivered to two communes, not yet registered there
    WHEN the sender recalls it (NĐ 30 Điều 18)
    THEN a signed 13 "yêu cầu lấy lại" reaches both, each copy leaves the inbox, 15 comes
    back from each, the sender's document is frozen and every trail verifies."""
    document = _issue(office, [world.commune_a1, world.commune_a2])
    services.outbox_deliver()

    documents.document_recall(actor=office.clerk, document=document, reason="Sai nơi nhận")
    report = services.outbox_deliver()

    assert report.dead == 0
    document.refresh_from_db()
    assert document.state == DocumentState.RECALLED
    items = InboxItem.objects.filter(unit__in=[world.commune_a1, world.commune_a2])
    assert {i.state for i in items} == {InboxState.RECALLED}
    assert {i.reason for i in items} == {"Sai nơi nhận"}
    assert not selectors.inbox_list(user=world.clerk_a1).exists()
    for unit in (world.commune_a1, world.commune_a2):
        assert _codes(document, unit) == [
            StatusCode.SENT,
            StatusCode.ARRIVED,
            StatusCode.RECALL_REQUESTED,
            StatusCode.CHANGE_ACCEPTED,
        ]
        check = trail_verify(
            unit=document.unit,
            document_id=items[0].message.edxml_id,
            recipient_organ_id=unit_address(unit),
        )
        assert check.ok and check.entries == 4
    # The recipient's own trail has the request too, signed by the sending node.
    asked = StatusEntry.objects.get(unit=world.commune_a1, code=StatusCode.RECALL_REQUESTED)
    assert asked.message is not None and asked.description == "Sai nơi nhận"


def _registered(office: Office, world: Any) -> tuple[Document, InboxItem, Document]:
    Register.objects.create(unit=world.commune_a1, direction=Direction.INCOMING, name="Sổ đến")
    document = _issue(office, [world.commune_a1])
    services.outbox_deliver()
    item = InboxItem.objects.get(unit=world.commune_a1)
    incoming = services.inbox_register(
        actor=world.clerk_a1, item=item, document_type=document.document_type
    )
    services.outbox_deliver()
    return document, item, incoming


def test_a_registered_document_is_given_back_only_when_the_clerk_agrees(
    office: Office, world: Any
) -> None:
    """GIVEN a document registered and being handled at Hoàn Kiếm
    WHEN the sender recalls it and Hoàn Kiếm's clerk gives it back
    THEN the copy waits for the clerk (no answer yet), then the incoming document is
    withdrawn from handling (frozen, assignments closed) and 15 reaches the sender."""
    document, item, incoming = _registered(office, world)
    (lead, *_rest) = documents.document_assign(
        actor=world.clerk_a1, document=incoming, lead=world.clerk_a1, directive="Xử lý"
    )

    documents.document_recall(actor=office.clerk, document=document, reason="Ban hành lại")
    services.outbox_deliver()

    item.refresh_from_db()
    assert item.state == InboxState.RECALL_ASKED and item.reason == "Ban hành lại"
    assert _codes(document, world.commune_a1)[-1] == StatusCode.RECALL_REQUESTED

    services.inbox_recall_accept(actor=world.clerk_a1, item=item)
    services.outbox_deliver()

    item.refresh_from_db()
    incoming.refresh_from_db()
    lead.refresh_from_db()
    assert item.state == InboxState.RECALLED
    assert incoming.state == DocumentState.RECALLED
    assert lead.state == "done"
    assert _codes(document, world.commune_a1)[-2:] == [
        StatusCode.RECALL_REQUESTED,
        StatusCode.CHANGE_ACCEPTED,
    ]
    with pytest.raises(InvalidInput):
        documents.assignment_progress(actor=world.clerk_a1, assignment=lead, text="Tiếp tục")


def test_the_clerk_may_refuse_to_give_a_registered_document_back(
    office: Office, world: Any
) -> None:
    """GIVEN a recall of a document registered at Hoàn Kiếm
    WHEN the clerk refuses with a reason
    THEN 16 with the reason reaches the sender, the document stays registered there, and
    a refusal without a reason is refused and changes nothing."""
    document, item, incoming = _registered(office, world)
    documents.document_recall(actor=office.clerk, document=document, reason="Nhầm")
    services.outbox_deliver()
    item.refresh_from_db()

    with pytest.raises(InvalidInput):
        services.inbox_recall_refuse(actor=world.clerk_a1, item=item, reason="  ")
    item.refresh_from_db()
    assert item.state == InboxState.RECALL_ASKED

    services.inbox_recall_refuse(actor=world.clerk_a1, item=item, reason="Đã thi hành xong")
    services.outbox_deliver()

    item.refresh_from_db()
    incoming.refresh_from_db()
    assert item.state == InboxState.REGISTERED
    assert incoming.state == DocumentState.REGISTERED
    last = StatusEntry.objects.filter(
        unit=document.unit, recipient_organ_id=unit_address(world.commune_a1)
    ).latest("pk")
    assert (last.code, last.description) == (StatusCode.CHANGE_REFUSED, "Đã thi hành xong")
    with pytest.raises(InvalidInput):
        services.inbox_recall_accept(actor=world.clerk_a1, item=item)


def test_a_recall_of_a_document_that_never_arrived_is_quarantined(
    office: Office, world: Any
) -> None:
    """GIVEN a recall request whose document did not arrive here (its envelope lost)
    THEN it is kept in quarantine with the reason, and nothing else changes."""
    document = _issue(office, [world.commune_a1])
    Envelope.objects.filter(document=document).update(state=OutboxState.DEAD)

    documents.document_recall(actor=office.clerk, document=document, reason="Sai")
    services.outbox_deliver()

    kept = InboundMessage.objects.get(state=InboundState.QUARANTINED)
    assert "did not arrive" in kept.reason
    assert not InboxItem.objects.exists()


def test_a_replacement_takes_the_unregistered_original_out_of_the_inbox(
    office: Office, world: Any
) -> None:
    """GIVEN a document waiting (not registered) in Hoàn Kiếm's inbox and registered at
    Cửa Nam
    WHEN its replacement (thay thế, BussinessDocType 3) is issued to both and delivered
    THEN at Hoàn Kiếm the original leaves the inbox ("replaced by No. …") and the
    replacement waits instead; at Cửa Nam the registered original stays registered with
    the same note."""
    Register.objects.create(unit=world.commune_a2, direction=Direction.INCOMING, name="Sổ đến")
    original = _issue(office, [world.commune_a1, world.commune_a2])
    services.outbox_deliver()
    services.inbox_register(
        actor=world.clerk_a2,
        item=InboxItem.objects.get(unit=world.commune_a2),
        document_type=original.document_type,
    )
    draft = documents.document_replace(
        actor=office.specialist,
        original=original,
        subject="V/v triển khai phần mềm lienthong (thay thế)",
        body="Nội dung đã sửa.",
        signer=office.leader,
        signer_position="Ban Thường vụ\nBí thư",
        competence="T/M",
        recipients_text="Các đảng ủy trực thuộc",
        recipient_units=[world.commune_a1, world.commune_a2],
    )
    documents.document_submit(actor=office.specialist, document=draft)
    documents.document_approve(actor=office.leader, document=draft)
    draft = documents.document_sign(
        actor=office.leader, document=draft, second_factor_verified=True
    )
    replacement = documents.document_issue(
        actor=office.clerk, document=draft, second_factor_verified=True
    )

    services.outbox_deliver()

    old_a1, new_a1 = InboxItem.objects.filter(unit=world.commune_a1).order_by("pk")
    assert old_a1.state == InboxState.REPLACED
    assert old_a1.reason.startswith("Replaced by No. ")
    assert f"{replacement.code_number:02d}" in old_a1.reason
    assert new_a1.state == InboxState.ARRIVED and "(thay thế)" in new_a1.subject
    old_a2 = InboxItem.objects.filter(unit=world.commune_a2).order_by("pk").first()
    assert old_a2 is not None
    assert old_a2.state == InboxState.REGISTERED and old_a2.reason == old_a1.reason
