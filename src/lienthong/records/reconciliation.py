"""The quarterly reconciliation between levels and the figures rolled up the tree (issue
#9 scope 3).

"Check the register against the committees above and below every 3 months"
(vn-rules.md §6.4). For a unit and a quarter, ``member_movements`` counts, per direct
child unit (and a total row), the members at the start of the quarter, those admitted,
transferred in, transferred out, deceased and gone during it, the members at the end and
how many of them were still probationary. The figures come from the dates of the records
(Mẫu 7-HSĐV columns 7 and 10-13):

- a record enters its unit's register on ``transferred_in_on`` when it was opened by a
  transfer (it counts as "transferred in", not as "admitted"), else on ``admitted_on``;
- it leaves on ``transferred_out_on``, ``died_on`` or ``left_on``;
- a member is on the register on a day when the record entered by then and did not
  leave by then.

The start and the end are counted on their own, so start + admitted + transferred in
- transferred out - deceased - left = end holds for records whose dates are consistent;
a row where it does not hold (``MovementRow.balanced``) points at records whose dates
contradict each other (left before entering, two ways of leaving). A transfer between
two cells of the same child counts at that child both out and in, as each cell's
register shows it.

The organisation department of a committee confirms its figures once the quarter has
ended (``reconciliation_confirm``): the total row of its subtree is kept as it was. The
level above reads ``reconciliation_report``: per child, the figures now, the figures
the child confirmed and the columns that differ (a record changed after the child
confirmed, e.g. a backdated death), and which children have not confirmed yet.

``member_rollup`` counts the members of each direct child on a day (total, women,
probationary, under 31, ethnic minorities) for the statistics page. Every figure starts
from ``Member.objects.restrict(user, "view")``: records out of the reader's scope are not
counted. No name leaves this module.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.audit.services import record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.org.choices import UnitKind
from lienthong.org.models import Unit, User
from lienthong.records.choices import Gender
from lienthong.records.models import Member, Reconciliation
from lienthong.records.selectors import MemberStatistics, _born_after
from lienthong.records.workbook import _css_string, _watermark

__all__ = [
    "FIGURES",
    "ROLLUP_FIGURES",
    "MovementRow",
    "Movements",
    "Quarter",
    "ReconciliationReport",
    "ReportRow",
    "Rollup",
    "member_movements",
    "member_rollup",
    "reconciliation_confirm",
    "reconciliation_pdf",
    "reconciliation_report",
    "reconciliation_xlsx",
    "rollup_rows",
    "statistics_xlsx",
]

#: The figures of a quarter, in the order of the table.
FIGURES = (
    "start",
    "admitted",
    "transferred_in",
    "transferred_out",
    "died",
    "left",
    "end",
    "probationary",
)
FIGURE_LABELS = {
    "start": gettext_lazy("At the start"),
    "admitted": gettext_lazy("Admitted"),
    "transferred_in": gettext_lazy("Transferred in"),
    "transferred_out": gettext_lazy("Transferred out"),
    "died": gettext_lazy("Deceased"),
    "left": gettext_lazy("Left the Party"),
    "end": gettext_lazy("At the end"),
    "probationary": gettext_lazy("Of whom probationary"),
}
#: The figures of the roll-up on a day.
ROLLUP_FIGURES = ("total", "women", "probationary", "under_31", "minorities")
ROLLUP_LABELS = {
    "total": gettext_lazy("Members"),
    "women": gettext_lazy("Women"),
    "probationary": gettext_lazy("Probationary"),
    "under_31": gettext_lazy("Aged 30 or under"),
    "minorities": gettext_lazy("Ethnic minorities"),
}
#: The kinds of unit that keep a register of members: listed even when empty. Any other
#: child (a department, an office) is listed only when records belong to its subtree.
PARTY_KINDS = (UnitKind.CENTRAL, UnitKind.COMMITTEE, UnitKind.COMMUNE_COMMITTEE, UnitKind.CELL)
#: The years a quarter may be in.
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: Who may confirm a unit's figures and read the confirmations (org/roles.py).
ADD_RECONCILIATION = "records.add_reconciliation"


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a year (1 to 4)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not (1 <= self.number <= 4 and FIRST_YEAR <= self.year <= LAST_YEAR):
            raise InvalidInput(_("A quarter is 1 to 4 of a year from 1900 to 2200."))

    @property
    def first(self) -> dt.date:
        """The first day of the quarter."""
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> dt.date:
        """The last day of the quarter."""
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    def ended(self, today: dt.date | None = None) -> bool:
        """True once the last day of the quarter is over."""
        return (today or timezone.localdate()) > self.last

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter ``day`` is in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_ended(cls, today: dt.date | None = None) -> Quarter:
        """The latest quarter that is over (the default of the page)."""
        current = cls.containing(today or timezone.localdate())
        return current.previous()

    def previous(self) -> Quarter:
        """The quarter before this one."""
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return f"Q{self.number}/{self.year}"


@dataclass(frozen=True)
class MovementRow:
    """The figures of one row: a direct child unit, the chosen unit's own members
    (``own``), or the total (``unit`` None)."""

    unit: Unit | None
    figures: dict[str, int]
    own: bool = False

    @property
    def balanced(self) -> bool:
        """True when start + admitted + transferred in - out - deceased - left = end."""
        f = self.figures
        flow = (
            f["start"]
            + f["admitted"]
            + f["transferred_in"]
            - f["transferred_out"]
            - f["died"]
            - f["left"]
        )
        return flow == f["end"]

    @property
    def is_total(self) -> bool:
        return self.unit is None


@dataclass(frozen=True)
class Movements:
    """The movements of a unit's subtree in a quarter, per direct child and in total."""

    unit: Unit
    quarter: Quarter
    rows: list[MovementRow]
    total: MovementRow

    @property
    def unbalanced(self) -> list[MovementRow]:
        """The rows (and the total) whose figures do not add up."""
        return [row for row in [*self.rows, self.total] if not row.balanced]


