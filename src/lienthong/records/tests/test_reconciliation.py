"""The quarterly reconciliation between levels and the figures rolled up the tree (issue
#9 scope 3): the movements of a quarter per direct child, their identity, the
confirmation by a committee and what the level above sees change afterwards, the page,
its exports and the roll-up on the statistics page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.records.choices import Gender, LeavingForm, MemberState
from lienthong.records.models import Member, Reconciliation
from lienthong.records.reconciliation import (
    FIGURES,
    Quarter,
    member_movements,
    member_rollup,
    reconciliation_columns,
    reconciliation_confirm,
    reconciliation_report,
)

Q2 = Quarter(2026, 2)
#: A day in the third quarter of 2026: the second is over, the third is not.
TODAY = "2026-07-10 09:00:00"


def _member(unit: Any, name: str, **values: Any) -> Member:
    defaults: dict[str, Any] = {
        "gender": Gender.MALE,
        "born_on": dt.date(1980, 1, 1),
        "admitted_on": dt.date(2005, 1, 1),
        "official_on": dt.date(2006, 1, 1),
    }
    return Member.objects.create(unit=unit, full_name=name, **{**defaults, **values})


@pytest.fixture
def moves(world: Any, party: Any) -> dict[str, Any]:
    """GIVEN two cells under commune A1 and one member attached to A1 itself, with an
    admission, a transfer in and out, a death and a leaving inside the second quarter of
    2026, and records entering or leaving outside it."""
    from lienthong.org.tests.factories import UnitFactory

    cell1 = party["cell"]
    cell2 = UnitFactory(
        name="Chi bộ khu phố 2",
        parent=world.commune_a1,
        kind=UnitKind.CELL,
        level=UnitLevel.GRASSROOTS,
    )
    _member(cell1, "A", admitted_on=dt.date(2010, 1, 1), official_on=dt.date(2011, 1, 1))
    _member(
        cell1,
        "B",
        gender=Gender.FEMALE,
        born_on=dt.date(2000, 3, 3),
        admitted_on=dt.date(2026, 5, 10),
        official_on=None,
    )
    _member(
        cell1,
        "C",
        admitted_on=dt.date(2000, 1, 1),
        transferred_in_on=dt.date(2026, 4, 20),
        transferred_in_from="Chi bộ X",
    )
    _member(
        cell1,
        "D",
        state=MemberState.TRANSFERRED_OUT,
        transferred_out_on=dt.date(2026, 6, 1),
        transferred_out_to="Chi bộ Y",
    )
    _member(cell1, "E", state=MemberState.DIED, died_on=dt.date(2026, 5, 5))
    _member(
        cell1,
        "F",
        state=MemberState.LEFT,
        left_on=dt.date(2026, 6, 15),
        leaving_form=LeavingForm.EXPELLED,
    )
    _member(cell1, "G", admitted_on=dt.date(2026, 7, 2), official_on=None)  # after
    _member(cell1, "H", state=MemberState.DIED, died_on=dt.date(2026, 3, 1))  # before
    _member(cell1, "I", ethnicity="Tày", admitted_on=dt.date(2026, 2, 1), official_on=None)
    j = _member(cell2, "J", admitted_on=dt.date(2015, 1, 1), official_on=dt.date(2016, 1, 1))
    _member(cell2, "K", admitted_on=dt.date(2026, 4, 2), official_on=None)
    _member(world.commune_a1, "L", admitted_on=dt.date(2012, 1, 1))
    return {"cell1": cell1, "cell2": cell2, "j": j}


CELL1 = {
    "start": 5,
    "admitted": 1,
    "transferred_in": 1,
    "transferred_out": 1,
    "died": 1,
    "left": 1,
    "end": 4,
    "probationary": 2,
}
CELL2 = dict.fromkeys(FIGURES, 0) | {"start": 1, "admitted": 1, "end": 2, "probationary": 1}
OWN = dict.fromkeys(FIGURES, 0) | {"start": 1, "end": 1}
TOTAL = {
    "start": 7,
    "admitted": 2,
    "transferred_in": 1,
    "transferred_out": 1,
    "died": 1,
    "left": 1,
    "end": 7,
    "probationary": 3,
}


def test_the_movements_of_a_quarter_add_up(
    world: Any, party: Any, moves: Any, django_assert_max_num_queries: Any
) -> None:
    """GIVEN the constructed records WHEN the commune's department counts Q2/2026 THEN
    each cell, the members attached to the commune and the total have their figures,
    and start + in - out = end on every row, in a handful of queries."""
    with django_assert_max_num_queries(5):
        movements = member_movements(user=party["commune_org"], unit=world.commune_a1, quarter=Q2)
    rows = {("own" if row.own else row.unit.pk): row for row in movements.rows}  # type: ignore[union-attr]
    assert list(rows) == [moves["cell1"].pk, moves["cell2"].pk, "own"]
    assert rows[moves["cell1"].pk].figures == CELL1
    assert rows[moves["cell2"].pk].figures == CELL2
    assert rows["own"].figures == OWN
    assert movements.total.figures == TOTAL
    assert all(row.balanced for row in [*movements.rows, movements.total])
    assert movements.unbalanced == []


def test_the_upper_level_sees_the_communes_as_rows(world: Any, party: Any, moves: Any) -> None:
    """GIVEN the same records WHEN the province's department counts its province THEN
    commune A1 is one row with the commune's total, commune A2 a row of zeros, the
    departments (no members) are not listed; another commune's department counts
    nothing of A1."""
    movements = member_movements(user=party["province_org"], unit=world.province_a, quarter=Q2)
    rows = {row.unit.pk: row.figures for row in movements.rows}  # type: ignore[union-attr]
    assert list(rows) == [world.commune_a2.pk, world.commune_a1.pk]  # by name
    assert rows[world.commune_a1.pk] == TOTAL
    assert rows[world.commune_a2.pk] == dict.fromkeys(FIGURES, 0)
    assert movements.total.figures == TOTAL
    outsider = member_movements(user=party["other_commune_org"], unit=world.commune_a1, quarter=Q2)
    assert outsider.total.figures == dict.fromkeys(FIGURES, 0)


def test_inconsistent_dates_are_flagged(world: Any, party: Any, moves: Any) -> None:
    """GIVEN a record admitted in the quarter but deceased before it WHEN counted THEN
    its cell's row (and the total) do not add up."""
    _member(
        moves["cell2"],
        "M",
        state=MemberState.DIED,
        admitted_on=dt.date(2026, 5, 1),
        died_on=dt.date(2026, 3, 1),
    )
    movements = member_movements(user=party["commune_org"], unit=world.commune_a1, quarter=Q2)
    flagged = [row.unit for row in movements.unbalanced]
    assert flagged == [moves["cell2"], None]
    html = (
        _client(party["commune_org"])
        .get(reverse(URL), {"don-vi": world.commune_a1.pk, "nam": 2026, "quy": 2})
        .content.decode()
    )
    assert 'id="reconciliation-unbalanced"' in html
    assert html.count('<small class="records-flag">does not add up</small>') == 2


