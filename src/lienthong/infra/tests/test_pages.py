"""The IT officer's pages (issue #8): the equipment of a unit's subtree with its filters,
XLSX export and all-or-nothing import, and the probes with their state and uptime,
refreshed by htmx. Out of scope is 404, no right anywhere is 403.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lienthong.infra import pages
from lienthong.infra.choices import AssetKind, AssetStatus, ProbeKind
from lienthong.infra.models import Asset, AssetChange, Probe, ProbeResult
from lienthong.infra.tests.test_assets import _sheet
from lienthong.org.choices import RoleCode

ASSETS = "infra-assets"
EXPORT = "infra-assets-export"
IMPORT = "infra-assets-import"
PROBES = "infra-probes"


@pytest.fixture
def it(world: Any) -> Any:
    """GIVEN organisation ids, the IT officer of province A, and equipment in province A
    (an old server due for replacement, a new switch, a broken printer) and in
    province B (a router)."""
    from lienthong.org.tests.factories import UserFactory, member

    for unit, organ in (
        (world.province_a, "000.00.00.H26"),
        (world.commune_a1, "000.01.01.H26"),
        (world.commune_b1, "000.01.01.H40"),
    ):
        unit.organ_id = organ
        unit.save()
    world.it_a = member(UserFactory(username="cntt.a"), world.province_a, RoleCode.IT_OFFICER)
    year = timezone.localdate().year
    make = Asset.objects.create
    world.old_server = make(
        unit=world.commune_a1,
        kind=AssetKind.SERVER,
        make="Dell",
        serial="SV-OLD",
        year_acquired=2012,
    )
    world.new_switch = make(
        unit=world.commune_a1,
        kind=AssetKind.SWITCH,
        make="Cisco",
        serial="SW-NEW",
        year_acquired=year,
    )
    world.broken_printer = make(
        unit=world.province_a,
        kind=AssetKind.PRINTER,
        make="HP",
        serial="PR-BROKEN",
        year_acquired=year,
        status=AssetStatus.BROKEN,
    )
    world.router_b = make(
        unit=world.commune_b1,
        kind=AssetKind.ROUTER,
        make="Juniper",
        serial="RT-B",
        year_acquired=year,
    )
    return world


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _rows(response: Any) -> list[str]:
    """The ids of the table rows of a page, in order (``asset-12``, ``probe-3``)."""
    import re

    return re.findall(r'<tr id="((?:asset|probe)-\d+)"', response.content.decode())


def _asset_ids(*assets: Asset) -> set[str]:
    return {f"asset-{a.pk}" for a in assets}


def test_an_it_officer_sees_the_equipment_of_their_province_only(it: Any) -> None:
    """GIVEN equipment in both provinces WHEN province A's IT officer opens the page
    THEN A's equipment is listed with its summary and due marker, B's is not."""
    client = _client(it.it_a)
    response = client.get(reverse(ASSETS))
    assert response.status_code == 200
    body = response.content.decode()
    assert set(_rows(response)) == _asset_ids(it.old_server, it.new_switch, it.broken_printer)
    assert "RT-B" not in body and "Juniper" not in body
    assert f"Equipment: {it.province_a.name}" in body
    # The summary: three in service, worn out = the due server and the broken printer.
    assert 'id="figure-in-service">3<' in body
    assert 'id="figure-worn-out">2 ' in body
    assert f'id="due-{it.old_server.pk}"' in body
    assert f'id="due-{it.new_switch.pk}"' not in body
    # Links: the export of this unit, the import form, the monitoring tab, the menu.
    assert f"{reverse(EXPORT)}?don-vi={it.province_a.pk}" in body
    assert reverse(IMPORT) in body
    assert f"{reverse(PROBES)}?don-vi={it.province_a.pk}" in body
    assert "IT infrastructure" in body

    commune = client.get(reverse(ASSETS), {"don-vi": it.commune_a1.pk})
    assert set(_rows(commune)) == _asset_ids(it.old_server, it.new_switch)


def test_another_province_or_a_bad_unit_is_404(it: Any) -> None:
    client = _client(it.it_a)
    assert client.get(reverse(ASSETS), {"don-vi": it.province_b.pk}).status_code == 404
    assert client.get(reverse(ASSETS), {"don-vi": it.commune_b1.pk}).status_code == 404
    assert client.get(reverse(ASSETS), {"don-vi": "abc"}).status_code == 404
    assert client.get(reverse(EXPORT), {"don-vi": it.province_b.pk}).status_code == 404
    assert client.get(reverse(PROBES), {"don-vi": it.province_b.pk}).status_code == 404


def test_the_filters_narrow_the_list(it: Any) -> None:
    client = _client(it.it_a)
    url = reverse(ASSETS)
    assert set(_rows(client.get(url, {"loai": "server"}))) == _asset_ids(it.old_server)
    assert set(_rows(client.get(url, {"tinh-trang": "broken"}))) == _asset_ids(it.broken_printer)
    assert set(_rows(client.get(url, {"den-han": "1"}))) == _asset_ids(it.old_server)
    assert _rows(client.get(url, {"loai": "switch", "den-han": "1"})) == []
    # An unknown value is ignored, not an error.
    assert len(_rows(client.get(url, {"loai": "fridge"}))) == 3


def test_the_list_is_paginated_by_100(it: Any) -> None:
    Asset.objects.bulk_create(
        Asset(unit=it.commune_a1, kind=AssetKind.WORKSTATION, year_acquired=2024)
        for _ in range(101)
    )
    client = _client(it.it_a)
    first = client.get(reverse(ASSETS), {"loai": "workstation"})
    assert len(_rows(first)) == 100
    assert "loai=workstation&amp;trang=2" in first.content.decode()
    second = client.get(reverse(ASSETS), {"loai": "workstation", "trang": 2})
    assert len(_rows(second)) == 1


@pytest.mark.parametrize("name", [ASSETS, EXPORT, IMPORT, PROBES])
def test_a_clerk_or_an_outsider_is_refused(it: Any, name: str) -> None:
    for person in (it.clerk_a1, it.outsider):
        assert _client(person).get(reverse(name)).status_code == 403
    assert "IT infrastructure" not in _client(it.clerk_a1).get(reverse("home")).content.decode()


def test_a_good_workbook_is_imported_and_the_list_follows(it: Any) -> None:
    client = _client(it.it_a)
    assert client.get(reverse(IMPORT)).status_code == 200
    data = _sheet(
        [
            ["000.01.01.H26", "Máy chủ", 2019, "HPE", "DL380", "CZ1", "Đề án 47", "", 1],
            ["000.00.00.H26", "bộ lưu điện", 2023, "APC", "", "UPS1", "", "hỏng", 2],
        ]
    )
    upload = SimpleUploadedFile("kiem-ke.xlsx", data, content_type=pages.XLSX_TYPE)
    response = client.post(reverse(IMPORT), {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == reverse(ASSETS)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 assets imported."]
    imported = Asset.objects.filter(serial__in=["CZ1", "UPS1"])
    assert {(a.unit_id, a.kind, a.status) for a in imported} == {
        (it.commune_a1.pk, AssetKind.SERVER, AssetStatus.IN_USE),
        (it.province_a.pk, AssetKind.UPS, AssetStatus.BROKEN),
    }
    assert AssetChange.objects.filter(action="imported", changed_by=it.it_a).count() == 2
    listed = client.get(reverse(ASSETS))
    assert _asset_ids(*imported) <= set(_rows(listed))


def test_a_workbook_with_bad_rows_shows_every_problem_and_imports_nothing(it: Any) -> None:
    client = _client(it.it_a)
    data = _sheet(
        [
            ["000.01.01.H26", "máy trạm", 2022, "Dell", "", "OK1", "", "", 1],  # fine
            ["999.99.99.H99", "máy trạm", 2022, "Dell", "", "OK2", "", "", 1],  # unknown unit
            ["000.01.01.H26", "máy in", 2099, "HP", "", "P1", "", "", 1],  # impossible year
            ["000.01.01.H26", "máy chủ", 2021, "dell", "", "ok 1", "", "", 1],  # as row 2
            ["000.01.01.H26", "máy chủ", 2021, "DELL", "", "sv-old", "", "", 1],  # on the node
        ]
    )
    before = Asset.objects.count()
    upload = SimpleUploadedFile("kiem-ke.xlsx", data, content_type=pages.XLSX_TYPE)
    response = client.post(reverse(IMPORT), {"file": upload})
    assert response.status_code == 200
    assert Asset.objects.count() == before
    body = response.content.decode()
    assert "Nothing was imported" in body
    table = body.split('id="import-error-table"')[1].split("</table>")[0]
    assert '<th scope="row" class="num">3</th><td>Mã định danh</td>' in table
    assert "999.99.99.H99" in table
    assert '<th scope="row" class="num">4</th><td>Năm trang bị</td>' in table
    assert '<th scope="row" class="num">5</th><td>Số serial</td>' in table
    assert "row 2" in table
    assert '<th scope="row" class="num">6</th><td>Số serial</td>' in table
    assert "already on the node" in table
    assert table.count("<tr>") == 1 + 4  # the header and one line per problem


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(it: Any, monkeypatch: Any) -> None:
    client = _client(it.it_a)
    before = Asset.objects.count()
    url = reverse(IMPORT)

    text = SimpleUploadedFile("kiem-ke.xlsx", b"unit,kind\n1,server\n", content_type="text/csv")
    response = client.post(url, {"file": text})
    assert response.status_code == 200
    assert "The file is not a readable XLSX workbook." in response.content.decode()

    csv = SimpleUploadedFile("kiem-ke.csv", b"unit,kind\n", content_type="text/csv")
    response = client.post(url, {"file": csv})
    assert "Choose an Excel workbook (.xlsx)." in response.content.decode()

    missing = _sheet([["HP", "M1"]], header=["Hãng", "Model"])
    response = client.post(url, {"file": SimpleUploadedFile("kiem-ke.xlsx", missing)})
    assert "missing: Mã định danh, Loại, Năm trang bị" in response.content.decode()

    monkeypatch.setattr(pages, "MAX_UPLOAD_BYTES", 100)
    big = SimpleUploadedFile("kiem-ke.xlsx", _sheet([["000.01.01.H26", "máy chủ", 2020]]))
    response = client.post(url, {"file": big})
    assert "The file is larger than 0 MB." in response.content.decode()

    assert client.post(url, {}).status_code == 200  # no file: the form says so
    assert Asset.objects.count() == before


def test_only_who_may_add_assets_gets_the_import_form(it: Any) -> None:
    """GIVEN a reader with view_unit and view_asset but not add_asset THEN the list shows
    no import link and the import page is 403."""
    from lienthong.org.models import Membership, Role, RoleGrant
    from lienthong.org.tests.factories import UserFactory

    reader_role = Role.objects.create(code="asset-reader", name="asset reader")
    for permission in ("org.view_unit", "infra.view_asset"):
        RoleGrant.objects.create(role=reader_role, permission=permission, scope="subtree")
    reader = UserFactory()
    Membership.objects.create(user=reader, unit=it.province_a, role=reader_role)
    client = _client(reader)
    page = client.get(reverse(ASSETS))
    assert page.status_code == 200 and len(_rows(page)) == 3
    assert reverse(IMPORT) not in page.content.decode()
    assert client.get(reverse(IMPORT)).status_code == 403


def test_the_export_downloads_a_workbook_of_the_unit(it: Any) -> None:
    from openpyxl import load_workbook

    response = _client(it.it_a).get(reverse(EXPORT), {"don-vi": it.commune_a1.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == pages.XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"thiet-bi-{it.commune_a1.pk}-" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã định danh"
    assert {row[5] for row in rows[1:]} == {"SV-OLD", "SW-NEW"}


def _probe(unit: Any, name: str, **state: Any) -> Probe:
    return Probe.objects.create(
        unit=unit, name=name, kind=ProbeKind.TCP, host="10.0.0.1", port=443, **state
    )


def test_the_probes_page_lists_down_first_with_uptime_and_refreshes(it: Any) -> None:
    """GIVEN in province A a probe up all day, one down for six hours after six hours up,
    one never checked, and in province B a probe WHEN the IT officer opens the page
    THEN A's are listed down first, never checked, then up, with their uptime; the
    counts add up; an htmx request gets only the table."""
    now = timezone.now()
    up = _probe(it.commune_a1, "Cổng thông tin", last_checked_at=now, last_ok=True)
    ProbeResult.objects.create(probe=up, at=now - dt.timedelta(hours=30), ok=True)
    down = _probe(
        it.commune_a1,
        "Máy chủ thư",
        last_checked_at=now,
        last_ok=False,
        down_since=now - dt.timedelta(hours=6),
        alerted_at=now - dt.timedelta(hours=5, minutes=50),
    )
    ProbeResult.objects.create(probe=down, at=now - dt.timedelta(hours=12), ok=True)
    ProbeResult.objects.create(probe=down, at=now - dt.timedelta(hours=6), ok=False)
    never = _probe(it.province_a, "Mới thêm")
    Probe.objects.create(
        unit=it.province_a, name="Web", kind=ProbeKind.HTTP, url="https://example.vn/healthz"
    )
    other = _probe(it.commune_b1, "Tỉnh B", last_checked_at=now, last_ok=True)

    client = _client(it.it_a)
    response = client.get(reverse(PROBES))
    assert response.status_code == 200
    body = response.content.decode()
    order = _rows(response)
    assert order[0] == f"probe-{down.pk}"
    assert order[-1] == f"probe-{up.pk}"
    assert f"probe-{never.pk}" in order and f"probe-{other.pk}" not in order
    assert 'id="count-monitored">4<' in body
    assert 'id="count-up">1<' in body and 'id="count-down">1<' in body
    assert "down since" in body and "never checked" in body
    assert "10.0.0.1:443" in body and "https://example.vn/healthz" in body
    assert f'id="uptime-day-{up.pk}">100 %<' in body
    assert f'id="uptime-day-{down.pk}">50 %<' in body  # 6 h up of 12 h observed
    assert f'id="uptime-month-{down.pk}">50 %<' in body
    assert f'id="uptime-day-{never.pk}">—<' in body
    assert 'hx-trigger="every 30s"' in body and 'hx-swap="outerHTML"' in body
    assert "<html" in body and f"{reverse(ASSETS)}?don-vi={it.province_a.pk}" in body

    query = {"don-vi": it.province_a.pk}
    partial = client.get(reverse(PROBES), query, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    fragment = partial.content.decode()
    assert fragment.startswith('<div id="infra-probes"')
    assert "<html" not in fragment and "main-nav" not in fragment
    assert f'hx-get="{reverse(PROBES)}?don-vi={it.province_a.pk}"' in fragment
    assert _rows(partial) == order
    assert "HX-Request" in partial["Vary"]


def test_the_probes_page_is_unit_scoped(it: Any) -> None:
    a1 = _probe(it.commune_a1, "A1")
    a2 = _probe(it.commune_a2, "A2")
    response = _client(it.it_a).get(reverse(PROBES), {"don-vi": it.commune_a1.pk})
    assert _rows(response) == [f"probe-{a1.pk}"]
    assert f"probe-{a2.pk}" not in response.content.decode()