def _entered(day: dt.date) -> Q:
    """The record was on its unit's register by ``day``: opened by a transfer by then,
    or admitted by then."""
    return Q(transferred_in_on__lte=day) | Q(transferred_in_on__isnull=True, admitted_on__lte=day)


def _gone(day: dt.date) -> Q:
    """The record had left its unit's register by ``day``."""
    return Q(transferred_out_on__lte=day) | Q(died_on__lte=day) | Q(left_on__lte=day)


def _present(day: dt.date) -> Q:
    return _entered(day) & ~_gone(day)


def _conditions(quarter: Quarter) -> dict[str, Q]:
    first, last = quarter.first, quarter.last
    during = (first, last)
    return {
        "start": _present(first - dt.timedelta(days=1)),
        "admitted": Q(transferred_in_on__isnull=True, admitted_on__range=during),
        "transferred_in": Q(transferred_in_on__range=during),
        "transferred_out": Q(transferred_out_on__range=during),
        "died": Q(died_on__range=during),
        "left": Q(left_on__range=during),
        "end": _present(last),
        "probationary": _present(last) & (Q(official_on__isnull=True) | Q(official_on__gt=last)),
    }


def _children(unit: Unit) -> list[Unit]:
    """The units right under ``unit``, in the tree's order."""
    return list(Unit.objects.filter(parent=unit).order_by("sort_order", "sort_key", "pk"))


def _child_pk(unit: Unit, path: str) -> int | None:
    """The pk of the direct child of ``unit`` whose subtree holds the unit at ``path``
    (None: ``unit`` itself)."""
    rest = path[len(unit.path) :].strip("/")
    return int(rest.split("/", 1)[0]) if rest else None


