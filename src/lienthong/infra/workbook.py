"""IT assets to and from XLSX, as the units keep their inventories (issue #8 scope 1).

The first row names the columns, in Vietnamese or English, with or without diacritics,
in any order:

=====================  ======================================================  =========
column                 meaning                                                  required
=====================  ======================================================  =========
Mã định danh / unit    the holding unit's organisation id (mã định danh)        yes
Loại / kind            "máy chủ", "máy trạm", "switch", "bộ lưu điện"…          yes
Năm trang bị / year    the year acquired (a number, or a date cell)             yes
Hãng / make            the manufacturer
Model
Số serial / serial     unique with the make across the node
Nguồn vốn / funding    "Đề án 47", "Đề án 06", "ngân sách trung ương", "địa phương"
Tình trạng / status    "đang sử dụng", "xuống cấp", "hỏng", "thanh lý"
Số lượng / quantity    1 by default (the number of ports for a row of ports)
Vị trí / location
Ghi chú / note
=====================  ======================================================  =========

Importing is all or nothing: every row is checked first (unit known and in the
importer's scope, kind, year between 1990 and this year, a serial not on another row
nor already on the node); one bad row means nothing is written and every problem is
reported by row and column.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.core.text import fold
from lienthong.core.workbook import RowError, cell_text, read_table
from lienthong.infra.choices import (
    FUNDING_WORDS,
    KIND_WORDS,
    STATUS_WORDS,
    AssetKind,
    AssetStatus,
    Funding,
)
from lienthong.infra.models import Asset, AssetChange, serial_key
from lienthong.infra.services import asset_check, asset_create
from lienthong.org.models import Unit

__all__ = ["COLUMNS", "AssetImportReport", "RowError", "assets_export", "assets_import"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("ma dinh danh", "ma dinh danh don vi", "don vi", "unit", "organ id", "organ_id"),
    "kind": ("loai", "loai thiet bi", "kind"),
    "year_acquired": ("nam trang bi", "nam mua", "nam", "year acquired", "year"),
    "make": ("hang", "hang san xuat", "make"),
    "model": ("model", "kieu", "ma hieu"),
    "serial": ("so serial", "so seri", "serial", "serial number"),
    "funding": ("nguon von", "nguon kinh phi", "funding"),
    "status": ("tinh trang", "trang thai", "status"),
    "quantity": ("so luong", "quantity"),
    "location": ("vi tri", "noi dat", "location"),
    "note": ("ghi chu", "note"),
}
REQUIRED = ("unit", "kind", "year_acquired")
HEADER_VI = {
    "unit": "Mã định danh",
    "kind": "Loại",
    "year_acquired": "Năm trang bị",
    "make": "Hãng",
    "model": "Model",
    "serial": "Số serial",
    "funding": "Nguồn vốn",
    "status": "Tình trạng",
    "quantity": "Số lượng",
    "location": "Vị trí",
    "note": "Ghi chú",
}
MAX_ROWS = 200_000


@dataclass
class AssetImportReport:
    """What an import read, made, or refused."""

    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused (and so the rows were imported)."""
        return not self.errors


def _words(table: dict[str, tuple[str, ...]], value: Any, labels: Any) -> str | None:
    """The code a cell names: its code, one of its Vietnamese or English words, or its
    label as the export writes it (in the active language)."""
    key = " ".join(fold(str(value or "")).split())
    names = dict(labels)
    for code, words in table.items():
        if key in (fold(code), " ".join(fold(str(names.get(code, ""))).split())) or key in words:
            return code
    return None


def _year(value: Any) -> int | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.year
    text = cell_text(value)
    return int(text) if text.isdigit() else None


def _units_for(actor: Actor, organ_ids: set[str]) -> dict[str, Unit]:
    scope = allowed_units(actor, "infra.add_asset")  # type: ignore[arg-type]
    if scope is None:
        return {}
    qs = Unit.objects.filter(organ_id__in=organ_ids)
    if not isinstance(scope, AllUnits):
        qs = qs.filter(pk__in=scope)
    return {unit.organ_id or "": unit for unit in qs}


