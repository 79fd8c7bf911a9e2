"""Reading the spreadsheets offices already keep (XLSX, openpyxl): the first row names the
columns, in Vietnamese or English, with or without diacritics, in any order; the rows
below are data. Every import of the project reads its file through ``read_table`` and
reports problems as ``RowError`` (row numbers as the spreadsheet shows them: the header
is row 1)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.core.text import fold

__all__ = ["XLSX_TYPE", "RowError", "cell_date", "cell_text", "read_table"]

#: The content type of an XLSX workbook (uploads and downloads).
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    """One reason a row was refused (the header is row 1)."""

    row: int
    column: str
    message: str


def _key(value: Any) -> str:
    return " ".join(fold(str(value or "")).split())


def read_table(
    data: bytes,
    *,
    columns: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    labels: Mapping[str, str],
    max_rows: int,
) -> list[tuple[int, dict[str, Any]]]:
    """The data rows of the first sheet of an XLSX file, each as its row number and a
    dictionary of the known columns (blank rows skipped).

    Args:
        data: the file's bytes.
        columns: for each column key, the header words that name it (folded: lower case,
            no diacritics, single spaces).
        required: the keys the header must name.
        labels: each key's label, to name a missing column.
        max_rows: more data rows than this is refused.

    Raises:
        InvalidInput: not a readable XLSX, empty, a required column missing, too many rows.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from None
    except Exception:  # openpyxl raises its own types for broken parts
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InvalidInput(_("The workbook is empty."))
        names = {alias: key for key, aliases in columns.items() for alias in aliases}
        found: dict[int, str] = {}
        for index, cell in enumerate(header):
            key = names.get(_key(cell))
            if key is not None and key not in found.values():
                found[index] = key
        missing = [labels.get(k, k) for k in required if k not in found.values()]
        if missing:
            raise InvalidInput(
                _("The first row must name the columns; missing: %(cols)s.")
                % {"cols": ", ".join(missing)}
            )
        table: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            table.append(
                (
                    number,
                    {key: values[i] if i < len(values) else None for i, key in found.items()},
                )
            )
            if len(table) > max_rows:
                raise InvalidInput(_("The file has more than %(max)d rows.") % {"max": max_rows})
        return table
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A cell as text: a whole number without ".0", stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    """A cell as a date: a date cell, or text as dd/mm/yyyy or yyyy-mm-dd (None if it is
    neither)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
