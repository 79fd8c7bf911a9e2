"""Party-member records (issue #9 scope 1 and its acceptance): strictly private, every
read audited, the numbers and dates checked with clear messages.

A member of a cell under the commune committee A1 (province A): the organisation
department of the commune committee and that of the province read the record; a commune
clerk, a specialist of another department of the province and the organisation
department of another commune or province get "not found".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.records.choices import LeavingForm, MemberState
from lienthong.records.models import Member
from lienthong.records.selectors import member_get, member_list
from lienthong.records.services import member_check, member_create, member_update
from lienthong.records.tests.conftest import GOOD


def _open(party: dict[str, Any], **values: Any) -> Member:
    return member_create(actor=party["commune_org"], unit=party["cell"], **{**GOOD, **values})


def test_only_the_organisation_departments_above_read_a_record(world: Any, party: Any) -> None:
    record = _open(party)
    assert record.file_number == "123456HN"  # normalised
    for reader in ("commune_org", "province_org"):
        assert member_get(user=party[reader], pk=record.pk) == record
    for outsider in (
        world.clerk_a1,
        party["office_specialist"],
        party["other_commune_org"],
        party["other_province_org"],
        world.leader_a,
    ):
        with pytest.raises(NotFound):
            member_get(user=outsider, pk=record.pk)
        assert not member_list(user=outsider, unit=world.central).filter(pk=record.pk).exists()
    reads = AuditEvent.objects.filter(verb="member.read", target_id=str(record.pk))
    assert (
        sorted(e.actor_label for e in reads)
        == sorted([party["commune_org"].get_username(), party["province_org"].get_username()])
        or reads.count() == 2
    )
    assert reads.count() == 2
    # The list of the province: the province's department finds the member by name.
    found = member_list(user=party["province_org"], unit=world.province_a, name="thi binh")
    assert list(found) == [record]


def test_only_the_keepers_open_and_change_records(world: Any, party: Any) -> None:
    with pytest.raises(NotFound):
        member_create(actor=world.clerk_a1, unit=party["cell"], **GOOD)
    with pytest.raises(NotFound):  # another committee's department
        member_create(actor=party["other_commune_org"], unit=party["cell"], **GOOD)
    record = _open(party)
    with pytest.raises(NotFound):
        member_update(actor=party["office_specialist"], member=record, alias="B")
    member_update(actor=party["province_org"], member=record, alias="Chị Ba", religion="")
    event = AuditEvent.objects.filter(verb="member.update").get()
    assert event.data == {"fields": ["alias"]}  # the fields, never their values
    assert "Chị Ba" not in str(event.data)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"card_number": "1234567"}, "card_number", "The party card number has 8 digits."),
        ({"card_number": "1234567A"}, "card_number", "The party card number has 8 digits."),
        ({"file_number": "12345HN"}, "file_number", "6 digits followed by 1 to 3 letters"),
        ({"file_number": "123456ABCD"}, "file_number", "6 digits followed by 1 to 3 letters"),
        (
            {"official_on": dt.date(2010, 5, 1)},
            "official_on",
            "made official after their admission, not before",
        ),
        ({"official_on": dt.date(2010, 11, 19)}, "official_on", "after 12 months of probation"),
        ({"admitted_on": dt.date(2099, 1, 1), "official_on": None}, "admitted_on", "future"),
        ({"official_on": dt.date(2099, 1, 1)}, "official_on", "cannot be in the future"),
        ({"admitted_on": dt.date(2001, 1, 1), "official_on": None}, "admitted_on", "18 years"),
        ({"born_on": None}, "born_on", "The date of birth is required."),
        ({"full_name": " "}, "full_name", "The full name is required."),
        ({"state": MemberState.DIED}, "died_on", "date of death"),
        ({"state": MemberState.LEFT, "left_on": dt.date(2020, 1, 1)}, "leaving_form", "how"),
        (
            {"died_on": dt.date(2009, 1, 1), "state": MemberState.DIED},
            "died_on",
            "before the admission",
        ),
    ],
)
def test_the_rules_are_enforced_with_clear_messages(
    world: Any, party: Any, values: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _open(party, **values)
    problems = refused.value.extra["fields"]
    assert field in problems and message in problems[field]
    assert not Member.objects.exists()  # nothing saved


def test_a_number_is_held_once(world: Any, party: Any) -> None:
    first = _open(party)
    with pytest.raises(InvalidInput) as refused:
        _open(party, full_name="Trần Văn Cường", file_number="654321HN")
    assert refused.value.extra["fields"] == {
        "card_number": "Another member holds this party card number."
    }
    other = _open(party, full_name="Trần Văn Cường", card_number="76543210", file_number="654321ĐN")
    with pytest.raises(InvalidInput):
        member_update(actor=party["commune_org"], member=other, file_number=first.file_number)
    # Leaving the Party is recorded with its date and form; the numbers stay.
    member_update(
        actor=party["commune_org"],
        member=other,
        state=MemberState.LEFT,
        left_on=dt.date(2024, 3, 1),
        leaving_form=LeavingForm.STRUCK_OFF,
    )
    other.refresh_from_db()
    assert other.state == MemberState.LEFT and other.card_number == "76543210"


def test_the_probation_and_age_are_settings(settings: Any) -> None:
    settings.RECORDS_PROBATION_MONTHS = 6
    settings.RECORDS_MIN_ADMISSION_AGE = 16
    values = {
        **GOOD,
        "born_on": dt.date(1994, 1, 1),
        "admitted_on": dt.date(2010, 6, 1),
        "official_on": dt.date(2010, 12, 1),
        "card_number": "",
        "file_number": "",
    }
    assert member_check(values, today=dt.date(2026, 1, 1)) == {}