def test_quarters() -> None:
    assert (Q2.first, Q2.last) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert Quarter(2026, 4).last == dt.date(2026, 12, 31)
    assert Quarter.last_ended(dt.date(2026, 1, 5)) == Quarter(2025, 4)
    assert Quarter.last_ended(dt.date(2026, 7, 1)) == Q2
    with pytest.raises(InvalidInput):
        Quarter(2026, 5)


@freeze_time(TODAY)
def test_confirm_then_a_backdated_death_shows_above(world: Any, party: Any, moves: Any) -> None:
    """GIVEN the commune's department confirms Q2/2026 WHEN a death in the quarter is
    entered afterwards THEN the province sees commune A1's row differ in the deceased and
    the end, and commune A2 as not confirmed."""
    item = reconciliation_confirm(
        actor=party["commune_org"], unit=world.commune_a1, year=2026, quarter=2, note=" đủ "
    )
    assert item.figures == TOTAL
    assert item.note == "đủ"
    assert AuditEvent.objects.filter(
        verb="member.reconciliation_confirm", target_id=str(item.pk)
    ).exists()
    before = reconciliation_report(user=party["province_org"], unit=world.province_a, quarter=Q2)
    assert [row.differences for row in before.rows] == [(), ()]
    assert before.rows[1].confirmed == item
    Member.objects.filter(pk=moves["j"].pk).update(
        state=MemberState.DIED, died_on=dt.date(2026, 6, 10)
    )
    report = reconciliation_report(user=party["province_org"], unit=world.province_a, quarter=Q2)
    commune = report.rows[1]
    assert commune.row.unit == world.commune_a1
    assert commune.differences == ("died", "end")
    cells = {key: (now, then, differs) for key, now, then, differs in commune.cells}
    assert cells["died"] == (2, 1, True)
    assert cells["end"] == (6, 7, True)
    assert cells["start"] == (7, 7, False)
    assert report.unconfirmed == [world.commune_a2]
    assert report.own is None
    event = AuditEvent.objects.filter(verb="member.reconciliation_read").latest("seq")
    assert event.data == {
        "year": 2026,
        "quarter": 2,
        "rows": 2,
        "confirmed": 1,
        "differing": 1,
    }


