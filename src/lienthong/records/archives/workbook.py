"""Importing an existing catalogue (danh mục hồ sơ, XLSX) into a draft file plan.

The first row names the columns, in Vietnamese or English, with or without diacritics,
in any order (``core.workbook.read_table``):

=====================================  ==========================================  ========
column                                 meaning                                     required
=====================================  ==========================================  ========
Số và ký hiệu hồ sơ / code             "I", "II" (big heading), "1", "2"            no
                                       (sub-heading), "01.TCCB" (a file); empty:
                                       the next number
Tên đề mục và tiêu đề hồ sơ / title    the heading's or the file's title           yes
Thời hạn bảo quản / retention          "Vĩnh viễn" or "20 năm" (files only)
Người lập hồ sơ / keeper               the keeper's name
Căn cứ / legal reference               "TT 10/2022/TT-BNV, mục 3.1"
Ghi chú / note
=====================================  ==========================================  ========

A row with a Roman numeral (or no retention and an Arabic number) is a heading, as in
the printed form (NĐ 30 Phụ lục V, vn-rules.md §4.1); the abbreviation of a big heading
is taken from the codes of its files ("01.TCCB": "TCCB"). Importing is all or nothing:
every bad row is named by row and column and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.text import fold
from lienthong.core.workbook import RowError, cell_text, read_table
from lienthong.records.archives.choices import RetentionKind
from lienthong.records.archives.models import FilePlan
from lienthong.records.archives.services import (
    MAX_RETENTION_YEARS,
    plan_entry_add,
    plan_heading_add,
)

__all__ = ["COLUMNS", "LABELS", "PlanImportReport", "plan_import"]

MAX_ROWS = 5_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("so va ky hieu ho so", "so, ky hieu ho so", "so ky hieu ho so", "ma ho so", "code"),
    "title": (
        "ten de muc va tieu de ho so",
        "tieu de ho so",
        "ten de muc",
        "title",
    ),
    "retention": ("thoi han bao quan", "thoi han", "retention"),
    "keeper": ("nguoi lap ho so", "nguoi lap", "keeper"),
    "basis": ("can cu", "can cu thoi han", "legal reference"),
    "note": ("ghi chu", "note"),
}
REQUIRED = ("title",)
#: The columns' names as the errors give them (the form's words).
LABELS = {
    "code": "Số và ký hiệu hồ sơ",
    "title": "Tên đề mục và tiêu đề hồ sơ",
    "retention": "Thời hạn bảo quản",
    "keeper": "Người lập hồ sơ",
    "basis": "Căn cứ",
    "note": "Ghi chú",
}
ROMAN = re.compile(r"[IVXLC]+")
ARABIC = re.compile(r"\d{1,3}")
FILE_CODE = re.compile(r"\d{1,4}\.([A-Z0-9Đ]{1,15})")
YEARS = re.compile(r"(\d{1,3})(?: ?nam)?")


@dataclass
class PlanImportReport:
    """What an import read, made, or refused."""

    rows: int = 0
    headings: int = 0
    entries: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused (and so the rows were imported)."""
        return not self.errors


@dataclass
class _Heading:
    row: int
    title: str
    is_big: bool
    abbreviation: str = ""
    parent: _Heading | None = None


@dataclass
class _Entry:
    row: int
    heading: _Heading
    code: str
    title: str
    kind: str
    years: int | None
    keeper: str
    basis: str
    note: str


def _retention(text: str) -> tuple[str, int | None] | None:
    """ "Vĩnh viễn" or "20 năm" / "20" as (kind, years); None when it is neither."""
    folded = " ".join(fold(text).split())
    if folded in ("vinh vien", "vv", "permanent"):
        return RetentionKind.PERMANENT, None
    match = YEARS.fullmatch(folded)
    if match and 1 <= int(match.group(1)) <= MAX_RETENTION_YEARS:
        return RetentionKind.YEARS, int(match.group(1))
    return None


