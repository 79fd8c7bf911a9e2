"""The exchange pages: the inbox, a sent document's trail, the IT officer's operations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lienthong.documents.choices import Direction
from lienthong.documents.models import Register
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import Office, office, pki, storage
from lienthong.exchange import services
from lienthong.exchange.choices import InboundState, InboxState, OutboxState
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem
from lienthong.exchange.tests.test_local_flow import _issue
from lienthong.org.choices import RoleCode

__all__ = ["office", "pki", "storage"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def arrived(office: Office, world: Any) -> Any:
    """GIVEN a document from Tỉnh ủy Hà Nội arrived in Hoàn Kiếm's inbox."""
    Register.objects.create(unit=world.commune_a1, direction=Direction.INCOMING, name="Sổ đến")
    document = _issue(office, [world.commune_a1])
    services.outbox_deliver()
    return document


def test_the_clerk_registers_from_the_inbox_page(arrived: Any, world: Any) -> None:
    """GIVEN the document in Hoàn Kiếm's inbox
    WHEN Hoàn Kiếm's clerk opens the inbox and registers it
    THEN the page lists it, the register button leads to the new incoming document, and
    the inbox is empty; Cửa Nam's clerk never sees it."""
    clerk = _client(world.clerk_a1)
    page = clerk.get("/lien-thong/hop-den/").content.decode()
    item = InboxItem.objects.get(unit=world.commune_a1)
    assert arrived.subject in page and f'id="register-{item.pk}"' in page
    assert (
        arrived.subject not in _client(world.clerk_a2).get("/lien-thong/hop-den/").content.decode()
    )

    response = clerk.post(
        f"/lien-thong/hop-den/{item.pk}/vao-so/",
        {f"i{item.pk}-document_type": arrived.document_type.pk},
    )

    item.refresh_from_db()
    assert item.state == InboxState.REGISTERED
    assert response.status_code == 302 and response["Location"] == f"/van-ban/{item.document_id}/"
    assert 'id="inbox-empty"' in clerk.get("/lien-thong/hop-den/").content.decode()


def test_another_unit_cannot_register_or_refuse(arrived: Any, world: Any) -> None:
    """GIVEN the document in Hoàn Kiếm's inbox
    WHEN Cửa Nam's clerk posts to register or refuse it
    THEN 404 and the item is still waiting."""
    item = InboxItem.objects.get(unit=world.commune_a1)
    other = _client(world.clerk_a2)

    assert other.post(f"/lien-thong/hop-den/{item.pk}/tu-choi/", {"reason": "x"}).status_code == 404
    assert (
        other.post(
            f"/lien-thong/hop-den/{item.pk}/vao-so/",
            {f"i{item.pk}-document_type": arrived.document_type.pk},
        ).status_code
        == 404
    )
    item.refresh_from_db()
    assert item.state == InboxState.ARRIVED


def test_refusing_needs_a_reason_and_tells_the_sender(arrived: Any, world: Any) -> None:
    """GIVEN the document in Hoàn Kiếm's inbox
    WHEN the clerk refuses it without, then with, a reason
    THEN the first is refused with a message, the second refuses it and the sender's
    trail page shows "refused"."""
    item = InboxItem.objects.get(unit=world.commune_a1)
    clerk = _client(world.clerk_a1)

    clerk.post(f"/lien-thong/hop-den/{item.pk}/tu-choi/", {"reason": ""})
    item.refresh_from_db()
    assert item.state == InboxState.ARRIVED
    clerk.post(f"/lien-thong/hop-den/{item.pk}/tu-choi/", {"reason": "Gửi nhầm đơn vị"})
    services.outbox_deliver()

    item.refresh_from_db()
    assert item.state == InboxState.REFUSED
    trail = _client(world.leader_a).get(f"/lien-thong/van-ban/{arrived.pk}/").content.decode()
    assert "refused" in trail and "Gửi nhầm đơn vị" in trail
    assert "intact" in trail


def test_the_operations_page_is_for_the_it_officer(
    arrived: Any, office: Office, world: Any
) -> None:
    """GIVEN a dead letter and a tampered envelope for Hoàn Kiếm in quarantine
    WHEN the IT officer opens the operations page, sends the dead letter again and
    discards the quarantined envelope
    THEN both appear and both actions work; a clerk gets 404 on the page."""
    from lienthong.org.tests.factories import UserFactory, member

    officer = member(UserFactory(full_name="Cán bộ CNTT"), world.province_a, RoleCode.IT_OFFICER)
    envelope = Envelope.objects.filter(document=arrived).first()
    assert envelope is not None
    Envelope.objects.filter(pk=envelope.pk).update(state=OutboxState.DEAD, last_error="HTTP 503")
    data = files.file_read(envelope.payload)
    bad = services.inbound_receive(data=data.replace(b"Subject>V", b"Subject>W", 1))
    assert bad.message is not None and bad.message.state == InboundState.QUARANTINED
    client = _client(officer)

    page = client.get("/lien-thong/van-hanh/").content.decode()
    assert "HTTP 503" in page and bad.message.reason[:30] in page
    assert _client(world.clerk_a1).get("/lien-thong/van-hanh/").status_code == 404

    client.post(f"/lien-thong/van-hanh/gui-lai/{envelope.pk}/")
    client.post(f"/lien-thong/van-hanh/cach-ly/{bad.message.pk}/huy/", {"reason": "Gói tin hỏng"})

    envelope.refresh_from_db()
    assert envelope.state == OutboxState.QUEUED
    assert InboundMessage.objects.get(pk=bad.message.pk).state == InboundState.DISCARDED


