"""The registers of NĐ 30 Phụ lục IV and the handling reports, as rows, XLSX and PDF.

Issue #4, scope 5. Three registers (vn-rules.md §1.6), each with the minimum columns of
Phụ lục IV in their legal order, and the header block "Năm; Từ ngày … đến ngày …; Từ số …
đến số …; Quyển số":

* Sổ đăng ký văn bản đi (10 columns),
* Sổ đăng ký văn bản đến (10 columns),
* Sổ theo dõi giải quyết văn bản đến (7 columns);

and the reports "tình hình giải quyết văn bản đến / đi" required of the system by Phụ lục VI
Phần I.V. A system register must be printable in full and bound (NĐ 30 Điều 16.2.b): the
PDF is A4 landscape in Liberation Serif (from Debian ``fonts-liberation2``; the older
``fonts-liberation`` lacks most Vietnamese letters).

Rows are read through ``Document.objects.restrict(user, "view")`` and the reader's
clearance; ``user=None`` is for the operator's command line only (system use).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import (
    Direction,
    DocumentState,
    EventKind,
    HandlingRole,
    HandlingState,
)
from lienthong.documents.models import Assignment, Document, DocumentEvent, Register

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "FONT_DIRS",
    "HANDLING_COLUMNS",
    "INCOMING_COLUMNS",
    "OUTGOING_COLUMNS",
    "REGISTER_KINDS",
    "REPORT_KEYS",
    "RegisterSheet",
    "handling_report",
    "register_pdf",
    "register_sheet",
    "register_xlsx",
    "report_as_rows",
    "report_sheet_write",
]

# --- The legal layout (vn-rules.md §1.6, NĐ 30 Phụ lục IV) ----------------------------
# Column headers are legal text printed as the law words them, whatever the UI language.

OUTGOING = "outgoing"
INCOMING = "incoming"
HANDLING = "handling"
#: The registers this module prints.
REGISTER_KINDS = (OUTGOING, INCOMING, HANDLING)

OUTGOING_COLUMNS: tuple[str, ...] = (
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
INCOMING_COLUMNS: tuple[str, ...] = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
HANDLING_COLUMNS: tuple[str, ...] = (
    "Số đến",
    "Tên loại, số, ký hiệu, ngày, cơ quan ban hành",
    "Đơn vị/người nhận",
    "Thời hạn giải quyết",
    "Tiến độ giải quyết",
    "Số, ký hiệu văn bản trả lời",
    "Ghi chú",
)

_LAYOUT: dict[str, tuple[str, tuple[str, ...], tuple[int, ...]]] = {
    # kind: (title, columns, relative widths: percent of the page, characters in XLSX)
    OUTGOING: ("SỔ ĐĂNG KÝ VĂN BẢN ĐI", OUTGOING_COLUMNS, (11, 8, 24, 10, 14, 9, 5, 8, 6, 5)),
    INCOMING: ("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", INCOMING_COLUMNS, (8, 5, 14, 11, 8, 23, 12, 8, 6, 5)),
    HANDLING: (
        "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
        HANDLING_COLUMNS,
        (6, 28, 15, 9, 20, 12, 10),
    ),
}

#: Where Debian's fonts-liberation2 puts Liberation Serif (checked in this order).
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
}


@dataclass(frozen=True)
class RegisterSheet:
    """One register over one period, ready to print."""

    kind: str
    """``outgoing``, ``incoming`` or ``handling``."""
    title: str
    """"SỔ ĐĂNG KÝ VĂN BẢN ĐI"…"""
    unit_name: str
    """The unit keeping the register."""
    register_name: str
    """The register's name, when the rows come from one register."""
    date_from: dt.date
    """First day of the period."""
    date_to: dt.date
    """Last day of the period."""
    number_from: str
    """Smallest number in the rows ("01"), empty when there are none."""
    number_to: str
    """Largest number in the rows."""
    book: str
    """Quyển số, as the clerk numbers the bound books."""
    columns: tuple[str, ...]
    """The legal column headers, in order."""
    widths: tuple[int, ...]
    """Relative column widths (percent of the page width)."""
    rows: list[tuple[str, ...]] = field(default_factory=list)
    """One tuple of cell texts per document."""

    @property
    def year_label(self) -> str:
        """ "2026", or "2025-2026" for a period across years."""
        first, last = self.date_from.year, self.date_to.year
        return str(first) if first == last else f"{first}-{last}"

    @property
    def header_lines(self) -> list[str]:
        """The legal header block: Năm; Từ ngày … đến ngày …; Từ số … đến số …; Quyển số."""
        dots = "…………"
        return [
            f"Năm: {self.year_label}",
            f"Từ ngày {_day(self.date_from)} đến ngày {_day(self.date_to)}",
            f"Từ số {self.number_from or dots} đến số {self.number_to or dots}",
            f"Quyển số: {self.book or dots}",
        ]