def assets_import(*, actor: Actor, data: bytes) -> AssetImportReport:
    """Import an inventory workbook: every row, or none.

    Returns:
        The report: ``ok`` and ``created`` when imported, else every row's problems.

    Raises:
        InvalidInput: not an XLSX, or the first row does not name the required columns.
    """
    cells = read_table(
        data, columns=COLUMNS, required=REQUIRED, labels=HEADER_VI, max_rows=MAX_ROWS
    )
    report = AssetImportReport(rows=len(cells))
    units = _units_for(actor, {cell_text(c.get("unit")) for _n, c in cells})
    seen: dict[str, int] = {}
    ready: list[tuple[Unit, dict[str, Any]]] = []
    today = timezone.localdate()
    for number, cell in cells:
        errors: list[RowError] = []

        def refuse(column: str, message: str, number: int = number, errors: list = errors) -> None:
            errors.append(RowError(row=number, column=HEADER_VI[column], message=message))

        unit = units.get(cell_text(cell.get("unit")))
        if unit is None:
            refuse(
                "unit",
                _("Unknown unit “%(u)s”, or outside your scope.")
                % {"u": cell_text(cell.get("unit"))},
            )
        values: dict[str, Any] = {
            "kind": _words(KIND_WORDS, cell.get("kind"), AssetKind.choices),
            "make": cell_text(cell.get("make")),
            "model": cell_text(cell.get("model")),
            "serial": cell_text(cell.get("serial")),
            "year_acquired": _year(cell.get("year_acquired")),
            "funding": _words(FUNDING_WORDS, cell.get("funding"), Funding.choices)
            if cell_text(cell.get("funding"))
            else Funding.OTHER,
            "status": _words(STATUS_WORDS, cell.get("status"), AssetStatus.choices)
            if cell_text(cell.get("status"))
            else AssetStatus.IN_USE,
            "quantity": int(cell_text(cell.get("quantity")))
            if cell_text(cell.get("quantity")).isdigit()
            else (1 if not cell_text(cell.get("quantity")) else -1),
            "location": cell_text(cell.get("location")),
            "note": cell_text(cell.get("note"))[:500],
        }
        for column, message in asset_check(values, today=today).items():
            refuse(column, message)
        key = serial_key(values["make"], values["serial"])
        if key and key in seen:
            refuse("serial", _("The same make and serial as row %(r)s.") % {"r": seen[key]})
        elif key and Asset.objects.filter(serial_key=key).exists():
            refuse("serial", _("An asset with this make and serial is already on the node."))
        if key:
            seen.setdefault(key, number)
        report.errors += errors
        if not errors and unit is not None:
            ready.append((unit, values))
    if report.errors:
        return report
    with transaction.atomic():
        for unit, values in ready:
            asset_create(actor=actor, unit=unit, action=AssetChange.Action.IMPORTED, **values)
            report.created += 1
    return report


def assets_export(*, user: Any, unit: Unit | None = None, on: dt.date | None = None) -> bytes:
    """The assets ``user`` may see (of ``unit`` and the units under it), as an XLSX with
    the import's columns and "due for replacement" (``Asset.due_for_replacement``)."""
    from openpyxl import Workbook

    day = on or timezone.localdate()
    qs = Asset.objects.restrict(user, "view").select_related("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    book = Workbook()
    sheet = book.active
    sheet.title = "thiet-bi"
    sheet.append([*HEADER_VI.values(), "Đến hạn thay thế", "Đơn vị"])
    for asset in qs.order_by("unit__path", "kind", "pk").iterator(chunk_size=2000):
        row = [asset.unit.organ_id or ""]
        for name in list(HEADER_VI)[1:]:
            value = getattr(asset, name)
            if name in ("kind", "funding", "status"):
                value = getattr(asset, f"get_{name}_display")()
            row.append(value)
        row += ["có" if asset.due_for_replacement(day) else "", asset.unit.name]
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
