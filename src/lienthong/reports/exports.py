"""Workbooks (issue #8 scopes 4 and 6): the KPIs of a subtree and period (the figures
sheet holds exactly what the page shows, the parts sheet each breakdown), and a report
form's rolled-up figures with each unit's report and the late units."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.org.models import Unit
from lienthong.reports.choices import Rollup
from lienthong.reports.kpis import Figure
from lienthong.reports.models import ReportForm, ReportSubmission
from lienthong.reports.services import Rolled

__all__ = ["kpis_xlsx", "rollup_xlsx"]


def kpis_xlsx(*, figures: list[Figure], unit: Unit, start: dt.date, end: dt.date) -> bytes:
    """The workbook: a figures sheet (KPI, value, numerator, denominator) and a parts
    sheet (KPI, part, count, out of), titled with the unit and the period."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "chi-so"
    sheet.append([f"{unit.name}: {start.isoformat()} .. {end.isoformat()}"])
    sheet.append([_("Figure"), _("KPI code"), _("Value"), _("Counted"), _("Out of")])
    for figure in figures:
        value = figure.value
        sheet.append(
            [
                figure.label,
                figure.key,
                round(value, 4) if isinstance(value, float) else value,
                figure.numerator,
                figure.denominator,
            ]
        )
    parts = book.create_sheet("chi-tiet")
    parts.append([_("KPI code"), _("Part"), _("Counted"), _("Out of")])
    for figure in figures:
        for name, counted, total in figure.parts:
            parts.append([figure.key, name, counted, total])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rollup_xlsx(
    *,
    form: ReportForm,
    unit: Unit,
    start: dt.date,
    end: dt.date,
    rolled: Rolled,
    submissions: list[ReportSubmission],
    late: list[Unit],
) -> bytes:
    """A report form's figures for a subtree and period as a workbook: the rolled-up
    values (``tong-hop``, the numbers of the page; a share as a fraction formatted as a
    percentage), each unit's submitted report (``don-vi``, one row per unit, one column
    per field) and the late units (``cham``)."""
    from openpyxl import Workbook

    fields = list(form.fields.all())
    book = Workbook()
    sheet = book.active
    sheet.title = "tong-hop"
    sheet.append([f"{form.title}: {unit.name}, {start.isoformat()} .. {end.isoformat()}"])
    sheet.append(
        [_("%(n)s of %(m)s units reported") % {"n": rolled.reported, "m": rolled.expected}]
    )
    sheet.append([_("Field"), _("Code"), _("Value")])
    for field in fields:
        if field.code not in rolled.values:
            continue
        value = rolled.values[field.code]
        sheet.append([field.label, field.code, float(value) if value is not None else None])
        if field.rollup == Rollup.SHARE:
            sheet.cell(row=sheet.max_row, column=3).number_format = "0.0%"
    units = book.create_sheet("don-vi")
    units.append(
        [_("Unit"), _("State"), _("Submitted"), *(f"{f.label} ({f.code})" for f in fields)]
    )
    for submission in submissions:
        submitted = submission.submitted_at
        units.append(
            [
                submission.unit.name,
                submission.get_state_display(),
                timezone.localtime(submitted).strftime("%d/%m/%Y %H:%M") if submitted else "",
                *(_cell(submission.values.get(f.code)) for f in fields),
            ]
        )
    behind = book.create_sheet("cham")
    behind.append([_("Late units")])
    for item in late:
        behind.append([item.name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: object) -> object:
    """A submitted value as a spreadsheet cell: numbers as numbers, the rest as text."""
    if value is None or isinstance(value, int | float):
        return value
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
