"""A clerk logs in, opens the unit tree, expands it and searches without diacritics."""

from __future__ import annotations

import re

import pytest

from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _small_country() -> dict[str, object]:
    """Central → Thành ủy Hà Nội → its departments and wards, and a clerk of the city."""
    central = UnitFactory(
        name="Ban Chấp hành Trung ương Đảng", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL
    )
    city = UnitFactory(
        name="Thành ủy Hà Nội", parent=central, short_name="TU", organ_id="000.00.00.H26"
    )
    UnitFactory(name="Tỉnh ủy Nghệ An", parent=central, short_name="TU")
    department = {"kind": UnitKind.DEPARTMENT, "level": UnitLevel.PROVINCE, "parent": city}
    for name in (
        "Văn phòng Thành ủy Hà Nội",
        "Ban Tổ chức Thành ủy Hà Nội",
        "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội",
        "Ủy ban Kiểm tra Thành ủy Hà Nội",
    ):
        UnitFactory(name=name, short_name="", **department)
    ward = {"kind": UnitKind.COMMUNE_COMMITTEE, "level": UnitLevel.COMMUNE, "parent": city}
    for name in ("Đảng ủy phường Hoàn Kiếm", "Đảng ủy phường Cửa Nam", "Đảng ủy xã Sóc Sơn"):
        UnitFactory(name=name, short_name="ĐU", **ward)
    clerk = member(
        UserFactory(username="vanthu.hanoi", full_name="Nguyễn Thị Lan"), city, RoleCode.CLERK
    )
    return {"city": city, "clerk": clerk}


@pytest.mark.django_db(transaction=True)
def test_clerk_searches_the_unit_tree_without_diacritics(live_server, browser, screenshot):
    """GIVEN a clerk of Thành ủy Hà Nội and a small tree
    WHEN they log in, expand the tree with the keyboard and type "thanh uy ha noi"
    THEN the wards appear under the city and the search lists "Thành ủy Hà Nội";
    a screenshot is left under var/screenshots/."""
    data = _small_country()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dang-nhap/")
        assert page.locator("html").get_attribute("lang") == "vi"
        screenshot(page, "login.png", doc=True)
        page.get_by_label("Tên đăng nhập").fill(data["clerk"].username)
        page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/")
        page.get_by_role("heading", name="Xin chào, Nguyễn Thị Lan").wait_for()
        screenshot(page, "home.png", doc=True)

        page.get_by_role("navigation", name="Trình đơn chính").get_by_role(
            "link", name="Đơn vị"
        ).click()
        page.wait_for_url(re.compile(r".*/don-vi/$"))
        # Keyboard: focus the city's node and open it; htmx loads its children.
        page.locator("ul.tree > li > details > summary").first.focus()
        page.keyboard.press("Enter")
        children = page.locator(".tree-children")
        children.get_by_role("link", name="Đảng ủy phường Hoàn Kiếm").wait_for()

        page.get_by_label("Tìm đơn vị").press_sequentially("thanh uy ha noi", delay=30)
        results = page.locator("#search-results")
        results.get_by_role("link", name="Thành ủy Hà Nội", exact=True).wait_for()
        assert "Tỉnh ủy Nghệ An" not in results.inner_text()
        assert page.url.endswith("/don-vi/")  # the results came through htmx, not a reload
        screenshot(page, "unit-tree-search.png")
        screenshot(page, "unit-tree.png", doc=True)

        results.get_by_role("link", name="Thành ủy Hà Nội", exact=True).click()
        page.get_by_role("heading", level=1, name="Thành ủy Hà Nội").wait_for()
        assert "000.00.00.H26" in page.content()
        screenshot(page, "unit-detail.png", doc=True)
    finally:
        context.close()