def plan_import(*, actor: Actor, plan: FilePlan, data: bytes) -> PlanImportReport:
    """Import a catalogue into the draft ``plan``: every row, or none.

    Raises:
        NotFound: the actor may not change the plan.
        InvalidInput: the plan is approved, not an XLSX, or the title column is missing.
    """
    if not FilePlan.objects.restrict(actor, "change").filter(pk=plan.pk).exists():  # type: ignore[arg-type]
        raise NotFound(_("This file plan does not exist or you may not change it."))
    if plan.is_frozen:
        raise InvalidInput(_("The file plan is approved: it can no longer be changed."))
    table = read_table(data, columns=COLUMNS, required=REQUIRED, labels=LABELS, max_rows=MAX_ROWS)
    report = PlanImportReport(rows=len(table))
    headings: list[_Heading] = []
    entries: list[_Entry] = []
    big: _Heading | None = None
    current: _Heading | None = None
    codes: dict[str, int] = dict.fromkeys(plan.entries.values_list("code", flat=True), 0)
    abbreviations = set(plan.headings.filter(parent=None).values_list("abbreviation", flat=True))

    def refuse(row: int, key: str, message: str) -> None:
        report.errors.append(RowError(row, LABELS[key], message))

    for number, cells in table:
        code = cell_text(cells.get("code")).upper()
        title = " ".join(cell_text(cells.get("title")).split())
        retention = cell_text(cells.get("retention"))
        if not title:
            refuse(number, "title", _("The title is required."))
        if ROMAN.fullmatch(code) and not retention:
            big = _Heading(number, title, is_big=True)
            current = big
            headings.append(big)
            continue
        if ARABIC.fullmatch(code) and not retention:
            if big is None:
                refuse(number, "code", _("A sub-heading comes under a big heading (I, II…)."))
                continue
            current = _Heading(number, title, is_big=False, parent=big)
            headings.append(current)
            continue
        if current is None or big is None:
            refuse(number, "code", _("A file comes under a heading: start with a row I, II…"))
            continue
        parsed = _retention(retention)
        if parsed is None:
            refuse(
                number,
                "retention",
                _('The retention is "Vĩnh viễn" or a number of years ("20 năm").'),
            )
        if code:
            match = FILE_CODE.fullmatch(code)
            if match is None:
                refuse(number, "code", _("A file code is a number and the abbreviation: 01.TCCB."))
            else:
                suffix = match.group(1)
                if not big.abbreviation:
                    big.abbreviation = suffix
                elif big.abbreviation != suffix:
                    refuse(
                        number,
                        "code",
                        _("The codes under a big heading end with its abbreviation (%(abbr)s).")
                        % {"abbr": big.abbreviation},
                    )
                if code in codes:
                    refuse(
                        number,
                        "code",
                        _("This code is already used in the file plan.")
                        if codes[code] == 0
                        else _("Also on row %(row)d.") % {"row": codes[code]},
                    )
                else:
                    codes[code] = number
        if parsed is not None and title:
            entries.append(
                _Entry(
                    number,
                    current,
                    code,
                    title,
                    parsed[0],
                    parsed[1],
                    cell_text(cells.get("keeper")),
                    cell_text(cells.get("basis")),
                    cell_text(cells.get("note")),
                )
            )
    for heading in headings:
        if heading.is_big:
            if not heading.abbreviation:
                refuse(
                    heading.row,
                    "code",
                    _("Give the codes of this heading's files (01.TCCB): they name it."),
                )
            elif heading.abbreviation in abbreviations:
                refuse(
                    heading.row,
                    "code",
                    _("Another big heading of the plan has this abbreviation."),
                )
            else:
                abbreviations.add(heading.abbreviation)
    report.errors.sort(key=lambda e: (e.row, e.column))
    if report.errors:
        return report
    with transaction.atomic():
        made: dict[int, Any] = {}
        for heading in headings:
            made[heading.row] = plan_heading_add(
                actor=actor,
                plan=plan,
                title=heading.title,
                abbreviation=heading.abbreviation,
                parent=made[heading.parent.row] if heading.parent is not None else None,
            )
            report.headings += 1
        for item in entries:
            plan_entry_add(
                actor=actor,
                plan=plan,
                heading=made[item.heading.row],
                title=item.title,
                code=item.code,
                retention_kind=item.kind,
                retention_years=item.years,
                retention_basis=item.basis,
                keeper_name=item.keeper,
                note=item.note,
            )
            report.entries += 1
        record(
            actor=actor,
            verb="fileplan.import",
            target=plan,
            data={"rows": report.rows, "headings": report.headings, "entries": report.entries},
        )
    return report