def _per_child(
    unit: Unit, grouped: Iterable[Mapping[str, Any]], keys: tuple[str, ...]
) -> dict[int | None, dict[str, int]]:
    """Sum rows grouped by ``unit__path`` into the direct children of ``unit``."""
    sums: dict[int | None, dict[str, int]] = {}
    for row in grouped:
        into = sums.setdefault(_child_pk(unit, row["unit__path"]), dict.fromkeys(keys, 0))
        for key in keys:
            into[key] += row[key]
    return sums


def _rows(
    unit: Unit,
    sums: dict[int | None, dict[str, int]],
    keys: tuple[str, ...],
    *,
    keep: set[int] | None = None,
) -> tuple[list[MovementRow], MovementRow]:
    """A row per child listed (party kinds, children with figures, ``keep``), a row of
    the unit's own members when it has any, and the total."""
    keep = keep or set()
    rows = []
    for child in _children(unit):
        if child.kind in PARTY_KINDS or child.pk in sums or child.pk in keep:
            rows.append(MovementRow(child, sums.get(child.pk) or dict.fromkeys(keys, 0)))
    if None in sums and any(sums[None].values()):
        rows.append(MovementRow(unit, sums[None], own=True))
    total = {key: sum(row.get(key, 0) for row in sums.values()) for key in keys}
    return rows, MovementRow(None, total)


def member_movements(*, user: Any, unit: Unit, quarter: Quarter) -> Movements:
    """The movements of ``unit``'s subtree in ``quarter``, per direct child and in total,
    counting only the records ``user`` may see. One grouped query (and one for the
    children), whatever the number of members. Not audited by itself: the callers are
    (``reconciliation_report``, the exports, ``reconciliation_confirm``).

    The caller resolves ``unit`` through the reader's scope.
    """
    conditions = _conditions(quarter)
    grouped = (
        Member.objects.restrict(user, "view")
        .filter(unit__path__startswith=unit.path)
        .values("unit__path")
        .annotate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
        .order_by()
    )
    sums = _per_child(unit, grouped, FIGURES)
    keep = set(
        Reconciliation.objects.restrict(user, "view")
        .filter(unit__parent=unit, year=quarter.year, quarter=quarter.number)
        .values_list("unit_id", flat=True)
    )
    rows, total = _rows(unit, sums, FIGURES, keep=keep)
    return Movements(unit=unit, quarter=quarter, rows=rows, total=total)


@dataclass(frozen=True)
class ReportRow:
    """A row of the reconciliation report: the figures now and, for a child unit, what
    it confirmed and which figures differ since."""

    row: MovementRow
    confirmed: Reconciliation | None
    differences: tuple[str, ...]

    @property
    def confirmable(self) -> bool:
        """True for a child unit (it confirms its own figures)."""
        return not (self.row.own or self.row.is_total)

    @property
    def cells(self) -> list[tuple[str, int, int | None, bool]]:
        """(figure, now, as confirmed, differs) in the order of ``FIGURES``."""
        then = self.confirmed.figures if self.confirmed else {}
        return [
            (key, self.row.figures[key], then.get(key), key in self.differences) for key in FIGURES
        ]


@dataclass(frozen=True)
class ReconciliationReport:
    """What the level above checks every quarter."""

    movements: Movements
    rows: list[ReportRow]
    total: ReportRow
    unconfirmed: list[Unit]

    @property
    def own(self) -> Reconciliation | None:
        """The chosen unit's own confirmation of the quarter, if it confirmed."""
        return self.total.confirmed

    @property
    def differing(self) -> list[ReportRow]:
        """The rows whose figures changed since they were confirmed."""
        return [row for row in [*self.rows, self.total] if row.differences]


def _differences(row: MovementRow, confirmed: Reconciliation | None) -> tuple[str, ...]:
    if confirmed is None:
        return ()
    return tuple(key for key in FIGURES if confirmed.figures.get(key) != row.figures[key])


