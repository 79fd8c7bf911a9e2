"""The pages of the transfers of Party life (issue #9 scope 2): the form on a member's
record that sends the transfer, and the page where the receiving organisation department
accepts or refuses it and everyone sees the latest transfers they may see (each showing
audited).

A member of a cell of the commune committee A1 moves to a cell of the commune committee
A2: the organisation department of A1 sends, that of A2 decides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lienthong.audit.models import AuditEvent
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.records.choices import MemberState, TransferDirection, TransferState
from lienthong.records.models import Member, Transfer
from lienthong.records.services import member_create
from lienthong.records.tests.conftest import GOOD
from lienthong.records.transfers import transfer_send

pytestmark = pytest.mark.django_db

SEND = "records-member-transfer"
TRANSFERS = "records-transfers"
ACCEPT = "records-transfer-accept"
REFUSE = "records-transfer-refuse"
DETAIL = "records-member"


@pytest.fixture
def moving(world: Any, party: dict[str, Any]) -> dict[str, Any]:
    """GIVEN an active member of the A1 cell, and a cell of A2."""
    from lienthong.org.tests.factories import UnitFactory

    member = member_create(actor=party["commune_org"], unit=party["cell"], **GOOD)
    cell2 = UnitFactory(
        name="Chi bộ khu phố 5",
        parent=world.commune_a2,
        kind=UnitKind.CELL,
        level=UnitLevel.GRASSROOTS,
    )
    return {**party, "member": member, "cell2": cell2}


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _sent(moving: dict[str, Any]) -> Transfer:
    """The incoming side of a transfer sent by A1 to the A2 cell."""
    out = transfer_send(
        actor=moving["commune_org"], member=moving["member"], to_unit=moving["cell2"]
    )
    return Transfer.objects.get(linked=out)


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_record_links_to_the_form_for_the_sender_only(moving: dict[str, Any]) -> None:
    """GIVEN an active record WHEN the A1 department and the A2 department open it (the
    province too) THEN the sender sees the link to the form; the form lists the A2 cell
    with its parent, never the member's own cell, and the filter narrows the list."""
    member = moving["member"]
    url = reverse(SEND, args=[member.pk])
    page = _client(moving["commune_org"]).get(reverse(DETAIL, args=[member.pk])).content.decode()
    assert f'href="{url}"' in page and "Transfer Party life" in page

    shown = _client(moving["commune_org"]).get(url)
    assert shown.status_code == 200
    choices = dict(shown.context["form"].fields["to_unit"].choices)
    assert moving["cell2"].pk in choices and moving["cell"].pk not in choices
    assert "Chi bộ khu phố 5, under" in choices[moving["cell2"].pk]
    assert shown.context["form"].initial["transfer_on"] == timezone.localdate()

    narrowed = _client(moving["commune_org"]).get(url, {"tim": "khu pho 5"})
    assert [pk for pk in dict(narrowed.context["form"].fields["to_unit"].choices) if pk] == [
        moving["cell2"].pk
    ]


def test_a_unit_on_another_node_is_named_with_its_node(moving: dict[str, Any]) -> None:
    """GIVEN a cell hosted on another node WHEN the sender looks for it THEN its choice
    names the node, so the sender knows the record will travel there."""
    from lienthong.org.models import Node
    from lienthong.org.tests.factories import UnitFactory

    node = Node.objects.create(code="T99", name="Nút tỉnh khác", base_url="https://t99.invalid")
    far = UnitFactory(
        name="Chi bộ thôn Xa", kind=UnitKind.CELL, level=UnitLevel.GRASSROOTS, node=node
    )
    url = reverse(SEND, args=[moving["member"].pk])
    shown = _client(moving["commune_org"]).get(url, {"tim": "thon xa"})
    choices = dict(shown.context["form"].fields["to_unit"].choices)
    assert list(choices) == ["", far.pk]
    assert choices[far.pk] == "Chi bộ thôn Xa (on node Nút tỉnh khác)"


