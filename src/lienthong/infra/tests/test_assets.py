"""IT assets (issue #8 scope 1): the inventory per unit, its history, the age rule of
"due for replacement", and the XLSX import that takes every row or none.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from lienthong.core.errors import InvalidInput, NotFound
from lienthong.infra import services
from lienthong.infra.choices import AssetKind, AssetStatus, Funding
from lienthong.infra.models import Asset, AssetChange
from lienthong.infra.selectors import asset_figures, asset_list, assets_due
from lienthong.infra.workbook import assets_export, assets_import
from lienthong.org.choices import RoleCode

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def it(world: Any) -> Any:
    """GIVEN the IT officer of Tỉnh ủy Hà Nội (province A) and organisation ids."""
    from lienthong.org.tests.factories import UserFactory, member

    for unit, organ in (
        (world.province_a, "000.00.00.H26"),
        (world.commune_a1, "000.01.01.H26"),
        (world.commune_b1, "000.01.01.H40"),
    ):
        unit.organ_id = organ
        unit.save()
    world.it_a = member(UserFactory(username="cntt.a"), world.province_a, RoleCode.IT_OFFICER)
    return world


def _sheet(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(
        header
        or [
            "Mã định danh",
            "Loại",
            "Năm trang bị",
            "Hãng",
            "Model",
            "Số serial",
            "Nguồn vốn",
            "Tình trạng",
            "Số lượng",
        ]
    )
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_asset_keeps_its_history_and_ages_into_replacement(it: Any, settings: Any) -> None:
    server = services.asset_create(
        actor=it.it_a,
        unit=it.commune_a1,
        kind=AssetKind.SERVER,
        make="Dell",
        model="R740",
        serial="SN 001",
        year_acquired=2021,
        funding=Funding.DE_AN_06,
    )
    assert server.serial_key == "DELL:SN001"
    assert not server.due_for_replacement(dt.date(2025, 12, 31))
    assert server.due_for_replacement(dt.date(2026, 1, 1))  # 5 years for a server
    settings.INFRA_LIFETIME_YEARS = {"server": 8}
    assert not server.due_for_replacement(dt.date(2026, 1, 1))

    services.asset_update(actor=it.it_a, asset=server, status=AssetStatus.DEGRADED, model="R750")
    changes = list(server.changes.order_by("pk"))
    assert [c.action for c in changes] == [AssetChange.Action.CREATED, AssetChange.Action.CHANGED]
    assert changes[1].fields == {"model": ["R740", "R750"], "status": ["in_use", "degraded"]}
    assert changes[1].changed_by == it.it_a
    # Nothing changed: no history line.
    services.asset_update(actor=it.it_a, asset=server, status=AssetStatus.DEGRADED)
    assert server.changes.count() == 2

    with pytest.raises(InvalidInput, match="serial"):
        services.asset_create(
            actor=it.it_a,
            unit=it.province_a,
            kind="server",
            make="dell",
            serial="sn001",
            year_acquired=2022,
        )
    with pytest.raises(InvalidInput, match="between 1990"):
        services.asset_update(actor=it.it_a, asset=server, year_acquired=2099)
    with pytest.raises(NotFound):  # the other province is out of the officer's scope
        services.asset_create(actor=it.it_a, unit=it.commune_b1, kind="router", year_acquired=2020)
    with pytest.raises(NotFound):  # a clerk keeps no inventory
        services.asset_create(
            actor=it.clerk_a1, unit=it.commune_a1, kind="router", year_acquired=2020
        )


def test_an_inventory_is_imported_whole_with_vietnamese_words(it: Any) -> None:
    data = _sheet(
        [
            [
                "000.01.01.H26",
                "Máy chủ",
                2019,
                "HPE",
                "DL380",
                "CZ1",
                "Đề án 47",
                "đang sử dụng",
                1,
            ],
            [
                "000.01.01.H26",
                "thiet bi chuyen mach",
                2023,
                "Cisco",
                "C9200",
                "FOC2",
                "de an 06",
                "",
                "",
            ],
            [
                "000.00.00.H26",
                "Cổng mạng",
                dt.date(2018, 5, 2),
                "",
                "",
                "",
                "địa phương",
                "hỏng",
                24,
            ],
        ]
    )
    report = assets_import(actor=it.it_a, data=data)
    assert report.ok and report.rows == 3 and report.created == 3
    rows = {a.serial or a.kind: a for a in Asset.objects.all()}
    assert rows["CZ1"].kind == AssetKind.SERVER and rows["CZ1"].funding == Funding.DE_AN_47
    assert rows["FOC2"].status == AssetStatus.IN_USE and rows["FOC2"].funding == Funding.DE_AN_06
    port = rows[AssetKind.NETWORK_PORT]
    assert port.quantity == 24 and port.year_acquired == 2018 and port.status == AssetStatus.BROKEN
    assert AssetChange.objects.filter(action=AssetChange.Action.IMPORTED).count() == 3


def test_a_bad_inventory_is_refused_row_by_row_and_nothing_is_imported(it: Any) -> None:
    """Unknown units, impossible years and duplicate serials: every problem is named by
    row and column, and not one row is imported (issue #8 acceptance)."""
    services.asset_create(
        actor=it.it_a,
        unit=it.commune_a1,
        kind="server",
        make="Dell",
        serial="TAKEN",
        year_acquired=2020,
    )
    data = _sheet(
        [
            ["000.01.01.H26", "máy trạm", 2022, "Dell", "OptiPlex", "OK1", "", "", 1],  # fine
            ["999.99.99.H99", "máy trạm", 2022, "Dell", "", "OK2", "", "", 1],  # unknown unit
            ["000.01.01.H40", "máy trạm", 2022, "Dell", "", "OK3", "", "", 1],  # other province
            ["000.01.01.H26", "máy in", 2099, "HP", "", "P1", "", "", 1],  # future year
            ["000.01.01.H26", "máy in", 1975, "HP", "", "P2", "", "", 1],  # before 1990
            ["000.01.01.H26", "máy in", "năm ngoái", "HP", "", "P3", "", "", 1],  # not a year
            ["000.01.01.H26", "máy chủ", 2021, "dell", "", "ok 1", "", "", 1],  # same as row 2
            ["000.01.01.H26", "máy chủ", 2021, "DELL", "", "taken", "", "", 1],  # on the node
            ["000.01.01.H26", "tủ lạnh", 2021, "", "", "", "", "", 1],  # unknown kind
            ["000.01.01.H26", "máy chủ", 2021, "", "", "", "", "mất", 0],  # status, quantity
        ]
    )
    before = Asset.objects.count()
    report = assets_import(actor=it.it_a, data=data)
    assert not report.ok and report.created == 0
    assert Asset.objects.count() == before
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "Mã định danh"),
        (4, "Mã định danh"),
        (5, "Năm trang bị"),
        (6, "Năm trang bị"),
        (7, "Năm trang bị"),
        (8, "Số serial"),
        (9, "Số serial"),
        (10, "Loại"),
        (11, "Tình trạng"),
        (11, "Số lượng"),
    }
    by_row = {e.row: e.message for e in report.errors}
    assert "row 2" in by_row[8]
    assert "already on the node" in by_row[9]
    assert "999.99.99.H99" in by_row[3]

    with pytest.raises(InvalidInput, match="missing"):
        assets_import(actor=it.it_a, data=_sheet([], header=["Hãng", "Model"]))
    with pytest.raises(InvalidInput, match="XLSX"):
        assets_import(actor=it.it_a, data=b"PK\x03\x04 not a workbook")


