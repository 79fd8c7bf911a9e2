"""The KPIs of a subtree and period as an XLSX workbook (issue #8 scope 6): the figures
sheet holds exactly what the page shows, the parts sheet each breakdown."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from lienthong.org.models import Unit
from lienthong.reports.kpis import Figure

__all__ = ["kpis_xlsx"]


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
