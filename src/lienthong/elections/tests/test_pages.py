"""The counting board's pages through the Django test client: set-up, entry by number
keys' form, reconciliation, the board's decision, the count, result, projector, journal,
and another province's board seeing none of it (issue #6 scopes 1, 3, 7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lienthong.elections.models import BallotDecision, BallotRecord, Congress, Election, Round
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def tellers(world: Any) -> tuple[Any, Any]:
    return (
        member(UserFactory(full_name="Hoàng Văn Tư"), world.province_a, RoleCode.COUNTING_BOARD),
        member(UserFactory(full_name="Vũ Thị Năm"), world.province_a, RoleCode.COUNTING_BOARD),
    )


def _set_up(client: Client, world: Any) -> Election:
    response = client.post(
        "/bau-cu/",
        {
            "unit": world.province_a.pk,
            "name": "Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI",
            "body": "delegates",
            "held_on": "2025-10-01",
            "place": "Hội trường Tỉnh ủy",
        },
    )
    congress = Congress.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{congress.pk}/")
    response = client.post(
        f"/bau-cu/dai-hoi/{congress.pk}/",
        {
            "kind": "committee",
            "seats": "2",
            "convened": "6",
            "present": "6",
            "deductions": "ốm, không dự cả đại hội: 1",
            "rules": "party-190-2024",
        },
    )
    election = Election.objects.get()
    assert response.status_code == 302
    assert election.base == 5 and election.deductions == [
        {"reason": "ốm, không dự cả đại hội", "count": 1}
    ]
    client.post(
        f"/bau-cu/cuoc-bau/{election.pk}/ung-cu-vien/",
        {"names": "Trần Thị Bình\nNguyễn Văn An; 05/09/1975\nĐỗ Văn Đức"},
    )
    return election


def test_set_up_entry_reconciliation_decision_and_count_through_the_pages(
    world: Any, tellers: tuple[Any, Any]
) -> None:
    """GIVEN a delegates' congress set up on the pages (2 of 3, 6 convened, 1 deducted)
    WHEN both teams enter 5 ballots on the entry page, team 2 misreads ballot 4 and team 1
    sends ballot 5 to the board
    THEN the round page shows ballot 4 side by side and ballot 5 for the board; after the
    correction and the board's decision the count elects the two with 2 x votes > 5, and
    the result, projector and journal pages show it."""
    first, second = (_client(t) for t in tellers)
    election = _set_up(first, world)
    page = first.get(f"/bau-cu/cuoc-bau/{election.pk}/").content.decode()
    # Ballot order: An < Bình < Đức (given names; đ after d).
    assert page.index("Nguyễn Văn An") < page.index("Trần Thị Bình") < page.index("Đỗ Văn Đức")
    # 3 for 2 seats: a surplus of 1, at most 0 for 2 seats; a warning in words.
    assert 'data-code="surplus_too_large"' in page and "at most 0 for 2 seats" in page
    first.post(f"/bau-cu/cuoc-bau/{election.pk}/mo-lan-bau/")
    round_ = Round.objects.get()
    assert round_.names == ["Nguyễn Văn An", "Trần Thị Bình", "Đỗ Văn Đức"]

    entry = f"/bau-cu/lan-bau/{round_.pk}/nhap/"
    page = first.get(f"{entry}1/").content.decode()
    assert 'id="entry-form"' in page and 'name="number" id="number" value="1"' in page
    # Strike Đức (3) on ballots 1-3, An (1) on ballot 4, nobody on 5 (too many kept).
    struck = {1: "s-3", 2: "s-3", 3: "s-3", 4: "s-1", 5: None}
    for number, box in struck.items():
        data = {"number": str(number)}
        if box:
            data[box] = "on"
        if number == 5:
            data["doubtful"] = "on"
        response = first.post(f"{entry}1/", data)
        assert response.status_code == 302 and response["Location"].endswith(f"?so={number + 1}")
        second_data = {"number": str(number), **({box: "on"} if box else {})}
        if number == 4:
            second_data = {"number": "4", "s-2": "on"}
        assert second.post(f"{entry}2/", second_data).status_code == 302
    # One person, one team: the first teller cannot type for team 2.
    refused = first.post(f"{entry}2/", {"number": "6", "s-1": "on"})
    assert refused.status_code == 400 and b"one person, one team" in refused.content

    page = first.get(f"/bau-cu/lan-bau/{round_.pk}/").content.decode()
    assert 'id="difference-4"' in page and 'id="doubtful-5"' in page
    assert "struck: Nguyễn Văn An" in page and "struck: Trần Thị Bình" in page
    refused = first.post(f"/bau-cu/lan-bau/{round_.pk}/kiem-phieu/", {"issued": 6, "received": 5})
    assert Round.objects.get().state == "entering"

    second.post(f"{entry}2/", {"number": "4", "s-1": "on"})
    first.post(
        f"/bau-cu/lan-bau/{round_.pk}/quyet-dinh/5/",
        {"verdict": "valid", "reason_code": "", "note": "Vết bút vô ý"},
    )
    assert BallotDecision.objects.get().note == "Vết bút vô ý"
    page = first.get(f"/bau-cu/lan-bau/{round_.pk}/").content.decode()
    assert 'id="reconciled"' in page
    response = first.post(f"/bau-cu/lan-bau/{round_.pk}/kiem-phieu/", {"issued": 6, "received": 5})
    assert response.status_code == 302
    round_.refresh_from_db()
    # An 4, Bình 5 (kept on 1-3 and 5; struck on none) ... ballot 5 keeps all three:
    # too many kept, invalid; valid 4: An 3, Bình 4, Đức 1. Base 5: 2 x 3 > 5, 2 x 4 > 5.
    assert round_.result["valid"] == 4 and round_.result["invalid"] == 1
    assert round_.result["elected"] == ["Trần Thị Bình", "Nguyễn Văn An"]

    page = first.get(f"/bau-cu/lan-bau/{round_.pk}/").content.decode()
    assert 'id="result-table"' in page and 'data-status="complete"' in page
    projector = first.get(f"/bau-cu/lan-bau/{round_.pk}/trinh-chieu/").content.decode()
    assert projector.index("Trần Thị Bình") < projector.index("Nguyễn Văn An")
    assert 'class="elected"' in projector
    journal = first.get(f"/bau-cu/lan-bau/{round_.pk}/nhat-ky/").content.decode()
    assert 'id="chain-ok"' in journal and "decide" in journal
    assert BallotRecord.objects.filter(round=round_).count() == 10


def test_another_provinces_board_sees_nothing(world: Any, tellers: tuple[Any, Any]) -> None:
    first = _client(tellers[0])
    election = _set_up(first, world)
    first.post(f"/bau-cu/cuoc-bau/{election.pk}/mo-lan-bau/")
    round_ = Round.objects.get()
    other = _client(member(UserFactory(), world.province_b, RoleCode.COUNTING_BOARD))
    assert "Đại hội đại biểu" not in other.get("/bau-cu/").content.decode()
    for url in (
        f"/bau-cu/dai-hoi/{election.congress.pk}/",
        f"/bau-cu/cuoc-bau/{election.pk}/",
        f"/bau-cu/lan-bau/{round_.pk}/",
        f"/bau-cu/lan-bau/{round_.pk}/nhap/1/",
        f"/bau-cu/lan-bau/{round_.pk}/trinh-chieu/",
        f"/bau-cu/lan-bau/{round_.pk}/nhat-ky/",
        f"/bau-cu/lan-bau/{round_.pk}/phieu-bau.pdf",
    ):
        assert other.get(url).status_code == 404, url
    response = other.post(f"/bau-cu/lan-bau/{round_.pk}/nhap/1/", {"number": "1"})
    assert response.status_code == 404
    assert not BallotRecord.objects.exists()


def test_bad_input_on_the_pages_changes_nothing(world: Any, tellers: tuple[Any, Any]) -> None:
    first = _client(tellers[0])
    election = _set_up(first, world)
    response = first.post(
        f"/bau-cu/dai-hoi/{election.congress.pk}/",
        {"kind": "committee", "seats": "2", "convened": "6", "present": "6",
         "deductions": "không có số", "rules": "party-190-2024"},
    )  # fmt: skip
    assert response.status_code == 400 and b"Line 1" in response.content
    response = first.post(
        f"/bau-cu/cuoc-bau/{election.pk}/ung-cu-vien/", {"names": "Lê Văn Em; 31/02/1970"}
    )
    assert election.candidates.count() == 3
    first.post(f"/bau-cu/cuoc-bau/{election.pk}/mo-lan-bau/")
    round_ = Round.objects.get()
    response = first.post(f"/bau-cu/lan-bau/{round_.pk}/nhap/1/", {"number": "abc"})
    assert response.status_code == 400 and not BallotRecord.objects.exists()
    response = first.post(f"/bau-cu/lan-bau/{round_.pk}/kiem-phieu/", {"issued": "x"})
    assert response.status_code == 302 and Round.objects.get().state == "entering"
