"""Keyset paging of the member list (docs/benchmarks.md, member list): "next" and
"previous" carry the id of the row they follow or precede, and give the same rows as
paging by number, in the same order, ties of one name broken by id."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lienthong.records.models import Member
from lienthong.records.selectors import member_list, rows_after

pytestmark = pytest.mark.django_db


def _fill(cell: Any, count: int) -> list[int]:
    names = ["Lê Văn An", "Nguyễn Thị Bình", "Trần Văn Cường"]
    Member.objects.bulk_create(
        Member(
            unit=cell,
            full_name=names[n % 3],
            full_name_folded=["le van an", "nguyen thi binh", "tran van cuong"][n % 3],
            gender="male",
            born_on=dt.date(1980, 1, 1),
            admitted_on=dt.date(2005, 1, 1),
        )
        for n in range(count)
    )
    return list(
        Member.objects.filter(unit=cell)
        .order_by("full_name_folded", "pk")
        .values_list("pk", flat=True)
    )


def test_rows_after_and_before_follow_the_list_order(world: Any, party: Any) -> None:
    order = _fill(party["cell"], 23)
    rows = member_list(user=party["commune_org"], unit=world.commune_a1).order_by(
        "full_name_folded", "pk"
    )
    after = rows_after(rows, after=order[4], size=5)
    assert after is not None and [m.pk for m in after] == order[5:10]
    before = rows_after(rows, before=order[10], size=5)
    assert before is not None and [m.pk for m in before] == order[5:10]
    tail = rows_after(rows, after=order[20], size=5)
    assert tail is not None and [m.pk for m in tail] == order[21:]
    # A cursor outside the reader's list (scope or filters) is not followed.
    assert rows_after(rows.filter(state="died"), after=order[4], size=5) is None
    other = member_list(user=party["other_commune_org"], unit=world.commune_a2)
    assert rows_after(other.order_by("full_name_folded", "pk"), after=order[4], size=5) is None
    assert rows_after(rows, size=5) is None


def test_next_and_previous_links_page_by_keyset(world: Any, party: Any) -> None:
    order = _fill(party["cell"], 120)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(party["commune_org"])
    url = reverse("records-members")
    seen: list[int] = []
    response = client.get(url)
    for number in (1, 2, 3):
        assert response.context["page"].number == number
        seen.extend(m.pk for m in response.context["rows"])
        link = re.search(r'href="\?([^"]*)" rel="next"', response.content.decode())
        if number == 3:
            assert link is None
            break
        assert link is not None
        query = link.group(1).replace("&amp;", "&")
        assert f"sau={seen[-1]}" in query
        response = client.get(f"{url}?{query}")
    assert seen == order
    back = re.search(r'href="\?([^"]*)" rel="prev"', response.content.decode())
    assert back is not None and f"truoc={order[100]}" in back.group(1)
    previous = client.get(f"{url}?{back.group(1).replace('&amp;', '&')}")
    assert [m.pk for m in previous.context["rows"]] == order[50:100]
    assert previous.context["page"].number == 2
    # A page asked by number only, or with a cursor that is not in the list: by offset.
    by_number = client.get(url, {"trang": "2", "sau": "999999999"})
    assert [m.pk for m in by_number.context["rows"]] == order[50:100]