def reconciliation_report(
    *, user: Any, unit: Unit, quarter: Quarter, audit: bool = True
) -> ReconciliationReport:
    """Per direct child of ``unit``: the figures of ``quarter`` now, the figures the
    child confirmed and the figures that differ; the children that have not confirmed;
    and the unit's own confirmation against its total. The read is audited
    (``member.reconciliation_read``, the counts only) unless ``audit`` is False (the
    exports audit themselves).

    The caller resolves ``unit`` through the reader's scope.
    """
    movements = member_movements(user=user, unit=unit, quarter=quarter)
    confirmations = {
        item.unit_id: item
        for item in Reconciliation.objects.restrict(user, "view")
        .filter(
            Q(unit__parent=unit) | Q(unit=unit),
            year=quarter.year,
            quarter=quarter.number,
        )
        .select_related("confirmed_by")
    }
    rows = []
    for row in movements.rows:
        confirmed = None if row.own or row.unit is None else confirmations.get(row.unit.pk)
        rows.append(ReportRow(row, confirmed, _differences(row, confirmed)))
    own = confirmations.get(unit.pk)
    total = ReportRow(movements.total, own, _differences(movements.total, own))
    unconfirmed = [
        item.row.unit
        for item in rows
        if item.confirmable and item.confirmed is None and item.row.unit is not None
    ]
    report = ReconciliationReport(
        movements=movements, rows=rows, total=total, unconfirmed=unconfirmed
    )
    if audit:
        record(
            actor=user,
            verb="member.reconciliation_read",
            target=unit,
            data={
                "year": quarter.year,
                "quarter": quarter.number,
                "rows": len(rows),
                "confirmed": sum(1 for item in rows if item.confirmed),
                "differing": len(report.differing),
            },
        )
    return report