@freeze_time(TODAY)
def test_cannot_confirm_twice_early_or_elsewhere(world: Any, party: Any, moves: Any) -> None:
    """GIVEN a confirmed quarter WHEN confirmed again, or the quarter not over, or by
    another commune's department THEN refused, nothing more stored."""
    reconciliation_confirm(actor=party["commune_org"], unit=world.commune_a1, year=2026, quarter=2)
    with pytest.raises(InvalidInput, match="already confirmed"):
        reconciliation_confirm(
            actor=party["commune_org"], unit=world.commune_a1, year=2026, quarter=2
        )
    with pytest.raises(InvalidInput, match="once the quarter is over, from 01/10/2026"):
        reconciliation_confirm(
            actor=party["commune_org"], unit=world.commune_a1, year=2026, quarter=3
        )
    with pytest.raises(NotFound):
        reconciliation_confirm(
            actor=party["other_commune_org"], unit=world.commune_a1, year=2026, quarter=1
        )
    with pytest.raises(NotFound):
        reconciliation_confirm(actor=world.clerk_a1, unit=world.commune_a1, year=2026, quarter=1)
    assert Reconciliation.objects.count() == 1


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


URL = "records-reconciliation"


@freeze_time(TODAY)
def test_the_page_confirms_and_shows_the_unconfirmed(world: Any, party: Any, moves: Any) -> None:
    """GIVEN the province's page of Q2 (the default quarter) THEN both communes are not
    confirmed; WHEN commune A1 confirms on its page and a death is backdated THEN the
    province's page highlights the figures that differ and lists only A2."""
    province = _client(party["province_org"])
    page = province.get(reverse(URL), {"don-vi": world.province_a.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quarterly reconciliation Q2/2026" in html
    assert "2 units have not confirmed their figures" in html
    assert "Hoàn Kiếm" in html and "Cửa Nam" in html

    commune = _client(party["commune_org"])
    query = {"don-vi": world.commune_a1.pk, "nam": 2026, "quy": 2}
    mine = commune.get(reverse(URL), query).content.decode()
    assert 'id="reconciliation-confirm"' in mine
    assert "Confirm the figures of Đảng ủy phường Hoàn Kiếm for Q2/2026" in mine
    assert f'id="reconciliation-{moves["cell1"].pk}"' in mine
    assert "members attached directly" in mine
    url = f"{reverse(URL)}?don-vi={world.commune_a1.pk}&nam=2026&quy=2"
    done = commune.post(url, {"note": ""})
    assert done.status_code == 302
    assert Reconciliation.objects.get().figures == TOTAL
    again = commune.get(url).content.decode()
    assert 'id="reconciliation-confirm"' not in again
    assert 'id="reconciliation-confirmed"' in again
    refused = commune.post(url, {"note": ""})
    assert refused.status_code == 200
    assert "already confirmed" in refused.content.decode()
    early = commune.get(reverse(URL), {**query, "quy": 3}).content.decode()
    assert 'id="reconciliation-open"' in early
    assert 'id="reconciliation-confirm"' not in early

    Member.objects.filter(pk=moves["j"].pk).update(
        state=MemberState.DIED, died_on=dt.date(2026, 6, 10)
    )
    html = province.get(reverse(URL), {"don-vi": world.province_a.pk}).content.decode()
    assert "1 unit has not confirmed its figures" in html
    assert 'class="num records-diff" data-figure="died">2 <small class="records-then">' in html
    assert "confirmed: 1" in html
    assert 'class="num records-diff" data-figure="start"' not in html
    assert 'id="reconciliation-differing"' in html
    assert province.get(reverse(URL), {"quy": "5"}).status_code == 400


@freeze_time(TODAY)
def test_outsiders_get_nothing(world: Any, party: Any, moves: Any) -> None:
    """GIVEN another commune's department, a clerk WHEN they ask for commune A1 THEN 404
    (another committee) or 403 (no grant), and a confirmation they post changes
    nothing."""
    other = _client(party["other_commune_org"])
    query = {"don-vi": world.commune_a1.pk, "nam": 2026, "quy": 2}
    assert other.get(reverse(URL), query).status_code == 404
    url = f"{reverse(URL)}?don-vi={world.commune_a1.pk}&nam=2026&quy=2"
    assert other.post(url, {"note": ""}).status_code == 404
    assert other.get(reverse("records-reconciliation-export"), query).status_code == 404
    own = other.get(reverse(URL), {"don-vi": world.commune_a2.pk}).content.decode()
    assert "Hoàn Kiếm" not in own
    assert _client(world.clerk_a1).get(reverse(URL)).status_code == 403
    assert not Reconciliation.objects.exists()


@freeze_time(TODAY)
def test_the_xlsx_export(world: Any, party: Any, moves: Any) -> None:
    """The reconciliation table as XLSX: title, watermark, the columns, a row per unit
    and the total; the export is audited."""
    from openpyxl import load_workbook

    reconciliation_confirm(actor=party["commune_org"], unit=world.commune_a1, year=2026, quarter=2)
    client = _client(party["province_org"])
    answer = client.get(
        reverse("records-reconciliation-export"),
        {"don-vi": world.province_a.pk, "nam": 2026, "quy": 2},
    )
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "Q2/2026" in rows[0][0]
    assert rows[1][0].startswith("Internal. Exported by")
    assert rows[2] == reconciliation_columns()
    assert rows[2][:9] == [
        "Unit",
        "At the start",
        "Admitted",
        "Transferred in",
        "Transferred out",
        "Deceased",
        "Left the Party",
        "At the end",
        "Of whom probationary",
    ]
    other_row, commune_row, total_row = rows[3], rows[4], rows[5]
    assert commune_row[0] == "Đảng ủy phường Hoàn Kiếm"
    assert commune_row[1:9] == [TOTAL[key] for key in FIGURES]
    assert commune_row[10:18] == [TOTAL[key] for key in FIGURES]
    assert other_row[9] == "not confirmed"
    assert total_row[0] == "Total"
    assert AuditEvent.objects.filter(verb="member.reconciliation_export").count() == 1
    pdf = client.get(
        reverse("records-reconciliation-pdf"),
        {"don-vi": world.province_a.pk, "nam": 2026, "quy": 2},
    )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_the_rollup_per_child(world: Any, party: Any, moves: Any) -> None:
    """GIVEN the constructed records WHEN the statistics of commune A1 on 30/06/2026 are
    shown THEN a table gives, per cell and for the members attached to the commune, the
    members, women, probationary, aged 30 or under and ethnic minorities, and a total
    equal to the page's; the XLSX export carries the same table."""
    from openpyxl import load_workbook

    day = dt.date(2026, 6, 30)
    rollup = member_rollup(user=party["commune_org"], unit=world.commune_a1, on=day)
    figures = {("own" if row.own else row.unit.pk): row.figures for row in rollup.rows}  # type: ignore[union-attr]
    assert figures == {
        moves["cell1"].pk: {
            "total": 4,
            "women": 1,
            "probationary": 2,
            "under_31": 1,
            "minorities": 1,
        },
        moves["cell2"].pk: {
            "total": 2,
            "women": 0,
            "probationary": 1,
            "under_31": 0,
            "minorities": 0,
        },
        "own": {"total": 1, "women": 0, "probationary": 0, "under_31": 0, "minorities": 0},
    }
    assert rollup.total.figures == {
        "total": 7,
        "women": 1,
        "probationary": 3,
        "under_31": 1,
        "minorities": 1,
    }
    client = _client(party["commune_org"])
    query = {"don-vi": world.commune_a1.pk, "ngay": "2026-06-30"}
    html = client.get(reverse("records-statistics"), query).content.decode()
    assert "7 party members on 30/06/2026" in html
    assert (
        f'<tr id="stats-unit-{moves["cell1"].pk}"><th scope="row">Chi bộ khu phố 1</th>'
        '<td class="num">4</td><td class="num">1</td><td class="num">2</td>'
        '<td class="num">1</td><td class="num">1</td></tr>'
    ) in html
    assert (
        '<tr id="stats-unit-total"><th scope="row">Total</th><td class="num">7</td>'
        '<td class="num">1</td><td class="num">3</td><td class="num">1</td>'
        '<td class="num">1</td></tr>'
    ) in html
    assert 'id="statistics-reconciliation"' in html
    answer = client.get(reverse("records-statistics-export"), query)
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["thong-ke", "don-vi-truc-thuoc"]
    children = [list(row) for row in book["don-vi-truc-thuoc"].iter_rows(values_only=True)]
    assert children[2] == [
        "Unit",
        "Members",
        "Women",
        "Probationary",
        "Aged 30 or under",
        "Ethnic minorities",
    ]
    assert children[3] == ["Chi bộ khu phố 1", 4, 1, 2, 1, 1]
    assert children[-1] == ["Total", 7, 1, 3, 1, 1]
    summary = [list(row) for row in book["thong-ke"].iter_rows(values_only=True)]
    assert summary[2] == ["Members", 7]
    assert AuditEvent.objects.filter(verb="member.statistics_export").exists()


def test_the_members_page_links_the_reconciliation(world: Any, party: Any) -> None:
    html = _client(party["commune_org"]).get(reverse("records-members")).content.decode()
    assert 'id="member-reconciliation"' in html
