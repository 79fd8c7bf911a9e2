"""Tests of ``lienthong.org.loaders`` and ``lienthong load_units``."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command

from lienthong.audit.models import AuditEvent
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.data import CENTRAL_DEPARTMENTS, PROVINCE_DEPARTMENTS
from lienthong.org.loaders import country_units, units_load
from lienthong.org.models import Unit
from lienthong.org.services import unit_create
from lienthong.org.tests.factories import TEST_ACTOR


def _load_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("load_units", "--json", *args, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


def _checksum() -> str:
    rows = Unit.objects.order_by("source_key").values_list(
        "source_key", "name", "short_name", "kind", "level", "parent__source_key", "path"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_country_units_names_follow_the_package():
    """GIVEN the vietnam-provinces package
    WHEN the reference list is built
    THEN committees and communes are named as the Party names them, parents first."""
    specs = {s.source_key: s for s in country_units()}
    assert specs["vn:p:01"].name == "Thành ủy Hà Nội"
    assert specs["vn:p:04"].name == "Tỉnh ủy Cao Bằng"
    assert specs["vn:p:01"].short_name == specs["vn:p:04"].short_name == "TU"
    assert specs["vn:w:00070"].name == "Đảng ủy phường Hoàn Kiếm"
    assert specs["vn:w:00070"].parent_key == "vn:p:01"
    assert any(s.name.startswith("Đảng ủy xã ") for s in specs.values())
    assert any(s.name.startswith("Đảng ủy đặc khu ") for s in specs.values())
    assert specs["vn:p:01:btgdv"].name == "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội"
    seen: set[str] = set()
    for spec in country_units():
        assert spec.parent_key is None or spec.parent_key in seen
        seen.add(spec.source_key)


@pytest.mark.slow
def test_load_units_loads_the_real_country_once_and_a_second_run_changes_nothing(db):
    """GIVEN an empty unit tree
    WHEN `lienthong load_units --json` runs twice
    THEN the first run creates the central level, 34 provincial committees with their
    departments and 3,321 commune committees; the second run creates and updates nothing
    and leaves every row as it was."""
    first = _load_json()

    expected_total = 1 + len(CENTRAL_DEPARTMENTS) + 34 * (1 + len(PROVINCE_DEPARTMENTS)) + 3321
    assert first == {
        "provinces": 34,
        "communes": 3321,
        "units_total": expected_total,
        "created": expected_total,
        "updated": 0,
        "unchanged": 0,
    }
    assert Unit.objects.filter(kind=UnitKind.COMMITTEE, level=UnitLevel.PROVINCE).count() == 34
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE_COMMITTEE, level=UnitLevel.COMMUNE)
    assert communes.count() == 3321
    assert communes.filter(parent__kind=UnitKind.COMMITTEE).count() == 3321
    assert set(communes.values_list("short_name", flat=True)) == {"ĐU"}
    root = Unit.objects.get(source_key="vn:central")
    assert root.parent is None
    assert root.kind == UnitKind.CENTRAL
    assert root.name == "Ban Chấp hành Trung ương Đảng"
    assert set(root.children.filter(kind=UnitKind.DEPARTMENT).values_list("name", flat=True)) == {
        "Văn phòng Trung ương Đảng",
        "Ban Tổ chức Trung ương",
        "Ban Tuyên giáo và Dân vận Trung ương",
        "Ủy ban Kiểm tra Trung ương",
        "Ban Nội chính Trung ương",
        "Ban Chính sách, chiến lược Trung ương",
        "Ban Đối ngoại Trung ương",
    }
    hanoi = Unit.objects.get(name="Thành ủy Hà Nội")
    assert hanoi.parent == root
    assert hanoi.children.filter(kind=UnitKind.DEPARTMENT).count() == len(PROVINCE_DEPARTMENTS)
    hoan_kiem = Unit.objects.get(source_key="vn:w:00070")
    assert hoan_kiem.name == "Đảng ủy phường Hoàn Kiếm"
    assert hoan_kiem.path.startswith(hanoi.path)
    assert Unit.objects.filter(organ_id__isnull=False).count() == 0
    assert AuditEvent.objects.filter(verb="unit.load").count() == 1
    units_before = Unit.objects.count()
    checksum_before = _checksum()

    second = _load_json()

    assert second["created"] == 0
    assert second["updated"] == 0
    assert second["unchanged"] == expected_total
    assert Unit.objects.count() == units_before
    assert _checksum() == checksum_before


def test_reload_updates_a_renamed_unit_and_reports_absent_ones(db):
    """GIVEN one province loaded, a unit renamed by hand and a unit no longer in the package
    WHEN the load runs again, then again with close_absent
    THEN the name is restored, nothing is duplicated, the stale unit is counted as absent
    and kept open, and only the second run closes it (never deletes it)."""
    units_load(actor=TEST_ACTOR, province_codes=[1])
    count = Unit.objects.count()
    Unit.objects.filter(source_key="vn:w:00070").update(name="Đảng ủy phường Cũ")
    hanoi = Unit.objects.get(source_key="vn:p:01")
    stale = unit_create(
        actor=TEST_ACTOR,
        name="Đảng ủy phường Đã Nhập",
        kind=UnitKind.COMMUNE_COMMITTEE,
        level=UnitLevel.COMMUNE,
        parent=hanoi,
        source_key="vn:w:99999",
    )

    report = units_load(actor=TEST_ACTOR, province_codes=[1])

    assert (report.created, report.updated, report.absent, report.closed) == (0, 1, 1, 0)
    assert Unit.objects.get(source_key="vn:w:00070").name == "Đảng ủy phường Hoàn Kiếm"
    assert Unit.objects.count() == count + 1
    stale.refresh_from_db()
    assert stale.active_to is None

    report = units_load(actor=TEST_ACTOR, province_codes=[1], close_absent=True)

    assert (report.updated, report.absent, report.closed) == (0, 1, 1)
    stale.refresh_from_db()
    assert stale.active_to is not None
    assert Unit.objects.count() == count + 1


def test_load_units_human_output_and_province_option(db):
    """GIVEN an empty tree
    WHEN `lienthong load_units --province 4 -v0` runs
    THEN it prints one summary line and loads Cao Bằng only, under the central level."""
    out = io.StringIO()

    call_command("load_units", "--province", "4", verbosity=0, stdout=out, stderr=io.StringIO())

    assert "1 provinces" in out.getvalue()
    assert list(Unit.objects.filter(kind=UnitKind.COMMITTEE).values_list("name", flat=True)) == [
        "Tỉnh ủy Cao Bằng"
    ]
    assert Unit.objects.filter(source_key="vn:central:vptw").exists()