def reconciliation_confirm(
    *, actor: User, unit: Unit, year: int, quarter: int, note: str = ""
) -> Reconciliation:
    """The organisation department of ``unit`` confirms the figures of its subtree for a
    quarter that has ended; they are kept as computed now (the total row).

    Raises:
        NotFound: the actor may not confirm the figures of ``unit``.
        InvalidInput: not a quarter, the quarter is not over, or already confirmed.
    """
    if not holds_in(actor, unit, ADD_RECONCILIATION):
        raise NotFound(_("This unit does not exist or you may not do this there."))
    period = Quarter(year, quarter)
    if not period.ended():
        raise InvalidInput(
            _("The figures of %(quarter)s can be confirmed once the quarter is over, from %(day)s.")
            % {
                "quarter": period,
                "day": (period.last + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            }
        )
    already = _("The figures of %(unit)s for %(quarter)s are already confirmed.") % {
        "unit": unit.name,
        "quarter": period,
    }
    with transaction.atomic():
        # Serialise two confirmations of the same unit (the unique constraint is the
        # last word; this gives the clear message first).
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if Reconciliation.objects.filter(unit=unit, year=year, quarter=quarter).exists():
            raise InvalidInput(already)
        movements = member_movements(user=actor, unit=unit, quarter=period)
        item = Reconciliation(
            unit=unit,
            year=year,
            quarter=quarter,
            figures=dict(movements.total.figures),
            confirmed_by=actor,
            confirmed_at=timezone.now(),
            note=" ".join(note.split())[:500],
        )
        item.full_clean()
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:
            raise InvalidInput(already) from exc
        record(
            actor=actor,
            verb="member.reconciliation_confirm",
            target=item,
            data={"year": year, "quarter": quarter, "figures": item.figures},
        )
    return item


# The roll-up on a day ------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """The members of each direct child of a unit on a day (no names)."""

    unit: Unit
    on: dt.date
    rows: list[MovementRow]
    total: MovementRow


def member_rollup(*, user: Any, unit: Unit, on: dt.date) -> Rollup:
    """The members of ``unit``'s subtree on ``on`` (as ``member_statistics`` counts them)
    per direct child: total, women, probationary, aged 30 or under, ethnic minorities
    (not Kinh). One grouped query (and one for the children), only the records ``user``
    may see.

    The caller resolves ``unit`` through the reader's scope.
    """
    young = _born_after(on, 30)
    grouped = (
        Member.objects.restrict(user, "view")
        .filter(unit__path__startswith=unit.path, admitted_on__lte=on)
        .exclude(transferred_out_on__lte=on)
        .exclude(died_on__lte=on)
        .exclude(left_on__lte=on)
        .values("unit__path")
        .annotate(
            total=Count("pk"),
            women=Count("pk", filter=Q(gender=Gender.FEMALE)),
            probationary=Count("pk", filter=Q(official_on__isnull=True) | Q(official_on__gt=on)),
            under_31=Count("pk", filter=Q(born_on__gte=young)),
            minorities=Count("pk", filter=~Q(ethnicity="Kinh")),
        )
        .order_by()
    )
    rows, total = _rows(unit, _per_child(unit, grouped, ROLLUP_FIGURES), ROLLUP_FIGURES)
    return Rollup(unit=unit, on=on, rows=rows, total=total)


# Exports ---------------------------------------------------------------------------------


def _row_name(row: MovementRow, unit: Unit) -> str:
    if row.unit is None:
        return str(_("Total"))
    if row.own:
        return str(_("%(unit)s (members attached directly)") % {"unit": unit.name})
    return row.unit.name


def _confirmed_text(item: ReportRow) -> str:
    if item.confirmed is None:
        return str(_("not confirmed")) if item.confirmable or item.row.is_total else ""
    who = item.confirmed.confirmed_by
    name = getattr(who, "full_name", "") or who.get_username()
    return f"{timezone.localtime(item.confirmed.confirmed_at).strftime('%d/%m/%Y')}, {name}"


def _book(title: str, mark: str) -> tuple[Any, Any]:
    """A workbook whose first sheet carries ``title`` and the watermark ``mark`` (a line
    above the table and the header of every printed page)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([mark])
    sheet["A2"].font = Font(italic=True, color="C00000")
    sheet.oddHeader.center.text = mark
    sheet.oddFooter.center.text = "&P / &N"
    return book, sheet


def _header(sheet: Any, values: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reconciliation_columns() -> list[str]:
    """The columns of the reconciliation workbook."""
    return [
        str(_("Unit")),
        *(str(FIGURE_LABELS[key]) for key in FIGURES),
        str(_("Confirmed")),
        *(str(_("Confirmed: %(figure)s") % {"figure": FIGURE_LABELS[key]}) for key in FIGURES),
        str(_("Differences")),
        str(_("Figures add up")),
    ]


def reconciliation_xlsx(*, user: Any, unit: Unit, quarter: Quarter) -> bytes:
    """The reconciliation report of ``unit`` for ``quarter`` as XLSX: per child, the
    figures now, the confirmation and the figures confirmed, the figures that differ
    (highlighted); watermarked with who exported it and when; audited
    (``member.reconciliation_export``)."""
    from openpyxl.styles import PatternFill

    report = reconciliation_report(user=user, unit=unit, quarter=quarter, audit=False)
    mark = _watermark(user)
    book, sheet = _book(f"ĐỐI CHIẾU SỐ LIỆU ĐẢNG VIÊN {quarter}: {unit.name}", mark)
    sheet.title = "doi-chieu"
    _header(sheet, reconciliation_columns())
    sheet.print_title_rows = "3:3"
    flagged = PatternFill("solid", fgColor="FFE699")
    yes, no = str(_("yes")), str(_("no"))
    for item in [*report.rows, report.total]:
        then = item.confirmed.figures if item.confirmed else {}
        sheet.append(
            [
                _row_name(item.row, unit),
                *(item.row.figures[key] for key in FIGURES),
                _confirmed_text(item),
                *(then.get(key, "") for key in FIGURES),
                ", ".join(str(FIGURE_LABELS[key]) for key in item.differences),
                yes if item.row.balanced else no,
            ]
        )
        line = sheet[sheet.max_row]
        for index, key in enumerate(FIGURES):
            if key in item.differences:
                line[1 + index].fill = flagged
                line[2 + len(FIGURES) + index].fill = flagged
        if not item.row.balanced:
            line[-1].fill = flagged
    with transaction.atomic():
        record(
            actor=user,
            verb="member.reconciliation_export",
            target=unit,
            data={"year": quarter.year, "quarter": quarter.number, "rows": len(report.rows)},
        )
    return _saved(book)


def reconciliation_pdf(*, user: Any, unit: Unit, quarter: Quarter) -> bytes:
    """The same report printed on A4 landscape (WeasyPrint, local fonts), the watermark
    at the top of every page and across it; audited (``member.reconciliation_export``)."""
    import weasyprint  # type: ignore[import-untyped]
    from django.template.loader import render_to_string

    from lienthong.documents.registers import font_faces

    report = reconciliation_report(user=user, unit=unit, quarter=quarter, audit=False)
    mark = _watermark(user)
    rows = [
        {
            "name": _row_name(item.row, unit),
            "cells": item.cells,
            "confirmed": _confirmed_text(item),
            "balanced": item.row.balanced,
            "total": item.row.is_total,
        }
        for item in [*report.rows, report.total]
    ]
    html = render_to_string(
        "records/reconciliation_pdf.html",
        {
            "unit": unit,
            "quarter": quarter,
            "labels": [FIGURE_LABELS[key] for key in FIGURES],
            "rows": rows,
            "unconfirmed": report.unconfirmed,
            "mark": mark,
            "mark_css": _css_string(mark),
            "font_faces": font_faces(),
        },
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    with transaction.atomic():
        record(
            actor=user,
            verb="member.reconciliation_export",
            target=unit,
            data={
                "year": quarter.year,
                "quarter": quarter.number,
                "rows": len(report.rows),
                "format": "pdf",
            },
        )
    return data


def statistics_xlsx(
    *, user: Any, unit: Unit, stats: MemberStatistics, tables: list[tuple[str, list[Any]]]
) -> bytes:
    """The statistics page as XLSX: each breakdown (``tables``: title and (label,
    count) rows, as the page shows them) and the roll-up per direct child on the same
    day; watermarked and audited (``member.statistics_export``, the counts only).

    ``stats`` comes from ``member_statistics`` for the same reader, unit and day.
    """
    rollup = member_rollup(user=user, unit=unit, on=stats.on)
    mark = _watermark(user)
    title = f"THỐNG KÊ ĐẢNG VIÊN {stats.on.strftime('%d/%m/%Y')}: {unit.name}"
    book, sheet = _book(title, mark)
    sheet.title = "thong-ke"
    sheet.append([str(_("Members")), stats.total])
    sheet.append([str(_("Probationary")), stats.probationary])
    for heading, rows in tables:
        sheet.append([])
        _header(sheet, [str(heading), str(_("Members"))])
        for label, count in rows:
            sheet.append([str(label), count])
    children = book.create_sheet("don-vi-truc-thuoc")
    children.append([title])
    children.append([mark])
    children.oddHeader.center.text = mark
    _header(children, [str(_("Unit")), *(str(ROLLUP_LABELS[key]) for key in ROLLUP_FIGURES)])
    for row in [*rollup.rows, rollup.total]:
        children.append([_row_name(row, unit), *(row.figures[key] for key in ROLLUP_FIGURES)])
    with transaction.atomic():
        record(
            actor=user,
            verb="member.statistics_export",
            target=unit,
            data={"on": stats.on.isoformat(), "total": stats.total, "rows": len(rollup.rows)},
        )
    return _saved(book)


def rollup_rows(rollup: Rollup) -> list[tuple[MovementRow, list[int]]]:
    """The roll-up's rows with their figures in the order of ``ROLLUP_FIGURES``."""
    return [(row, [row.figures[key] for key in ROLLUP_FIGURES]) for row in rollup.rows]