def test_the_clerk_answers_a_recall_from_the_inbox_page(
    arrived: Any, office: Office, world: Any
) -> None:
    """GIVEN a document registered at Hoàn Kiếm, then recalled by its sender
    WHEN Hoàn Kiếm's clerk opens the inbox and gives it back
    THEN the page shows the request with the sender's reason; Cửa Nam's clerk cannot
    answer it (404); after the answer the sender's trail page reads "recall or update
    accepted" for Hoàn Kiếm."""
    from lienthong.documents import services as documents

    item = InboxItem.objects.get(unit=world.commune_a1)
    services.inbox_register(actor=world.clerk_a1, item=item, document_type=arrived.document_type)
    documents.document_recall(actor=office.clerk, document=arrived, reason="Sai trích yếu")
    services.outbox_deliver()
    clerk = _client(world.clerk_a1)

    page = clerk.get("/lien-thong/hop-den/").content.decode()
    assert 'id="recall-asked"' in page and "Sai trích yếu" in page
    assert f'id="give-back-{item.pk}"' in page
    other = _client(world.clerk_a2)
    assert other.post(f"/lien-thong/hop-den/{item.pk}/tra-lai/").status_code == 404
    clerk.post(f"/lien-thong/hop-den/{item.pk}/khong-tra-lai/", {"reason": ""})
    item.refresh_from_db()
    assert item.state == InboxState.RECALL_ASKED

    clerk.post(f"/lien-thong/hop-den/{item.pk}/tra-lai/")
    services.outbox_deliver()

    item.refresh_from_db()
    assert item.state == InboxState.RECALLED
    trail = _client(world.leader_a).get(f"/lien-thong/van-ban/{arrived.pk}/").content.decode()
    assert "Recall or update accepted" in trail and "intact" in trail


def test_the_sender_sees_who_is_overdue(office: Office, world: Any) -> None:
    """GIVEN a document due yesterday, sent to two communes, one of which has answered
    (done) and one not
    WHEN the sender opens the trail page
    THEN the due date shows and only the silent recipient is marked overdue."""
    import datetime as dt

    from django.utils import timezone

    from lienthong.documents import services as documents

    for unit in (world.commune_a1, world.commune_a2):
        Register.objects.create(unit=unit, direction=Direction.INCOMING, name="Sổ đến")
    document = _issue(office, [world.commune_a1, world.commune_a2])
    services.outbox_deliver()
    item = InboxItem.objects.get(unit=world.commune_a1)
    incoming = services.inbox_register(
        actor=world.clerk_a1, item=item, document_type=document.document_type
    )
    documents.document_done(actor=world.clerk_a1, document=incoming, note="Xong")
    services.outbox_deliver()
    type(document).objects.filter(pk=document.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )

    trail = _client(world.leader_a).get(f"/lien-thong/van-ban/{document.pk}/").content.decode()

    assert 'id="trail-overdue"' in trail and "1 recipient has not answered in time" in trail
    assert trail.count('class="error overdue"') == 1
    rows = trail.split("<tr>")
    overdue_row = next(r for r in rows if 'class="error overdue"' in r)
    assert world.commune_a2.name in overdue_row


def test_the_trail_page_sums_up_and_pages_through_many_recipients(
    office: Office, world: Any, monkeypatch: Any
) -> None:
    """GIVEN a document delivered to two communes, one of which refused it, and a page
    size of one recipient
    WHEN the sender opens the trail page and its second page
    THEN the summary counts both recipients per step as bars (2/2 arrived), says one
    refused, and each page shows one recipient with a link to the next."""
    from lienthong.exchange import pages

    monkeypatch.setattr(pages, "TRAIL_PAGE_SIZE", 1)
    document = _issue(office, [world.commune_a1, world.commune_a2])
    services.outbox_deliver()
    services.inbox_refuse(
        actor=world.clerk_a2, item=InboxItem.objects.get(unit=world.commune_a2), reason="Nhầm"
    )
    leader = _client(world.leader_a)

    first = leader.get(f"/lien-thong/van-ban/{document.pk}/").content.decode()
    second = leader.get(f"/lien-thong/van-ban/{document.pk}/?trang=2").content.decode()

    assert 'id="trail-summary"' in first
    assert '<meter min="0" max="2" value="2">2/2</meter>' in first  # sent, arrived
    assert "1 recipient refused it" in first
    assert 'id="trail-next"' in first and 'id="trail-next"' not in second
    assert (world.commune_a1.name in first) != (world.commune_a1.name in second)
