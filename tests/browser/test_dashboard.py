"""Acceptance (issue #8): the steering committee's dashboard renders its charts and the
tile grid map for the country and for one province, with screenshots kept
(var/screenshots/dashboard-country.png, dashboard-province.png)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lienthong.org.tests.factories import TEST_PASSWORD
from lienthong.reports.tests.test_kpis import country

__all__ = ["country"]

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PERIOD = "tu=2026-01-01&den=2026-06-30"
#: The hand-built provinces (10/10, 4/10, 0/5 communes connected) under real names, so
#: that the grid places them.
REAL_NAMES = ["Thành ủy Hà Nội", "Tỉnh ủy Nghệ An", "Tỉnh ủy Cà Mau"]


def _log_in(browser: Any, url: str, user: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")
    return page


def _titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("svg.tile-map-svg g.tile > title").all_text_contents()]


@pytest.mark.django_db(transaction=True)
def test_dashboard_for_the_country_and_a_province(
    live_server: Any, browser: Any, screenshot: Any, country: Any
) -> None:
    """GIVEN the centre and three provinces (Hà Nội 10/10, Nghệ An 4/10, Cà Mau 0/5
    communes connected) and the steering committee logged in
    WHEN they open the dashboard from the menu, then click Nghệ An on the map
    THEN the country's page draws a bar chart per figure with parts and the three
    provinces as coloured tiles (56 %, 14 / 25); Nghệ An's page shows 4 / 10, its one
    tile and its chart."""
    for province, name in zip(country["provinces"], REAL_NAMES, strict=True):
        province.name = name
        province.save()
    nghe_an = country["provinces"][1]
    url = live_server.url
    page = _log_in(browser, url, country["steering"])

    page.locator("nav.main-nav a[href='/bao-cao/']").click()
    page.wait_for_url(f"{url}/bao-cao/")
    page.goto(f"{url}/bao-cao/?{PERIOD}")
    card = page.locator("#kpi-communes_connected")
    assert card.locator(".kpi-percent").inner_text() == "56 %"
    assert card.locator(".kpi-ratio").inner_text() == "14 / 25"
    assert card.locator("svg.bar-chart rect.bar-value").count() == 3
    assert page.locator("svg.bar-chart").count() >= 3  # every figure with parts
    assert sorted(_titles(page)) == sorted(
        [
            "Thành ủy Hà Nội: 100 % (10 / 10)",
            "Tỉnh ủy Nghệ An: 40 % (4 / 10)",
            "Tỉnh ủy Cà Mau: 0 % (0 / 5)",
        ]
    )
    assert page.locator("svg.tile-map-svg rect.tile-empty").count() == 31
    assert page.locator("#map-table tbody tr").count() == 3
    assert page.locator("#map-unplaced").count() == 0
    # The chart is really drawn: bars of 100 %, 40 % and 0 % of the same track.
    bars = card.locator("rect.bar-value")
    widths = sorted(bars.nth(i).bounding_box()["width"] for i in range(3))
    assert widths[0] < 1 and widths[2] > 100
    assert widths[1] == pytest.approx(0.4 * widths[2], rel=0.02)
    screenshot(page, "dashboard-country.png", doc=True)

    page.locator("svg.tile-map-svg g.tile", has_text="Nghệ An").click()
    page.wait_for_url(re.compile(rf".*don-vi={nghe_an.pk}&.*"))
    card = page.locator("#kpi-communes_connected")
    assert card.locator(".kpi-percent").inner_text() == "40 %"
    assert card.locator(".kpi-ratio").inner_text() == "4 / 10"
    assert card.locator("svg.bar-chart rect.bar-value").count() == 1
    assert _titles(page) == ["Tỉnh ủy Nghệ An: 40 % (4 / 10)"]
    assert page.locator("svg.tile-map-svg rect.tile-empty").count() == 33
    assert "Tỉnh ủy Nghệ An" in page.locator("h1").inner_text()
    screenshot(page, "dashboard-province.png", doc=True)
