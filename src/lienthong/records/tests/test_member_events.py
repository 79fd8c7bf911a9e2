"""A member's posts, rewards and discipline (Mẫu 2-HSĐV, issue #9 scope 1): the
organisation departments that may change a record add, change and remove its entries,
through the services and the record pages. The rules come back with clear messages and
nothing changed; the audit events name the fields and the kind, never the values.

The ``party`` fixture (records/tests/conftest.py) gives a cell under commune A1 and the
organisation departments of A1, of province A, of commune A2 and of province B.
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
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.records.choices import MemberEventKind, MemberState
from lienthong.records.events import member_event_add, member_event_change, member_event_remove
from lienthong.records.models import Member, MemberEvent
from lienthong.records.services import member_create, member_update
from lienthong.records.tests.conftest import GOOD

pytestmark = pytest.mark.django_db

DETAIL = "records-member"
NEW = "records-member-event-new"
EDIT = "records-member-event-edit"
REMOVE = "records-member-event-remove"
TITLE = "Bí thư chi bộ khu phố 1"
VERBS = ("member.event_add", "member.event_change", "member.event_remove")


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _open(party: dict[str, Any], **values: Any) -> Member:
    return member_create(actor=party["commune_org"], unit=party["cell"], **{**GOOD, **values})


def _post(party: dict[str, Any], member: Member, **values: Any) -> MemberEvent:
    return member_event_add(
        actor=party["commune_org"],
        member=member,
        **{"kind": MemberEventKind.POST, "title": TITLE, "since": dt.date(2015, 1, 1), **values},
    )


def _audits() -> Any:
    return AuditEvent.objects.filter(verb__in=VERBS).order_by("seq")


def _assert_no_values(event: AuditEvent, *texts: str) -> None:
    """The audit event carries the fields and the kind, not what was written."""
    for text in (TITLE, *texts):
        assert text not in str(event.data)
        assert text not in event.target_repr


def test_an_entry_is_added_changed_and_removed_through_the_services(world: Any, party: Any) -> None:
    """GIVEN an active record WHEN the commune's department adds a post, the province's
    changes it and the commune's removes it THEN each write is one audit event against
    the record, with field names and the kind only, and the removal leaves no row."""
    record = _open(party)
    event = _post(party, record, decision="QĐ 12-QĐ/ĐU")
    assert event.member == record and event.title == TITLE
    added = _audits().get()
    assert added.verb == "member.event_add" and added.actor_user == party["commune_org"]
    assert added.target_id == str(record.pk) and added.unit_id == party["cell"].pk
    assert added.data == {
        "event": event.pk,
        "kind": "post",
        "fields": ["decision", "kind", "since", "title"],
    }
    _assert_no_values(added, "QĐ 12-QĐ/ĐU")

    member_event_change(
        actor=party["province_org"],
        event=event,
        title="Phó Bí thư chi bộ",
        until=dt.date(2020, 1, 1),
        decision="QĐ 12-QĐ/ĐU",  # unchanged: not named
    )
    event.refresh_from_db()
    assert event.title == "Phó Bí thư chi bộ" and event.until == dt.date(2020, 1, 1)
    changed = _audits().filter(verb="member.event_change").get()
    assert changed.data == {"event": event.pk, "kind": "post", "fields": ["title", "until"]}
    _assert_no_values(changed, "Phó Bí thư chi bộ")
    # Nothing changed: nothing audited.
    member_event_change(actor=party["province_org"], event=event, title=" Phó Bí thư chi bộ ")
    assert _audits().filter(verb="member.event_change").count() == 1

    pk = event.pk
    member_event_remove(actor=party["commune_org"], event=event, reason="Ghi nhầm người")
    assert not MemberEvent.objects.filter(pk=pk).exists()
    removed = _audits().filter(verb="member.event_remove").get()
    assert removed.data == {"event": pk, "kind": "post", "reason": "Ghi nhầm người"}
    _assert_no_values(removed, "Phó Bí thư chi bộ")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"since": timezone.localdate() + dt.timedelta(days=1)},
            "since",
            "This date cannot be in the future.",
        ),
        (
            {"since": dt.date(2020, 1, 1), "until": dt.date(2019, 12, 31)},
            "until",
            "The end date falls before the start date.",
        ),
        ({"since": dt.date(1980, 1, 1)}, "since", "This date falls before the member's birth."),
        (
            {"kind": MemberEventKind.DISCIPLINE, "title": "Khiển trách", "decision": " "},
            "decision",
            "A discipline gives the number of its decision.",
        ),
        ({"title": "  "}, "title", "Say what the post, the reward or the discipline is."),
        (
            {"kind": "medal"},
            "kind",
            "Choose whether the entry is a post, a reward or a discipline.",
        ),
    ],
)
def test_a_broken_rule_adds_nothing_and_says_why(
    world: Any, party: Any, values: dict[str, Any], field: str, message: str
) -> None:
    record = _open(party)
    with pytest.raises(InvalidInput) as caught:
        _post(party, record, **values)
    assert caught.value.extra["fields"] == {field: message}
    assert message in str(caught.value.message)
    assert not MemberEvent.objects.exists()
    assert not _audits().exists()


def test_a_broken_rule_changes_nothing(world: Any, party: Any) -> None:
    record = _open(party)
    event = _post(party, record)
    future = timezone.localdate() + dt.timedelta(days=3)
    for values, field, message in (
        ({"until": future}, "until", "This date cannot be in the future."),
        ({"until": dt.date(2014, 1, 1)}, "until", "The end date falls before the start date."),
        (
            {"kind": MemberEventKind.DISCIPLINE},
            "decision",
            "A discipline gives the number of its decision.",
        ),
    ):
        with pytest.raises(InvalidInput) as caught:
            member_event_change(actor=party["commune_org"], event=event, **values)
        assert caught.value.extra["fields"] == {field: message}
    event.refresh_from_db()
    assert event.kind == MemberEventKind.POST and event.until is None
    assert _audits().count() == 1  # the addition only
    with pytest.raises(InvalidInput) as caught:
        member_event_remove(actor=party["commune_org"], event=event, reason=" ")
    assert caught.value.extra["fields"] == {"reason": "Give the reason for removing the entry."}
    assert MemberEvent.objects.filter(pk=event.pk).exists()


def test_a_discipline_with_its_decision_is_kept(world: Any, party: Any) -> None:
    record = _open(party)
    event = _post(
        party,
        record,
        kind=MemberEventKind.DISCIPLINE,
        title="Khiển trách",
        decision="Quyết định 05-QĐ/ĐU",
    )
    assert event.kind == MemberEventKind.DISCIPLINE
    _assert_no_values(_audits().get(), "Khiển trách", "Quyết định 05-QĐ/ĐU")


def test_a_closed_record_takes_no_new_entries(world: Any, party: Any) -> None:
    record = _open(party)
    member_update(
        actor=party["commune_org"],
        member=record,
        state=MemberState.DIED,
        died_on=dt.date(2023, 1, 1),
    )
    with pytest.raises(InvalidInput) as caught:
        _post(party, record)
    assert caught.value.extra["fields"] == {
        "member": "This record is closed (deceased): it takes no new entries."
    }
    assert not MemberEvent.objects.exists()
    assert not _audits().exists()


def test_only_those_who_may_change_the_record_keep_its_entries(world: Any, party: Any) -> None:
    record = _open(party)
    event = _post(party, record)
    for outsider in (
        world.clerk_a1,
        party["office_specialist"],
        party["other_commune_org"],
        party["other_province_org"],
    ):
        with pytest.raises(NotFound):
            _post({"commune_org": outsider}, record, title="Khác")
        with pytest.raises(NotFound):
            member_event_change(actor=outsider, event=event, title="Khác")
        with pytest.raises(NotFound):
            member_event_remove(actor=outsider, event=event, reason="Khác")
    event.refresh_from_db()
    assert event.title == TITLE
    assert MemberEvent.objects.count() == 1
    assert _audits().count() == 1


# The pages.


def _event_data(**values: Any) -> dict[str, str]:
    data = {
        "kind": MemberEventKind.POST,
        "title": TITLE,
        "since": "2015-01-01",
        "until": "",
        "decision": "",
    }
    data.update({key: str(value) for key, value in values.items()})
    return data


def test_the_record_page_offers_add_change_and_remove(world: Any, party: Any) -> None:
    record = _open(party)
    event = _post(party, record)
    page = _client(party["province_org"]).get(reverse(DETAIL, args=[record.pk])).content.decode()
    for kind in MemberEventKind.values:
        assert f'href="{reverse(NEW, args=[record.pk])}?loai={kind}"' in page
    assert f'href="{reverse(EDIT, args=[record.pk, event.pk])}"' in page
    assert f'href="{reverse(REMOVE, args=[record.pk, event.pk])}"' in page

    member_update(
        actor=party["commune_org"],
        member=record,
        state=MemberState.DIED,
        died_on=dt.date(2023, 1, 1),
    )
    closed = _client(party["commune_org"]).get(reverse(DETAIL, args=[record.pk]))
    assert 'id="event-add-post"' not in closed.content.decode()
    assert f'id="event-change-{event.pk}"' in closed.content.decode()


def test_an_entry_is_added_through_the_page(world: Any, party: Any) -> None:
    record = _open(party)
    client = _client(party["commune_org"])
    url = f"{reverse(NEW, args=[record.pk])}?loai=reward"
    shown = client.get(url)
    assert shown.status_code == 200
    page = shown.content.decode()
    assert '<option value="reward" selected>' in page
    assert 'type="date"' in page and "csrfmiddlewaretoken" in page
    assert "<script>" not in page and " style=" not in page  # CSP: no inline code

    refused = client.post(
        url, _event_data(kind="discipline", title="Khiển trách", since="2030-01-01")
    )
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["since"] == ["This date cannot be in the future."]
    assert errors["decision"] == ["A discipline gives the number of its decision."]
    page = refused.content.decode()
    assert 'id="id_decision-errors"' in page and "Khiển trách" in page
    assert not MemberEvent.objects.exists()

    added = client.post(url, _event_data(kind="reward", title="Huy hiệu 30 năm tuổi Đảng"))
    event = MemberEvent.objects.get()
    assert added.status_code == 302
    assert added["Location"] == f"{reverse(DETAIL, args=[record.pk])}#events-reward"
    assert event.kind == "reward" and event.since == dt.date(2015, 1, 1)
    assert [str(m) for m in get_messages(added.wsgi_request)] == [
        "The entry was added to the record."
    ]
    assert "Huy hiệu 30 năm tuổi Đảng" not in str(_audits().get().data)


def test_a_closed_record_page_refuses_new_entries(world: Any, party: Any) -> None:
    record = _open(party, state=MemberState.DIED, died_on=dt.date(2023, 1, 1))
    client = _client(party["commune_org"])
    url = reverse(NEW, args=[record.pk])
    shown = client.get(url)
    assert shown.status_code == 200
    assert "This record is closed (deceased): it takes no new entries." in (shown.content.decode())
    refused = client.post(url, _event_data())
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [
        "This record is closed (deceased): it takes no new entries."
    ]
    assert not MemberEvent.objects.exists()


def test_an_entry_is_changed_and_removed_through_the_pages(world: Any, party: Any) -> None:
    record = _open(party)
    event = _post(party, record)
    client = _client(party["province_org"])
    url = reverse(EDIT, args=[record.pk, event.pk])
    shown = client.get(url)
    assert shown.status_code == 200
    assert 'value="2015-01-01"' in shown.content.decode()
    assert AuditEvent.objects.filter(verb="member.read").count() == 1  # shown to change it

    refused = client.post(url, _event_data(since="2020-01-01", until="2019-01-01"))
    assert refused.status_code == 200
    assert refused.context["form"].errors["until"] == ["The end date falls before the start date."]
    event.refresh_from_db()
    assert event.until is None

    changed = client.post(url, _event_data(until="2020-06-30"))
    assert changed.status_code == 302
    assert changed["Location"] == f"{reverse(DETAIL, args=[record.pk])}#events-post"
    event.refresh_from_db()
    assert event.until == dt.date(2020, 6, 30)
    assert _audits().filter(verb="member.event_change").get().data["fields"] == ["until"]

    remove = reverse(REMOVE, args=[record.pk, event.pk])
    confirm = client.get(remove)
    assert confirm.status_code == 200
    assert TITLE in confirm.content.decode() and 'name="reason"' in confirm.content.decode()
    no_reason = client.post(remove, {"reason": ""})
    assert no_reason.status_code == 200
    assert no_reason.context["form"].errors["reason"] == ["Give the reason for removing the entry."]
    assert MemberEvent.objects.filter(pk=event.pk).exists()
    removed = client.post(remove, {"reason": "Trùng với mục khác"})
    assert removed.status_code == 302
    assert not MemberEvent.objects.exists()
    audit = _audits().filter(verb="member.event_remove").get()
    assert audit.data["kind"] == "post" and audit.data["reason"] == "Trùng với mục khác"
    for event_audit in _audits():
        _assert_no_values(event_audit)


def test_removal_needs_a_post_with_the_csrf_token(world: Any, party: Any) -> None:
    record = _open(party)
    event = _post(party, record)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(party["commune_org"])
    forged = client.post(reverse(REMOVE, args=[record.pk, event.pk]), {"reason": "x"})
    assert forged.status_code == 403
    assert MemberEvent.objects.filter(pk=event.pk).exists()


def test_outsiders_get_404_on_every_page(world: Any, party: Any) -> None:
    """GIVEN a record with a post WHEN a commune clerk and another commune's organisation
    department open or post any entry page THEN 404, nothing changed, nothing read."""
    record = _open(party)
    event = _post(party, record)
    urls = (
        f"{reverse(NEW, args=[record.pk])}?loai=post",
        reverse(EDIT, args=[record.pk, event.pk]),
        reverse(REMOVE, args=[record.pk, event.pk]),
    )
    for outsider in (world.clerk_a1, party["other_commune_org"]):
        client = _client(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert client.post(url, {**_event_data(title="Khác"), "reason": "x"}).status_code == (
                404
            ), url
    assert MemberEvent.objects.get().title == TITLE
    assert _audits().count() == 1
    assert not AuditEvent.objects.filter(verb="member.read").exists()


def test_an_entry_under_another_members_path_is_404(world: Any, party: Any) -> None:
    first = _open(party)
    second = _open(party, full_name="Trần Văn Cường", card_number="76543210", file_number="")
    event = _post(party, first)
    client = _client(party["commune_org"])
    for name in (EDIT, REMOVE):
        url = reverse(name, args=[second.pk, event.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {**_event_data(title="Khác"), "reason": "x"}).status_code == 404
    assert client.get(reverse(EDIT, args=[first.pk, 999999])).status_code == 404
    assert MemberEvent.objects.get().title == TITLE
