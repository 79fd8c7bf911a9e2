"""The register spreadsheet of a bulk intake (issue #7 scope 2): one row per scanned file,
with the register data the file is linked to.

The first row names the columns, in Vietnamese or English, in any order, with or without
diacritics ("Trích yếu", "trich yeu", "subject"). Required: the file (``Tệp``) and the
register it belongs to (``Loại sổ``: "đi" or "đến"). A row's problems are its own: they
are reported with the row number and the rest of the sheet is read (nothing is guessed).

The columns follow the register entries of NĐ 30 Phụ lục VI (văn bản đi: số, ký hiệu,
ngày, tên loại, trích yếu, người ký; văn bản đến: số đến, ngày đến, tác giả, số/ký hiệu,
ngày, trích yếu) and HD 36-HD/VPTW's registers for the Party.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.core.text import fold

__all__ = ["COLUMNS", "RegisterRow", "entry_from_name", "register_read"]

#: Entry key → the folded headers that name it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("tep", "ten tep", "file", "tep quet"),
    "direction": ("loai so", "so di/den", "di/den", "di den", "direction"),
    "code_number": ("so", "so van ban", "so hieu", "number"),
    "code_notation": ("ky hieu", "notation"),
    "issued_date": ("ngay van ban", "ngay thang", "ngay", "date"),
    "document_type": ("loai van ban", "ten loai", "type", "the loai"),
    "subject": ("trich yeu", "trich yeu noi dung", "subject"),
    "issuer_name": ("tac gia", "co quan ban hanh", "noi gui", "issuer"),
    "signer_name": ("nguoi ky", "signer"),
    "arrival_number": ("so den", "arrival number"),
    "arrival_date": ("ngay den", "arrival date"),
    "page_count": ("so trang", "so to", "pages"),
    "note": ("ghi chu", "note"),
}
_DIRECTIONS = {
    "di": "outgoing",
    "van ban di": "outgoing",
    "outgoing": "outgoing",
    "den": "incoming",
    "van ban den": "incoming",
    "incoming": "incoming",
}
_INTEGERS = ("code_number", "arrival_number", "page_count")
_DATES = ("issued_date", "arrival_date")
#: A register of ten years of a provincial committee holds some tens of thousands of rows.
MAX_ROWS = 200_000


@dataclass
class RegisterRow:
    """One row: its number in the sheet, the file it names, its entry, its problems."""

    row: int
    file: str
    entry: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _header_map(header: tuple[Any, ...]) -> dict[int, str]:
    names = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = names.get(" ".join(fold(str(cell or "")).split()))
        if key is not None and key not in found.values():
            found[index] = key
    missing = [key for key in ("file", "direction") if key not in found.values()]
    if missing:
        raise InvalidInput(
            _(
                "The register spreadsheet's first row must name the columns; the file "
                "(Tệp) and the register (Loại sổ: đi/đến) columns are missing."
            )
        )
    return found


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _cell(key: str, value: Any, errors: list[str]) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if key == "direction":
        direction = _DIRECTIONS.get(" ".join(fold(str(value)).split()))
        if direction is None:
            errors.append(_("The register must be “đi” or “đến”, not “%(v)s”.") % {"v": value})
        return direction
    if key in _INTEGERS:
        try:
            number = int(float(value)) if not isinstance(value, int) else value
        except (TypeError, ValueError):
            errors.append(_("“%(v)s” is not a number.") % {"v": value})
            return None
        if number <= 0:
            errors.append(_("“%(v)s” is not a number.") % {"v": value})
            return None
        return number
    if key in _DATES:
        try:
            return _date(value).isoformat()
        except ValueError:
            errors.append(_("“%(v)s” is not a date (dd/mm/yyyy).") % {"v": value})
            return None
    return str(value)


def register_read(data: bytes) -> list[RegisterRow]:
    """Read the register spreadsheet (XLSX).

    Returns:
        The rows that name a file, in sheet order, each with its own problems.

    Raises:
        InvalidInput: not an XLSX, no header naming the file and register columns, or
            more than ``MAX_ROWS`` rows.
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InvalidInput(_("The register spreadsheet is not an XLSX file.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InvalidInput(_("The register spreadsheet is empty."))
        columns = _header_map(header)
        result: list[RegisterRow] = []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise InvalidInput(
                    _("The register spreadsheet has more than %(n)s rows: split it.")
                    % {"n": MAX_ROWS}
                )
            if not any(value not in (None, "") for value in values):
                continue
            errors: list[str] = []
            entry: dict[str, Any] = {}
            for index, key in columns.items():
                raw = values[index] if index < len(values) else None
                value = _cell(key, raw, errors)
                if value is not None:
                    entry[key] = value
                elif key == "direction" and raw in (None, ""):
                    errors.append(_("The row does not say its register (đi or đến)."))
            file = str(entry.pop("file", "") or "")
            if not file:
                errors.append(_("The row names no file."))
            result.append(RegisterRow(row=number, file=file, entry=entry, errors=errors))
        return result
    finally:
        workbook.close()


_NAMED = re.compile(r"^(di|den)[-_ ]?(\d{4})[-_ ](\d{1,7})(?:\D|$)")


def entry_from_name(name: str) -> dict[str, Any] | None:
    """The register entry a scan's file name points to, for scans without a spreadsheet
    (a scanner's "scan to folder", several files dropped on the page).

    ``den-2025-123.pdf`` is arrival number 123 of 2025 in the incoming register;
    ``di-2025-45.tif`` is number 45 of 2025 in the outgoing register. The entry must
    exist: the scan is attached to it, never a new entry made up from a name.
    """
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    match = _NAMED.match(fold(stem))
    if match is None:
        return None
    direction, year, number = match.groups()
    if direction == "den":
        return {"direction": "incoming", "arrival_year": int(year), "arrival_number": int(number)}
    return {"direction": "outgoing", "number_year": int(year), "code_number": int(number)}