def test_export_lists_what_the_person_sees_with_the_due_flag(it: Any) -> None:
    from openpyxl import load_workbook

    old = services.asset_create(
        actor=it.it_a, unit=it.commune_a1, kind="ups", serial="U1", year_acquired=2015
    )
    services.asset_create(actor=it.it_a, unit=it.province_a, kind="ups", year_acquired=2025)
    Asset.objects.create(unit=it.commune_b1, kind="server", year_acquired=2010)  # elsewhere
    data = assets_export(user=it.it_a, on=TODAY)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã định danh" and rows[0][-2] == "Đến hạn thay thế"
    assert len(rows) == 3  # the other province's server is not there
    due = {r[5]: r[-2] for r in rows[1:]}
    assert due == {"U1": "có", None: None}
    # Round trip: the export is an import file (after removing what is on the node).
    old.delete()
    Asset.objects.filter(unit=it.province_a).delete()
    assert assets_import(actor=it.it_a, data=data).created == 2


def test_figures_and_the_rows_due(it: Any) -> None:
    make = Asset.objects.create
    make(unit=it.commune_a1, kind="workstation", year_acquired=2018, quantity=10)  # due
    make(unit=it.commune_a1, kind="workstation", year_acquired=2024, quantity=5)
    make(unit=it.commune_a1, kind="printer", year_acquired=2024, status="broken")
    make(unit=it.province_a, kind="switch", year_acquired=2024, status="degraded")
    make(unit=it.province_a, kind="server", year_acquired=2010, status="retired")
    make(unit=it.commune_b1, kind="server", year_acquired=2010)  # other province
    figures = asset_figures(user=it.it_a, unit=it.province_a, on=TODAY)
    assert (figures.in_service, figures.due, figures.broken, figures.degraded) == (17, 10, 1, 1)
    assert figures.worn_out_share == pytest.approx(12 / 17)
    assert [a.year_acquired for a in assets_due(user=it.it_a, on=TODAY)] == [2018]
    commune = asset_figures(user=it.it_a, unit=it.commune_a1, on=TODAY)
    assert commune.in_service == 16
    assert asset_list(user=it.clerk_a1).count() == 0  # a clerk sees no inventory


def test_the_commands_import_and_export(it: Any, tmp_path: Any, capsys: Any) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_sheet([["999", "máy chủ", 2020, "", "", "", "", "", 1]]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_assets", str(bad), "--user", "cntt.a")
    assert exit_info.value.code == 1
    assert "row 2, Mã định danh" in capsys.readouterr().out
    good = tmp_path / "good.xlsx"
    good.write_bytes(_sheet([["000.01.01.H26", "máy chủ", 2020, "", "", "", "", "", 1]]))
    call_command("import_assets", str(good), "--user", "cntt.a")
    assert "1 asset(s) imported." in capsys.readouterr().out
    out = tmp_path / "out.xlsx"
    call_command("export_assets", "--out", str(out), "--user", "cntt.a", "--unit", "000.01.01.H26")
    assert out.read_bytes().startswith(b"PK")
