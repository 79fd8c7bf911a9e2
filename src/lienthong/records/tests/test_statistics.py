"""Member statistics of a subtree on a day (issue #9 scope 3): by gender, age, ethnicity,
decade of admission and political theory; members gone before the day are not counted;
a reader counts only the records they may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lienthong.records.choices import Gender, MemberState, TheoryLevel
from lienthong.records.models import Member
from lienthong.records.selectors import member_statistics

ON = dt.date(2026, 6, 30)


def _member(unit: Any, name: str, **values: Any) -> Member:
    defaults: dict[str, Any] = {
        "gender": Gender.MALE,
        "born_on": dt.date(1980, 1, 1),
        "admitted_on": dt.date(2005, 1, 1),
        "official_on": dt.date(2006, 1, 1),
    }
    return Member.objects.create(unit=unit, full_name=name, **{**defaults, **values})


def test_statistics_count_the_members_of_the_day(world: Any, party: Any) -> None:
    cell = party["cell"]
    _member(
        cell,
        "A",
        gender=Gender.FEMALE,
        born_on=dt.date(1996, 7, 1),
        admitted_on=dt.date(2020, 5, 1),
        official_on=dt.date(2021, 5, 1),
        theory=TheoryLevel.ELEMENTARY,
    )  # 29 on the day
    _member(
        cell,
        "B",
        born_on=dt.date(1996, 6, 30),
        admitted_on=dt.date(2018, 1, 1),
        official_on=dt.date(2019, 1, 1),
    )  # 30 on the day, exactly
    _member(
        cell,
        "C",
        ethnicity="Tày",
        born_on=dt.date(1950, 1, 1),
        admitted_on=dt.date(1975, 4, 30),
        official_on=dt.date(1976, 4, 30),
        theory=TheoryLevel.ADVANCED,
    )
    _member(cell, "D", admitted_on=dt.date(2026, 1, 10), official_on=None)  # probationary
    _member(cell, "E", state=MemberState.DIED, died_on=dt.date(2024, 1, 1))  # gone
    _member(
        cell, "F", state=MemberState.TRANSFERRED_OUT, transferred_out_on=dt.date(2026, 8, 1)
    )  # still here on the day
    _member(cell, "G", admitted_on=dt.date(2026, 7, 15), official_on=None)  # after the day
    stats = member_statistics(user=party["province_org"], unit=world.province_a, on=ON)
    assert stats.total == 5
    assert stats.by_gender == [("male", 4), ("female", 1)]
    assert dict(stats.by_age) == {
        "≤ 30": 2,
        "31-40": 0,
        "41-50": 2,
        "51-60": 0,
        "61-70": 0,
        "> 70": 1,
    }
    assert stats.by_ethnicity == [("Kinh", 4), ("Tày", 1)]
    assert stats.by_admission_decade == [
        ("1970-1979", 1),
        ("2000-2009", 1),
        ("2010-2019", 1),
        ("2020-2029", 2),
    ]
    assert dict(stats.by_theory)["elementary (sơ cấp)"] == 1
    assert dict(stats.by_theory)["advanced (cao cấp)"] == 1
    assert stats.probationary == 1
    other = member_statistics(user=party["other_province_org"], unit=world.central, on=ON)
    assert other.total == 0


def test_the_deferred_rows_page_like_the_queryset(world: Any, party: Any) -> None:
    """The list's paging reads the same rows in the same order as the plain queryset."""
    from django.core.paginator import Paginator

    from lienthong.records.selectors import DeferredRows, member_list

    for number in range(23):
        _member(party["cell"], f"Người {number % 7} {number:02d}")
    rows = member_list(user=party["province_org"], unit=world.province_a).order_by(
        "full_name_folded", "pk"
    )
    deferred = Paginator(DeferredRows(rows), 10)
    plain = Paginator(rows, 10)
    assert deferred.count == plain.count == 23
    for number in (1, 2, 3):
        assert list(deferred.page(number).object_list) == list(plain.page(number).object_list)
    assert DeferredRows(rows)[4] == rows[4]


def test_the_statistics_page_counts_without_names(world: Any, party: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    _member(party["cell"], "Nguyễn Văn Kín", ethnicity="Mường")
    _member(party["cell"], "Lê Thị Hai", gender=Gender.FEMALE)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(party["province_org"])
    url = reverse("records-statistics")
    page = client.get(url, {"don-vi": world.province_a.pk, "ngay": "2026-06-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 party members on 30/06/2026" in html
    assert '<th scope="row">Mường</th><td class="num">1</td>' in html
    assert '<th scope="row">female</th><td class="num">1</td>' in html
    assert "Nguyễn Văn Kín" not in html
    assert client.get(url, {"ngay": "30 tháng 6"}).status_code == 400
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(world.clerk_a1)
    assert other.get(url).status_code == 403
    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(party["other_province_org"])
    assert outsider.get(url, {"don-vi": world.province_a.pk}).status_code == 404
