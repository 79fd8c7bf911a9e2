"""Tests of ``lienthong.org.importexport`` and the import_units / export_units commands."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.importexport import COLUMNS, units_export, units_import
from lienthong.org.models import Membership, Unit
from lienthong.org.tests.factories import TEST_ACTOR, UnitFactory, UserFactory, member


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (their msgids); the UI shows them in Vietnamese."""
    with translation.override("en"):
        yield


def _xlsx(rows: list[dict], columns: tuple[str, ...] = COLUMNS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "units"
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def _rows(stream: io.BytesIO) -> list[tuple]:
    stream.seek(0)
    return [tuple(r) for r in load_workbook(stream).active.iter_rows(values_only=True)]


def _dept(name: str, **extra: object) -> dict:
    return {"name": name, "kind": "department", "level": 2, **extra}


def test_a_bad_file_is_rejected_row_by_row_and_imports_nothing(world):
    """GIVEN a workbook with a good row, a missing parent, a duplicate organ_id and an
    invalid code
    WHEN it is imported
    THEN every bad row is reported with its column and reason, and nothing is written
    (not even the good row, nor an audit record)."""
    stream = _xlsx(
        [
            _dept(
                "Ban Tổ chức Tỉnh ủy Hà Nội", organ_id="000.01.00.H01", parent_path="Tỉnh ủy Hà Nội"
            ),
            _dept("Ban Mồ côi", organ_id="000.02.00.H01", parent_organ_id="999.99.99.Z99"),
            _dept("Ban Trùng mã", organ_id="000.01.00.H01", parent_path="Tỉnh ủy Hà Nội"),
            _dept("Ban Sai mã", organ_id="abc-12", parent_path="Tỉnh ủy Hà Nội"),
        ]
    )
    units, events = Unit.objects.count(), AuditEvent.objects.count()

    with pytest.raises(InvalidInput) as caught:
        units_import(actor=TEST_ACTOR, user=None, stream=stream)

    errors = caught.value.extra["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {
        (3, "parent_organ_id"),
        (4, "organ_id"),
        (5, "organ_id"),
    }
    by_row = {e["row"]: e["message"] for e in errors}
    assert "row 2" in by_row[4]
    assert "capital letters" in by_row[5]
    assert Unit.objects.count() == units
    assert AuditEvent.objects.count() == events


def test_every_kind_of_bad_cell_is_reported(world):
    """GIVEN rows with an empty name, an unknown kind, a bad level, a bad date, dates out
    of order and an organ_id already in the database
    WHEN the workbook is imported
    THEN each is reported on its row and column."""
    UnitFactory(name="Đã có mã", parent=world.province_a, organ_id="000.00.00.H99")
    stream = _xlsx(
        [
            _dept("", parent_path="Tỉnh ủy Hà Nội"),
            _dept("Ban A", kind="ministry", parent_path="Tỉnh ủy Hà Nội"),
            _dept("Ban B", level="hai", parent_path="Tỉnh ủy Hà Nội"),
            _dept("Ban C", active_from="31/02/2025", parent_path="Tỉnh ủy Hà Nội"),
            _dept(
                "Ban D",
                active_from=dt.date(2025, 7, 1),
                active_to=dt.date(2025, 1, 1),
                parent_path="Tỉnh ủy Hà Nội",
            ),
            _dept("Ban E", organ_id="000.00.00.H99", parent_path="Tỉnh ủy Hà Nội"),
            _dept("Đảng ủy phường Hoàn Kiếm", parent_path="Tỉnh ủy Hà Nội"),
        ]
    )

    with pytest.raises(InvalidInput) as caught:
        units_import(actor=TEST_ACTOR, user=None, stream=stream)

    assert {(e["row"], e["column"]) for e in caught.value.extra["errors"]} == {
        (2, "name"),
        (3, "kind"),
        (4, "level"),
        (5, "active_from"),
        (6, "active_to"),
        (7, "organ_id"),
        (8, "name"),
    }


def test_a_good_file_creates_units_under_parents_in_the_database_and_in_the_file(world):
    """GIVEN a workbook whose rows hang under a unit of the database (by path or organ id)
    and under earlier rows of the file
    WHEN an IT officer of that province imports it
    THEN every unit is created in the right place, with its fields and an audit record."""
    officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    stream = _xlsx(
        [
            _dept(
                "Văn phòng Tỉnh ủy Hà Nội",
                organ_id="000.01.00.H01",
                short_name="VPTU",
                parent_path="Ban Chấp hành Trung ương / Tỉnh ủy Hà Nội",
                active_from=dt.date(2025, 7, 1),
            ),
            _dept(
                "Phòng Hành chính",
                parent_organ_id="000.01.00.H01",
                active_from="2025-07-01",
                active_to="31/12/2030",
            ),
            {
                "name": "Chi bộ Văn phòng",
                "kind": "cell",
                "level": 5,
                "parent_path": "Văn phòng Tỉnh ủy Hà Nội / Phòng Hành chính",
            },
        ]
    )

    report = units_import(actor=officer, user=officer, stream=stream)

    assert (report.ok, report.rows, report.created) == (True, 3, 3)
    office = Unit.objects.get(organ_id="000.01.00.H01")
    assert office.parent == world.province_a
    assert office.short_name == "VPTU"
    section = Unit.objects.get(name="Phòng Hành chính")
    assert section.parent == office
    assert section.active_to == dt.date(2030, 12, 31)
    cell = Unit.objects.get(name="Chi bộ Văn phòng")
    assert cell.parent == section
    assert cell.kind == UnitKind.CELL
    assert cell.level == UnitLevel.GRASSROOTS
    assert cell.path.startswith(world.province_a.path)
    assert AuditEvent.objects.filter(verb="unit.create", target_id=str(cell.pk)).exists()
    assert AuditEvent.objects.filter(verb="unit.import").count() == 1


def test_an_import_cannot_reach_outside_the_users_scope(world):
    """GIVEN an IT officer of one province
    WHEN their workbook puts a unit under another province, or at the top
    THEN those rows are refused as if the parent did not exist, and nothing is written."""
    officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    stream = _xlsx([_dept("Ban lạ", parent_path="Tỉnh ủy Nghệ An"), _dept("Gốc mới")])
    count = Unit.objects.count()

    with pytest.raises(InvalidInput) as caught:
        units_import(actor=officer, user=officer, stream=stream)

    assert {(e["row"], e["column"]) for e in caught.value.extra["errors"]} == {
        (2, "parent_path"),
        (3, "parent_path"),
    }
    assert Unit.objects.count() == count


@pytest.mark.parametrize(
    "content",
    [b"", b"not a spreadsheet", b"PK\x03\x04 broken zip"],
    ids=["empty", "text", "broken-zip"],
)
def test_a_file_that_is_not_xlsx_gives_a_clear_error(db, content):
    """GIVEN bytes that are not an XLSX workbook
    WHEN they are imported
    THEN a clear InvalidInput is raised (no traceback from openpyxl)."""
    with pytest.raises(InvalidInput, match="not a readable XLSX"):
        units_import(actor=TEST_ACTOR, user=None, stream=io.BytesIO(content))


def test_a_header_without_required_columns_is_refused(db):
    """GIVEN a workbook whose header lacks kind and level
    WHEN it is imported
    THEN the missing columns are reported on row 1."""
    with pytest.raises(InvalidInput) as caught:
        units_import(actor=TEST_ACTOR, user=None, stream=_xlsx([{"name": "X"}], columns=("name",)))
    assert {(e["row"], e["column"]) for e in caught.value.extra["errors"]} == {
        (1, "kind"),
        (1, "level"),
    }


def test_export_then_import_into_an_empty_tree_gives_the_same_units(world):
    """GIVEN a tree with organ ids and dates, exported to XLSX
    WHEN every unit is removed and the file is imported back
    THEN exporting again gives the same rows."""
    UnitFactory(
        name="Văn phòng Tỉnh ủy Hà Nội",
        parent=world.province_a,
        kind=UnitKind.DEPARTMENT,
        short_name="VPTU",
        organ_id="000.01.00.H01",
        active_from=dt.date(2025, 7, 1),
    )
    first = io.BytesIO()
    count = units_export(user=None, path_or_stream=first)
    assert count == Unit.objects.count()
    Membership.objects.all().delete()
    for unit in Unit.objects.order_by("-depth"):
        unit.delete()
    first.seek(0)

    report = units_import(actor=TEST_ACTOR, user=None, stream=first)

    assert report.created == count
    second = io.BytesIO()
    units_export(user=None, path_or_stream=second)
    assert Counter(_rows(first)) == Counter(_rows(second))
    assert Unit.objects.get(organ_id="000.01.00.H01").active_from == dt.date(2025, 7, 1)


def test_export_shows_only_the_users_units(world):
    """GIVEN a commune clerk
    WHEN they export
    THEN the workbook holds their commune only, without the parent it cannot see."""
    stream = io.BytesIO()

    count = units_export(user=world.clerk_a1, path_or_stream=stream)

    assert count == 1
    rows = _rows(stream)
    assert rows[0] == COLUMNS
    assert rows[1][1] == "Đảng ủy phường Hoàn Kiếm"
    assert rows[1][5] is None
    assert rows[1][6] is None


def test_import_units_command_prints_row_errors_and_exits_1(world, tmp_path: Path):
    """GIVEN a workbook with a bad row, and a file that is not XLSX
    WHEN `lienthong import_units` reads them
    THEN each fails with a one-line reason (the row errors printed first)."""
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        _xlsx([_dept("Ban X", organ_id="bad code", parent_path="Tỉnh ủy Hà Nội")]).read()
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_units", str(bad), stdout=io.StringIO(), stderr=err)
    assert "row 2, column organ_id" in err.getvalue()
    junk = tmp_path / "junk.xlsx"
    junk.write_text("hello")
    with pytest.raises(CommandError, match="not a readable XLSX"):
        call_command("import_units", str(junk), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_units", str(tmp_path / "none.xlsx"))


def test_export_and_import_commands_round_trip_as_json(world, tmp_path: Path):
    """GIVEN the world's units exported with `lienthong export_units`
    WHEN a new unit row is appended and `lienthong import_units --json` reads the file
    with the existing rows removed
    THEN it reports one unit created."""
    path = tmp_path / "units.xlsx"
    out = io.StringIO()
    call_command("export_units", str(path), stdout=out)
    assert f"{Unit.objects.count()} unit(s)" in out.getvalue()
    path.write_bytes(_xlsx([_dept("Ban mới", parent_path="Tỉnh ủy Nghệ An")]).read())
    out = io.StringIO()

    call_command("import_units", str(path), "--json", stdout=out)

    assert out.getvalue().strip() == '{"ok": true, "rows": 1, "created": 1, "errors": []}'
    assert Unit.objects.get(name="Ban mới").parent == world.province_b