# --- Reading the rows -----------------------------------------------------------------


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or user.get_username())


def _documents(user: Any | None) -> QuerySet[Document]:
    """Documents the reader may see: scope and clearance (``None``: system use only)."""
    if user is None:
        return Document.objects.all()
    queryset: QuerySet[Document] = Document.objects.restrict(user, "view")
    if not getattr(user, "is_superuser", False):
        queryset = queryset.filter(classification__lte=getattr(user, "clearance", 0))
    return queryset


def _type_and_subject(document: Document) -> str:
    return f"{document.document_type.name}: {document.subject}"


def _handlers(document: Document) -> str:
    assignments = sorted(
        document.assignments.all(), key=lambda a: (a.role != HandlingRole.LEAD, a.pk)
    )
    names = []
    for assignment in assignments:
        name = _person(assignment.assignee) or str(assignment.assignee_unit or "")
        if assignment.role == HandlingRole.LEAD and len(assignments) > 1:
            name = _("%(name)s (lead)") % {"name": name}
        names.append(name)
    return "; ".join(names)


def _deadline(document: Document) -> dt.date | None:
    if document.due_date is not None:
        return document.due_date
    deadlines = [
        a.deadline
        for a in document.assignments.all()
        if a.role == HandlingRole.LEAD and a.deadline is not None
    ]
    return min(deadlines, default=None)


def _done_on(document: Document) -> dt.date | None:
    """When an incoming document's handling closed, or None while it is open."""
    if document.state != DocumentState.DONE:
        return None
    done_events = [e.created_at for e in document.events.all() if e.kind == EventKind.DONE]
    closed = [a.closed_at for a in document.assignments.all() if a.closed_at is not None]
    moment = max(done_events or closed or [document.updated_at])
    return timezone.localtime(moment).date()


def _note(document: Document) -> str:
    parts = [document.note] if document.note else []
    if document.state == DocumentState.RECALLED:
        parts.append(_("Recalled"))
    return "; ".join(parts)


def _padded(numbers: Iterable[int | None]) -> tuple[str, str]:
    present = [n for n in numbers if n is not None]
    if not present:
        return "", ""
    return f"{min(present):02d}", f"{max(present):02d}"


