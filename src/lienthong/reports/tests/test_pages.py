"""The steering committee's dashboard (issue #8 scope 6): the same numbers on the page,
in the XLSX and in the PDF; a province's dashboard; the drill-down; who may open it;
and a period that is not one answers with a message, not an error.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.loaders import country_units
from lienthong.reports.charts import (
    PROVINCE_GRID,
    ProvinceShare,
    bar_chart,
    grid_position,
    percent_text,
    share_step,
    tile_map,
)
from lienthong.reports.pages import SEPARATOR
from lienthong.reports.tests.test_kpis import country

__all__ = ["country"]

PERIOD = {"tu": "2026-01-01", "den": "2026-06-30"}


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _card(html: str, key: str) -> str:
    """The HTML of one KPI card of the page."""
    match = re.search(rf'<article class="kpi-card" id="kpi-{key}".*?</article>', html, re.S)
    assert match, f"no card {key}"
    return match.group(0)


def _xlsx_rows(data: bytes) -> dict[str, tuple[Any, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {r[1]: r for r in book["chi-so"].iter_rows(min_row=3, values_only=True)}


def test_country_dashboard_has_the_numbers_of_its_xlsx(country: Any) -> None:
    """GIVEN the hand-built country (10/10, 4/10, 0/5 communes connected)
    WHEN the steering committee opens the dashboard (its default unit: the centre) and
    downloads the XLSX of the same request
    THEN the page shows 56 % and 14 / 25 with a chart and a table per province, and the
    XLSX has 0.56, 14, 25; every share card's numbers are those of the XLSX."""
    client = _client(country["steering"])
    response = client.get(reverse("reports-dashboard"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert country["centre"].name in html
    card = _card(html, "communes_connected")
    assert "56 %" in card and "14 / 25" in card
    assert '<meter min="0" max="1" value="0.5600"' in card
    assert card.count('class="bar-value"') == 3  # one bar per province
    assert "40 % (4 / 10)" in card  # the bar's text
    assert '<th scope="row">Tỉnh B</th><td class="num">4</td><td class="num">10</td>' in card
    assert 'href="/bao-cao/chi-tiet/communes_connected/?' in card

    xlsx = client.get(reverse("reports-export-xlsx"), PERIOD)
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment;")
    rows = _xlsx_rows(xlsx.content)
    assert rows["communes_connected"][2:] == (0.56, 14, 25)
    for key, row in rows.items():
        ratio = re.search(r'class="kpi-ratio">(\d+) / (\d+)<', _card(html, key))
        if row[4] is None:
            assert ratio is None
            assert f'class="kpi-count">{row[3]}<' in _card(html, key)
        else:
            assert ratio is not None and (int(ratio[1]), int(ratio[2])) == row[3:5]


def test_the_map_shows_every_province_of_the_view(country: Any) -> None:
    """GIVEN the country's provinces, one renamed to a real province
    WHEN the dashboard is drawn
    THEN that province is a tile of the grid with its share, and the two the grid does
    not know are listed under the map, not dropped."""
    province_a = country["provinces"][0]
    province_a.name = "Tỉnh ủy Nghệ An"
    province_a.save()
    html = _client(country["steering"]).get(reverse("reports-dashboard"), PERIOD).content.decode()
    assert "<title>Tỉnh ủy Nghệ An: 100 % (10 / 10)</title>" in html
    assert html.count('class="tile"') == 1
    assert html.count('class="tile-empty"') == len(PROVINCE_GRID) - 1
    unplaced = re.search(r'id="map-unplaced">.*?</div>', html, re.S)
    assert unplaced and "Tỉnh B" in unplaced[0] and "Tỉnh C" in unplaced[0]
    assert "40 % (4 / 10)" in unplaced[0]
    assert '<table class="kpi-table map-table" id="map-table">' in html


def test_province_dashboard(country: Any) -> None:
    """GIVEN province B with 4 of its 10 communes connected
    WHEN the steering committee picks B, and when B's IT officer opens the dashboard
    THEN both see 40 % and 4 / 10 (B is the IT officer's default unit)."""
    province_b = country["provinces"][1]
    for user, params in (
        (country["steering"], {"don-vi": province_b.pk, **PERIOD}),
        (country["it_b"], PERIOD),
    ):
        response = _client(user).get(reverse("reports-dashboard"), params)
        assert response.status_code == 200
        card = _card(response.content.decode(), "communes_connected")
        assert "4 / 10" in card and "40 %" in card


def test_drill_down_lists_the_communes_not_connected(country: Any) -> None:
    """GIVEN the country
    WHEN the steering committee follows the card's link to the rows behind it
    THEN the 11 communes not connected are listed (B4-B9, C0-C4), each with its
    province, and none of the connected ones."""
    response = _client(country["steering"]).get(
        reverse("reports-drill", args=["communes_connected"]), PERIOD
    )
    assert response.status_code == 200
    html = response.content.decode()
    names = re.findall(r'<a href="/don-vi/\d+/">(Xã [A-C]\d)</a>', html)
    assert sorted(names) == [f"Xã B{n}" for n in range(4, 10)] + [f"Xã C{n}" for n in range(5)]
    assert "11 rows." in html
    assert f"Trung ương{SEPARATOR}Tỉnh B" in html


def test_drill_down_of_an_unknown_figure_is_404(country: Any) -> None:
    client = _client(country["steering"])
    assert client.get(reverse("reports-drill", args=["no_such_kpi"]), PERIOD).status_code == 404


def test_who_may_open_it(country: Any) -> None:
    """GIVEN a clerk of province B, B's IT officer, and a visitor not logged in
    WHEN they ask for the dashboard (the IT officer for the centre's)
    THEN the clerk is refused, the IT officer gets 404 for a unit out of their scope,
    the visitor is sent to log in."""
    from lienthong.org.tests.factories import UserFactory, member

    province_b = country["provinces"][1]
    clerk = member(UserFactory(username="vt.b"), province_b, RoleCode.CLERK)
    for name in ("reports-dashboard", "reports-export-xlsx", "reports-export-pdf"):
        assert _client(clerk).get(reverse(name), PERIOD).status_code == 403
    assert (
        _client(clerk)
        .get(reverse("reports-drill", args=["communes_connected"]), PERIOD)
        .status_code
        == 403
    )
    it_b = _client(country["it_b"])
    centre = {"don-vi": country["centre"].pk, **PERIOD}
    for name in ("reports-dashboard", "reports-export-xlsx"):
        assert it_b.get(reverse(name), centre).status_code == 404
    assert it_b.get(reverse("reports-dashboard"), {"don-vi": "abc"}).status_code == 404
    anonymous = Client().get(reverse("reports-dashboard"))
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]


def test_the_menu_shows_reports_to_whoever_may_open_it(country: Any) -> None:
    from lienthong.org.tests.factories import UserFactory, member

    clerk = member(UserFactory(username="vt.b"), country["provinces"][1], RoleCode.CLERK)
    link = f'href="{reverse("reports-dashboard")}"'
    assert link in _client(country["steering"]).get("/").content.decode()
    assert link not in _client(clerk).get("/").content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tu": "abc"}, "Write the date as yyyy-mm-dd"),
        ({"tu": "2026-07-01", "den": "2026-06-30"}, "The period starts after it ends"),
        ({"den": "31/02/2026"}, "Write the date as yyyy-mm-dd"),
    ],
)
def test_a_bad_period_gets_a_message(country: Any, params: dict[str, str], message: str) -> None:
    """GIVEN a date that is not one, or a start after the end
    WHEN the dashboard, its drill-down or its exports are asked for
    THEN the answer is 400 with a message saying what to write, not an error page."""
    client = _client(country["steering"])
    response = client.get(reverse("reports-dashboard"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert 'class="kpi-card"' not in html
    drill = client.get(reverse("reports-drill", args=["communes_connected"]), params)
    assert drill.status_code == 400 and message in drill.content.decode()
    for name in ("reports-export-xlsx", "reports-export-pdf"):
        export = client.get(reverse(name), params)
        assert export.status_code == 400 and message in export.content.decode()


def test_default_period_is_this_year(country: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    html = _client(country["steering"]).get(reverse("reports-dashboard")).content.decode()
    assert f'value="{dt.date(today.year, 1, 1).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html


def test_pdf_export(country: Any) -> None:
    """GIVEN the country
    WHEN the steering committee downloads the dashboard as PDF
    THEN it is a PDF, as an attachment."""
    response = _client(country["steering"]).get(reverse("reports-export-pdf"), PERIOD)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


# --- The pictures ---------------------------------------------------------------------


def test_every_province_of_the_reference_list_has_a_place_on_the_grid() -> None:
    """GIVEN the 34 provincial committees ``load_units`` creates
    THEN each finds its place by its source key and by its name alone, and no two share
    a place."""
    provinces = [
        spec
        for spec in country_units()
        if spec.level == UnitLevel.PROVINCE and spec.kind == UnitKind.COMMITTEE
    ]
    assert len(provinces) == 34
    places = set()
    for spec in provinces:
        by_key = grid_position(spec.name, spec.source_key)
        assert by_key is not None, spec.name
        assert grid_position(spec.name) == by_key, spec.name
        places.add(by_key)
    assert places == set(PROVINCE_GRID)
    cells = {(row, col) for _code, row, col in PROVINCE_GRID.values()}
    assert len(cells) == 34
    assert grid_position("Tỉnh A") is None


def test_percentages_and_steps() -> None:
    from django.utils import translation

    with translation.override("vi"):
        assert percent_text(1, 3) == "33,3 %"
    with translation.override("en"):
        assert percent_text(1, 3) == "33.3 %"
        assert percent_text(999, 1000) == "99.9 %" and percent_text(9999, 10000) == "99.9 %"
        assert percent_text(1, 10000) == "0.1 %"
    assert percent_text(14, 25) == "56 %" and percent_text(0, 5) == "0 %"
    assert percent_text(0, 0) is None and percent_text(3, None) is None
    assert [share_step(n, 10) for n in (0, 1, 2, 4, 6, 8, 10)] == [0, 0, 1, 2, 3, 4, 4]


def test_bar_chart_geometry() -> None:
    shares = bar_chart([("A", 10, 10), ("B", 4, 10), ("C", 0, 5)])
    assert shares.shares and [b.width for b in shares.bars] == ["240", "96", "0"]
    counts = bar_chart([("x", 2, None), ("y", 8, None)])
    assert not counts.shares and [b.width for b in counts.bars] == ["60", "240"]
    assert [b.value_text for b in counts.bars] == ["2", "8"]


def test_tile_map_keeps_unknown_provinces() -> None:
    known = ProvinceShare(1, "Thành ủy Hà Nội", 3, 4, "75 %")
    unknown = ProvinceShare(2, "Tỉnh X", 1, 2, "50 %")
    drawn = tile_map([(known, "vn:p:01"), (unknown, None)])
    assert [t.province for t in drawn.tiles if t.province] == [known]
    assert drawn.unplaced == [unknown]
    assert len(drawn.tiles) == 34 and len(drawn.legend) == 5


def test_the_figures_are_kept_for_a_while_and_computed_again_on_request(
    country: Any, settings: Any
) -> None:
    """A reload within ``REPORTS_CACHE_SECONDS`` shows the kept figures and when they
    were computed; "compute again" counts the new link; another reader has their own."""
    from lienthong.infra.choices import LinkMedium
    from lienthong.infra.models import Link

    settings.REPORTS_CACHE_SECONDS = 600
    client = _client(country["steering"])
    first = client.get(reverse("reports-dashboard"), PERIOD).content.decode()
    assert "14 / 25" in _card(first, "communes_connected")
    assert "kept for 10 minutes" in first and 'id="report-recompute"' in first
    commune = country["provinces"][2].children.order_by("pk").last()
    Link.objects.create(unit=commune, medium=LinkMedium.DEDICATED)
    kept = client.get(reverse("reports-dashboard"), PERIOD).content.decode()
    assert "14 / 25" in _card(kept, "communes_connected")
    xlsx = _xlsx_rows(client.get(reverse("reports-export-xlsx"), PERIOD).content)
    assert xlsx["communes_connected"][3] == 14  # the same numbers as the page
    again = client.get(reverse("reports-dashboard"), {**PERIOD, "moi": "1"}).content.decode()
    assert "15 / 25" in _card(again, "communes_connected")
    other = _client(country["it_b"]).get(reverse("reports-dashboard"), PERIOD)
    assert "4 / 10" in _card(other.content.decode(), "communes_connected")
    settings.REPORTS_CACHE_SECONDS = 0  # never kept
    Link.objects.filter(unit=commune).delete()
    fresh = client.get(reverse("reports-dashboard"), PERIOD).content.decode()
    assert "14 / 25" in _card(fresh, "communes_connected")