def test_the_sender_sends_through_the_form(moving: dict[str, Any]) -> None:
    """GIVEN the A1 department WHEN it posts the form for the A2 cell THEN both sides of
    the transfer exist, pending, and the page goes to the transfers page with a message."""
    member = moving["member"]
    response = _client(moving["commune_org"]).post(
        reverse(SEND, args=[member.pk]),
        {
            "to_unit": moving["cell2"].pk,
            "transfer_on": timezone.localdate().isoformat(),
            "note": "Chuyển nơi ở",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(TRANSFERS)
    out = Transfer.objects.get(direction=TransferDirection.OUT, member=member)
    incoming = Transfer.objects.get(linked=out)
    assert (out.state, incoming.state, incoming.unit) == (
        TransferState.PENDING,
        TransferState.PENDING,
        moving["cell2"],
    )
    assert out.note == "Chuyển nơi ở"
    assert any("was sent to Chi bộ khu phố 5" in text for text in _messages(response))


def test_a_date_in_the_future_shows_the_message_and_sends_nothing(
    moving: dict[str, Any],
) -> None:
    """GIVEN the A1 department WHEN it posts a date in the future THEN the form comes back
    with the service's message and no transfer exists."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _client(moving["commune_org"]).post(
        reverse(SEND, args=[moving["member"].pk]),
        {"to_unit": moving["cell2"].pk, "transfer_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert "not in the future" in response.content.decode()
    assert not Transfer.objects.exists()


def test_a_clerk_and_the_receiver_get_404_on_the_form(world: Any, moving: dict[str, Any]) -> None:
    """GIVEN the commune's clerk and the A2 department WHEN they open or post the form
    THEN 404, and nothing is sent."""
    url = reverse(SEND, args=[moving["member"].pk])
    for user in (world.clerk_a1, moving["other_commune_org"]):
        assert _client(user).get(url).status_code == 404
        posted = _client(user).post(
            url,
            {"to_unit": moving["cell2"].pk, "transfer_on": timezone.localdate().isoformat()},
        )
        assert posted.status_code == 404
    assert not Transfer.objects.exists()


def test_the_receiver_accepts_the_transfer(moving: dict[str, Any]) -> None:
    """GIVEN a transfer sent to the A2 cell WHEN the A2 department opens the transfers
    page and accepts it THEN a record is opened in the A2 cell, the A1 record is closed
    as transferred out, and the page goes to the new record."""
    incoming = _sent(moving)
    client = _client(moving["other_commune_org"])
    page = client.get(reverse(TRANSFERS))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'id="waiting-{incoming.pk}"' in text and "Chi bộ khu phố 1" in text
    assert f'action="{reverse(ACCEPT, args=[incoming.pk])}"' in text

    unconfirmed = client.post(reverse(ACCEPT, args=[incoming.pk]))
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.content.decode()
    assert not Member.objects.filter(unit=moving["cell2"]).exists()

    response = client.post(reverse(ACCEPT, args=[incoming.pk]), {f"a{incoming.pk}-confirm": "on"})
    opened = Member.objects.get(unit=moving["cell2"])
    assert response.status_code == 302
    assert response["Location"] == reverse(DETAIL, args=[opened.pk])
    assert opened.state == MemberState.ACTIVE
    moving["member"].refresh_from_db()
    assert moving["member"].state == MemberState.TRANSFERRED_OUT
    incoming.refresh_from_db()
    assert incoming.state == TransferState.ACCEPTED
    # The closed record no longer offers a transfer.
    closed = _client(moving["commune_org"]).get(reverse(DETAIL, args=[moving["member"].pk]))
    assert reverse(SEND, args=[moving["member"].pk]) not in closed.content.decode()


def test_the_sender_sees_the_transfer_but_cannot_decide(moving: dict[str, Any]) -> None:
    """GIVEN a transfer sent to the A2 cell WHEN the A1 department opens the page and
    posts an acceptance THEN its outgoing side is listed, nothing waits for it, and the
    acceptance is 404."""
    incoming = _sent(moving)
    client = _client(moving["commune_org"])
    page = client.get(reverse(TRANSFERS))
    assert page.context["waiting"] == []
    assert [t.direction for t in page.context["recent"]] == [TransferDirection.OUT]
    response = client.post(reverse(ACCEPT, args=[incoming.pk]), {f"a{incoming.pk}-confirm": "on"})
    assert response.status_code == 404
    incoming.refresh_from_db()
    assert incoming.state == TransferState.PENDING


def test_a_refusal_needs_a_reason(moving: dict[str, Any]) -> None:
    """GIVEN a transfer sent to the A2 cell WHEN the A2 department refuses it without a
    reason THEN the page shows the message and nothing changes; WHEN with a reason THEN
    both sides are refused and the A1 record stays active."""
    incoming = _sent(moving)
    client = _client(moving["other_commune_org"])
    url = reverse(REFUSE, args=[incoming.pk])
    bare = client.post(url, {f"t{incoming.pk}-reason": "   "})
    assert bare.status_code == 200
    assert "Give the reason for refusing the transfer." in bare.content.decode()
    incoming.refresh_from_db()
    assert incoming.state == TransferState.PENDING

    response = client.post(url, {f"t{incoming.pk}-reason": "Không đúng địa bàn"})
    assert response.status_code == 302 and response["Location"] == reverse(TRANSFERS)
    incoming.refresh_from_db()
    assert incoming.linked is not None
    assert (incoming.state, incoming.reason) == (TransferState.REFUSED, "Không đúng địa bàn")
    assert incoming.linked.state == TransferState.REFUSED
    moving["member"].refresh_from_db()
    assert moving["member"].state == MemberState.ACTIVE
    shown = client.get(reverse(TRANSFERS)).content.decode()
    assert "Không đúng địa bàn" in shown


def test_an_outsider_sees_neither_side(world: Any, moving: dict[str, Any]) -> None:
    """GIVEN a transfer from A1 to A2 WHEN province B's department opens the page THEN it
    lists neither side, and deciding is 404; a clerk gets 403."""
    incoming = _sent(moving)
    client = _client(moving["other_province_org"])
    page = client.get(reverse(TRANSFERS))
    assert page.status_code == 200
    assert page.context["waiting"] == [] and page.context["recent"] == []
    assert "Nguyễn Thị Bình" not in page.content.decode()
    assert client.post(reverse(REFUSE, args=[incoming.pk]), {"reason": "x"}).status_code == 404
    assert _client(world.clerk_a1).get(reverse(TRANSFERS)).status_code == 403


def test_each_showing_of_the_page_is_audited(moving: dict[str, Any]) -> None:
    """GIVEN a transfer WHEN the A2 department opens the page THEN one
    ``member.transfer_list`` event names the reader and how many rows were shown."""
    _sent(moving)
    before = AuditEvent.objects.filter(verb="member.transfer_list").count()
    _client(moving["other_commune_org"]).get(reverse(TRANSFERS))
    events = AuditEvent.objects.filter(verb="member.transfer_list").order_by("-seq")
    assert events.count() == before + 1
    assert events[0].actor_user == moving["other_commune_org"]
    assert events[0].data == {"waiting": 1, "shown": 1}


def test_the_member_list_links_to_the_transfers_page(moving: dict[str, Any]) -> None:
    """GIVEN the A1 department WHEN it opens the member list THEN the header links to the
    transfers page."""
    page = _client(moving["commune_org"]).get(reverse("records-members")).content.decode()
    assert f'href="{reverse(TRANSFERS)}"' in page