def _outgoing_rows(documents: Sequence[Document]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for doc in documents:
        recipients = [str(r.unit or r.text) for r in doc.recipients.all()]
        issued_events = [e.created_at for e in doc.events.all() if e.kind == EventKind.ISSUED]
        rows.append(
            (
                doc.number_display,
                _day(doc.issued_date),
                _type_and_subject(doc),
                doc.signer_name or _person(doc.signer),
                "; ".join(recipients) or doc.recipients_text.replace("\n", "; "),
                _person(doc.created_by),
                str(doc.copies),
                _day(min(issued_events)) if issued_events else "",
                "",
                _note(doc),
            )
        )
    return rows


def _incoming_rows(documents: Sequence[Document]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for doc in documents:
        handed = [a.created_at for a in doc.assignments.all()]
        rows.append(
            (
                _day(doc.arrival_date),
                f"{doc.arrival_number:02d}" if doc.arrival_number is not None else "",
                doc.issuer_name,
                doc.number_display,
                _day(doc.issued_date),
                _type_and_subject(doc),
                _handlers(doc),
                _day(min(handed)) if handed else "",
                "",
                _note(doc),
            )
        )
    return rows


def _progress(doc: Document, today: dt.date) -> str:
    done = _done_on(doc)
    if done is not None:
        return _("Done on %(date)s") % {"date": _day(done)}
    reports = [a.progress for a in doc.assignments.all() if a.progress]
    deadline = _deadline(doc)
    if deadline is not None and deadline < today:
        status = _("Overdue")
    elif any(a.state == HandlingState.IN_PROGRESS for a in doc.assignments.all()) or reports:
        status = _("In progress")
    else:
        status = _("Not started")
    return f"{status}: {reports[-1]}" if reports else status


def _handling_rows(documents: Sequence[Document], today: dt.date) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for doc in documents:
        described = ", ".join(
            part
            for part in (
                doc.document_type.name,
                f"số {doc.number_display}" if doc.number_display else "",
                f"ngày {_day(doc.issued_date)}" if doc.issued_date else "",
                doc.issuer_name,
            )
            if part
        )
        answers = [a.number_display for a in doc.answered_by.all() if a.number_display]
        rows.append(
            (
                f"{doc.arrival_number:02d}" if doc.arrival_number is not None else "",
                described,
                _handlers(doc),
                _day(_deadline(doc)),
                _progress(doc, today),
                "; ".join(answers),
                _note(doc),
            )
        )
    return rows


def _check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_from > date_to:
        raise InvalidInput(_("The period starts after it ends."))


def _incoming_documents(
    user: Any | None, unit: Any, register: Register | None, date_from: dt.date, date_to: dt.date
) -> QuerySet[Document]:
    queryset = _documents(user).filter(
        unit=unit,
        direction=Direction.INCOMING,
        arrival_number__isnull=False,
        arrival_date__date__range=(date_from, date_to),
    )
    if register is not None:
        queryset = queryset.filter(register=register)
    return queryset


def register_sheet(
    *,
    user: Any | None,
    unit: Any,
    kind: str,
    date_from: dt.date,
    date_to: dt.date,
    register: Register | None = None,
    book: str = "",
    today: dt.date | None = None,
) -> RegisterSheet:
    """Build one register of ``unit`` for the period, as the law lays it out.

    Args:
        user: the reader: only documents in their scope and clearance are listed.
            ``None`` means the system (the operator's command line), with no restriction.
        unit: the unit keeping the register, already resolved through the reader's scope.
        kind: ``outgoing``, ``incoming`` or ``handling``.
        date_from: first day (date of the document for outgoing, of arrival for incoming).
        date_to: last day, included.
        register: only the documents of this register (all of the unit's when None).
        book: the "Quyển số" to print.
        today: the day progress is judged on (overdue or not); today when None.

    Returns:
        The sheet with its header block and rows, in number order.

    Raises:
        InvalidInput: an unknown kind, or a period that ends before it starts.
    """
    if kind not in _LAYOUT:
        raise InvalidInput(_("Unknown register: %(kind)s.") % {"kind": kind})
    _check_period(date_from, date_to)
    title, columns, widths = _LAYOUT[kind]
    today = today or timezone.localdate()
    visible_answers = _documents(user).only(
        "pk", "answers", "code_number", "code_notation", "convention"
    )
    prefetch: list[Any] = [
        "recipients__unit",
        Prefetch("events", queryset=DocumentEvent.objects.order_by("created_at")),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("assignee", "assignee_unit").order_by("pk"),
        ),
        Prefetch("answered_by", queryset=visible_answers.order_by("issued_date", "pk")),
    ]
    if kind == OUTGOING:
        queryset = _documents(user).filter(
            unit=unit,
            direction=Direction.OUTGOING,
            code_number__isnull=False,
            issued_date__range=(date_from, date_to),
        )
        if register is not None:
            queryset = queryset.filter(register=register)
        documents = list(
            queryset.select_related("document_type", "created_by", "signer")
            .prefetch_related(*prefetch)
            .order_by("issued_date", "code_number", "pk")
        )
        rows = _outgoing_rows(documents)
        number_from, number_to = _padded(d.code_number for d in documents)
    else:
        documents = list(
            _incoming_documents(user, unit, register, date_from, date_to)
            .select_related("document_type")
            .prefetch_related(*prefetch)
            .order_by("arrival_date", "arrival_number", "pk")
        )
        rows = _incoming_rows(documents) if kind == INCOMING else _handling_rows(documents, today)
        number_from, number_to = _padded(d.arrival_number for d in documents)
    return RegisterSheet(
        kind=kind,
        title=title,
        unit_name=str(unit.name),
        register_name=register.name if register is not None else "",
        date_from=date_from,
        date_to=date_to,
        number_from=number_from,
        number_to=number_to,
        book=book,
        columns=columns,
        widths=widths,
        rows=rows,
    )


# --- Report: tình hình giải quyết văn bản đến / đi (Phụ lục VI Phần I.V) ---------------

#: The counters of a handling report, in display order.
REPORT_KEYS = ("total", "done_on_time", "done_late", "overdue", "open", "untracked")


def handling_report(
    *,
    user: Any | None,
    unit: Any,
    direction: str,
    date_from: dt.date,
    date_to: dt.date,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Count how the documents of a period were handled.

    Incoming (received in the period): done on time, done late, overdue (open past the
    deadline: the document's due date or its lead handler's deadline), open. Outgoing
    (issued in the period): a document with an answer due date (hạn trả lời) is done when
    an answer arrived; those without one are ``untracked``.

    Args:
        user: the reader (scope and clearance); ``None`` for system use only.
        unit: the unit, resolved through the reader's scope.
        direction: ``incoming`` or ``outgoing``.
        date_from: first day of the period.
        date_to: last day, included.
        on: the day "overdue" is judged on; today when None.

    Returns:
        ``{"direction", "date_from", "date_to", "on", "total", "done_on_time",
        "done_late", "overdue", "open", "untracked"}`` (dates in ISO format).

    Raises:
        InvalidInput: an unknown direction or a period that ends before it starts.
    """
    _check_period(date_from, date_to)
    today = on or timezone.localdate()
    counts = dict.fromkeys(REPORT_KEYS, 0)
    if direction == Direction.INCOMING:
        documents = _incoming_documents(user, unit, None, date_from, date_to).prefetch_related(
            "assignments", "events"
        )
        for doc in documents:
            _count(counts, deadline=_deadline(doc), done=_done_on(doc), today=today)
    elif direction == Direction.OUTGOING:
        answers = Document.objects.filter(direction=Direction.INCOMING).only(
            "answers", "arrival_date", "created_at"
        )
        documents = (
            _documents(user)
            .filter(
                unit=unit,
                direction=Direction.OUTGOING,
                code_number__isnull=False,
                issued_date__range=(date_from, date_to),
            )
            .prefetch_related(Prefetch("answered_by", queryset=answers))
        )
        for doc in documents:
            if doc.due_date is None:
                counts["total"] += 1
                counts["untracked"] += 1
                continue
            arrivals = [a.arrival_date or a.created_at for a in doc.answered_by.all()]
            done = timezone.localtime(min(arrivals)).date() if arrivals else None
            _count(counts, deadline=doc.due_date, done=done, today=today)
    else:
        raise InvalidInput(_("Unknown direction: %(direction)s.") % {"direction": direction})
    return {
        "direction": str(direction),
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "on": today.isoformat(),
        **counts,
    }


def _count(
    counts: dict[str, int], *, deadline: dt.date | None, done: dt.date | None, today: dt.date
) -> None:
    counts["total"] += 1
    if done is not None:
        late = deadline is not None and done > deadline
        counts["done_late" if late else "done_on_time"] += 1
    elif deadline is not None and deadline < today:
        counts["overdue"] += 1
    else:
        counts["open"] += 1


# --- XLSX -------------------------------------------------------------------------------


def _report_labels() -> dict[str, str]:
    return {
        "total": _("Total"),
        "done_on_time": _("Done on time"),
        "done_late": _("Done late"),
        "overdue": _("Overdue, not done"),
        "open": _("Open, within the deadline"),
        "untracked": _("No answer due"),
    }


def _write_sheet(ws: Worksheet, sheet: RegisterSheet) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    width = len(sheet.columns)
    last = get_column_letter(width)
    bold = Font(name="Times New Roman", bold=True, size=12)
    plain = Font(name="Times New Roman", size=12)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws["A1"] = sheet.unit_name.upper()
    ws["A1"].font = bold
    ws["A2"] = sheet.title
    ws["A2"].font = Font(name="Times New Roman", bold=True, size=14)
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = centre
    for offset, line in enumerate(sheet.header_lines, start=3):
        cell = ws.cell(row=offset, column=1, value=line)
        cell.font = plain
        ws.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)
        cell.alignment = Alignment(horizontal="center")
    header_row = 8
    for col, title in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=header_row, column=col, value=title)
        cell.font, cell.alignment, cell.border = bold, centre, box
        number = ws.cell(row=header_row + 1, column=col, value=f"({col})")
        number.font, number.alignment, number.border = plain, centre, box
        ws.column_dimensions[get_column_letter(col)].width = max(8, sheet.widths[col - 1] * 1.6)
    for row_index, row in enumerate(sheet.rows, start=header_row + 2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=row_index, column=col, value=value)
            cell.font, cell.alignment, cell.border = plain, wrap, box
    ws.row_dimensions[header_row].height = 45
    ws.freeze_panes = ws.cell(row=header_row + 2, column=1)
    ws.print_title_rows = f"{header_row}:{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def report_sheet_write(workbook: Workbook, report: dict[str, Any]) -> Worksheet:
    """Add the report "tình hình giải quyết văn bản đến/đi" as a sheet of ``workbook``.

    Args:
        workbook: an openpyxl workbook.
        report: what ``handling_report`` returned.

    Returns:
        The new sheet.
    """
    from openpyxl.styles import Font

    incoming = report["direction"] == Direction.INCOMING
    ws = workbook.create_sheet(_("Incoming report") if incoming else _("Outgoing report"))
    title = (
        "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN"
        if incoming
        else "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐI"
    )
    ws["A1"] = title
    ws["A1"].font = Font(name="Times New Roman", bold=True, size=14)
    start = dt.date.fromisoformat(report["date_from"])
    end = dt.date.fromisoformat(report["date_to"])
    ws["A2"] = f"Từ ngày {_day(start)} đến ngày {_day(end)}"
    for index, (key, label) in enumerate(_report_labels().items(), start=4):
        ws.cell(row=index, column=1, value=label)
        ws.cell(row=index, column=2, value=report[key])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 12
    return ws


def register_xlsx(
    sheet: RegisterSheet,
    out: IO[bytes] | Path | None = None,
    *,
    report: dict[str, Any] | None = None,
) -> bytes:
    """Write the register as an XLSX workbook (and the handling report as a second sheet).

    Args:
        sheet: what ``register_sheet`` returned.
        out: a binary stream or a path to write to; the bytes are returned either way.
        report: a ``handling_report`` to add as a second sheet.

    Returns:
        The workbook's bytes.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = sheet.title.title()[:31]
    _write_sheet(ws, sheet)
    if report is not None:
        report_sheet_write(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    _write_out(out, data)
    return data


# --- PDF ----------------------------------------------------------------------------------


def font_faces() -> list[dict[str, str]]:
    """``@font-face`` sources for Liberation Serif 2 (Vietnamese), from Debian's files."""
    for folder in FONT_DIRS:
        faces = [
            {"weight": weight, "style": style, "url": (folder / name).as_uri()}
            for (weight, style), name in _FONT_FILES.items()
            if (folder / name).is_file()
        ]
        if faces:
            return faces
    return []


def register_pdf(sheet: RegisterSheet, out: IO[bytes] | Path | None = None) -> bytes:
    """Render the register as a PDF to print and bind: A4 landscape, Liberation Serif.

    Args:
        sheet: what ``register_sheet`` returned.
        out: a binary stream or a path to write to; the bytes are returned either way.

    Returns:
        The PDF's bytes.
    """
    import weasyprint  # type: ignore[import-untyped]

    html = render_to_string(
        "documents/registers/register.html",
        {
            "sheet": sheet,
            "font_faces": font_faces(),
            "column_numbers": [f"({i})" for i in range(1, len(sheet.columns) + 1)],
            "columns": list(zip(sheet.columns, sheet.widths, strict=True)),
            "generated": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        },
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    _write_out(out, data)
    return data


def _write_out(out: IO[bytes] | Path | None, data: bytes) -> None:
    if out is None:
        return
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)


def report_as_rows(report: dict[str, Any]) -> list[tuple[str, int]]:
    """The report's counters with their labels, in display order (for pages and tests)."""
    labels = _report_labels()
    return [(labels[key], int(report[key])) for key in REPORT_KEYS]
