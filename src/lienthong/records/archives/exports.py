"""The printed forms of NĐ 30/2020/NĐ-CP Phụ lục V and the export of a record file
(issue #9 scope 4; vn-rules.md §4.1, §1.7 III).

- **Danh mục hồ sơ** (the file plan): five columns in their legal order, big headings in
  Roman numerals and sub-headings in Arabic numerals as rows, and the closing sentence
  with the counts; PDF and XLSX.
- **Mục lục hồ sơ, tài liệu nộp lưu** (the catalogue of a handover): seven columns, the
  footer "Mục lục này gồm … hồ sơ (đơn vị bảo quản). Viết bằng chữ: …" and the person who
  made it; PDF and XLSX.
- **Mục lục văn bản, tài liệu trong hồ sơ** (the document index of a file): seven columns.
- **Biên bản giao nhận hồ sơ, tài liệu** (the handover minutes): both parties, the body of
  records, its dates, the number of files and computer files, their condition, the
  catalogue attached, two signature blocks.
- **A record file as a ZIP**: its documents' PDFs in time order and ``ho-so.xml``, the
  file's metadata in the fields of Phụ lục VI Phần II.III (FileCode, Title, Maintenance,
  Rights, Creator, Language, StartDate, EndDate, DocTotal, PageTotal, Description) with
  each document's own fields.

Titles and column headers are the law's words: Vietnamese constants, not msgids. PDFs are
A4 in Liberation Serif (WeasyPrint, fonts from the disk, no network). Every export reads
through the selectors (``restrict``) and is audited.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lienthong.audit.services import record
from lienthong.documents.choices import FileKind
from lienthong.documents.models import DocumentFile
from lienthong.records.archives.models import FilePlan, Handover, RecordFile
from lienthong.records.archives.selectors import file_items
from lienthong.records.archives.services import document_date, index_rows
from lienthong.records.archives.words import in_words

__all__ = [
    "CATALOGUE_COLUMNS",
    "INDEX_COLUMNS",
    "TRANSFER_COLUMNS",
    "file_index_pdf",
    "file_xml",
    "file_zip",
    "handover_minutes_pdf",
    "plan_pdf",
    "plan_rows",
    "plan_xlsx",
    "transfer_pdf",
    "transfer_rows",
    "transfer_xlsx",
]

# --- The legal layout (NĐ 30 Phụ lục V, vn-rules.md §4.1) -------------------------------

CATALOGUE_TITLE = "DANH MỤC HỒ SƠ"
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "Số và ký hiệu hồ sơ",
    "Tên đề mục và tiêu đề hồ sơ",
    "Thời hạn bảo quản",
    "Người lập hồ sơ",
    "Ghi chú",
)
CATALOGUE_WIDTHS = (15, 43, 14, 16, 12)
CATALOGUE_FOOTER = (
    "Danh mục hồ sơ này có {total} ({total_words}) hồ sơ, bao gồm: {permanent} hồ sơ bảo quản "
    "vĩnh viễn; {limited} hồ sơ bảo quản có thời hạn."
)

TRANSFER_TITLE = "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU"
TRANSFER_COLUMNS: tuple[str, ...] = (
    "Số TT",
    "Số, ký hiệu hồ sơ",
    "Tiêu đề hồ sơ",
    "Thời gian tài liệu",
    "Thời hạn bảo quản",
    "Số tờ / Số trang",
    "Ghi chú",
)
TRANSFER_WIDTHS = (7, 13, 35, 15, 11, 9, 10)
TRANSFER_FOOTER = (
    "Mục lục này gồm {total} hồ sơ (đơn vị bảo quản). "
    "Viết bằng chữ: {words} hồ sơ (đơn vị bảo quản)."
)

INDEX_TITLE = "MỤC LỤC VĂN BẢN, TÀI LIỆU TRONG HỒ SƠ"
INDEX_COLUMNS: tuple[str, ...] = (
    "STT",
    "Số, ký hiệu văn bản",
    "Ngày tháng năm văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Tác giả văn bản",
    "Tờ số / Trang số",
    "Ghi chú",
)
INDEX_WIDTHS = (6, 14, 12, 36, 15, 9, 8)

MINUTES_TITLE = "BIÊN BẢN"
MINUTES_SUBTITLE = "Về việc giao nhận hồ sơ, tài liệu"

#: The XML namespace of the record-file export (Phụ lục VI Phần II.III field names).
XML_NAMESPACE = "urn:lienthong:archives:hoso:1"


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _span(start: dt.date | None, end: dt.date | None) -> str:
    """ "Thời gian tài liệu": the years, or the two dates."""
    if start is None:
        return ""
    if end is None or end == start:
        return _day(start)
    return f"{_day(start)} - {_day(end)}"


def _audit(user: Any, verb: str, target: Any, **data: Any) -> None:
    with transaction.atomic():
        record(actor=user, verb=verb, target=target, data=data)


def _render_pdf(template: str, context: dict[str, Any]) -> bytes:
    import weasyprint  # type: ignore[import-untyped]

    from lienthong.documents.registers import font_faces

    html = render_to_string(
        template,
        {
            **context,
            "font_faces": font_faces(),
            "generated": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        },
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


def _columns(names: tuple[str, ...], widths: tuple[int, ...]) -> list[tuple[str, int]]:
    return list(zip(names, widths, strict=True))


# --- Danh mục hồ sơ -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """A row of the Danh mục: a heading ("I", "TỔ CHỨC CÁN BỘ") or a file (five cells)."""

    kind: str
    """``heading``, ``subheading`` or ``file``."""
    cells: tuple[str, ...]
    entry_pk: int | None = None
    """The plan entry of a file row."""


def plan_rows(plan: FilePlan) -> list[PlanRow]:
    """The rows of the plan as printed: each big heading, its files, its sub-headings and
    theirs (Phụ lục V: headings in Roman, sub-headings in Arabic numerals)."""
    headings = list(plan.headings.order_by("order", "pk"))
    entries = list(plan.entries.order_by("order", "pk"))
    rows: list[PlanRow] = []

    def files_of(heading_id: int) -> None:
        for entry in entries:
            if entry.heading_id == heading_id:
                rows.append(
                    PlanRow(
                        "file",
                        (
                            entry.code,
                            entry.title,
                            entry.retention_label,
                            entry.keeper_name,
                            entry.note,
                        ),
                        entry.pk,
                    )
                )

    for big in (h for h in headings if h.parent_id is None):
        rows.append(PlanRow("heading", (big.number, big.title.upper(), "", "", "")))
        files_of(big.pk)
        for sub in (h for h in headings if h.parent_id == big.pk):
            rows.append(PlanRow("subheading", (sub.number, sub.title, "", "", "")))
            files_of(sub.pk)
    return rows


def _plan_counts(plan: FilePlan) -> dict[str, Any]:
    total = plan.entries.count()
    permanent = plan.entries.filter(retention_kind="permanent").count()
    return {
        "total": total,
        "total_words": in_words(total).lower(),
        "permanent": permanent,
        "limited": total - permanent,
    }


def plan_pdf(*, user: Any, plan: FilePlan) -> bytes:
    """The Danh mục hồ sơ of ``plan`` on A4 (the plan is already resolved for ``user``
    through ``selectors.plan_get``); audited."""
    data = _render_pdf(
        "archives/pdf/catalogue.html",
        {
            "plan": plan,
            "title": CATALOGUE_TITLE,
            "columns": _columns(CATALOGUE_COLUMNS, CATALOGUE_WIDTHS),
            "numbers": [f"({i})" for i in range(1, len(CATALOGUE_COLUMNS) + 1)],
            "rows": plan_rows(plan),
            "footer": CATALOGUE_FOOTER.format(**_plan_counts(plan)),
        },
    )
    _audit(user, "fileplan.export", plan, format="pdf")
    return data


def _sheet(title_lines: list[str], columns: tuple[str, ...], widths: tuple[int, ...]) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    for line in title_lines:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append(list(columns))
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    sheet.append([f"({i})" for i in range(1, len(columns) + 1)])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(width * 1.2, 8)
    sheet.print_title_rows = f"{header}:{header}"
    return book, sheet


def _xlsx_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_xlsx(*, user: Any, plan: FilePlan) -> bytes:
    """The Danh mục hồ sơ of ``plan`` as XLSX, the same rows and footer; audited."""
    from openpyxl.styles import Font

    book, sheet = _sheet(
        [plan.unit.name.upper(), f"{CATALOGUE_TITLE} NĂM {plan.year}"],
        CATALOGUE_COLUMNS,
        CATALOGUE_WIDTHS,
    )
    sheet.title = "danh-muc"
    for row in plan_rows(plan):
        sheet.append(list(row.cells))
        if row.kind != "file":
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([CATALOGUE_FOOTER.format(**_plan_counts(plan))])
    _audit(user, "fileplan.export", plan, format="xlsx")
    return _xlsx_bytes(book)


# --- Mục lục hồ sơ, tài liệu nộp lưu ----------------------------------------------------


def transfer_rows(files: list[RecordFile]) -> list[tuple[str, ...]]:
    """The seven cells of each handed-over file, numbered from 1."""
    return [
        (
            str(number),
            f.code,
            f.title,
            _span(f.start_date, f.end_date),
            f.retention_label,
            str(f.page_count or ""),
            f.kept_back_reason if f.kept_back_until else "",
        )
        for number, f in enumerate(files, start=1)
    ]


def _handover_files(handover: Handover) -> list[RecordFile]:
    return list(handover.files.order_by("code", "pk"))


def transfer_pdf(*, user: Any, handover: Handover, maker: str = "") -> bytes:
    """The Mục lục hồ sơ, tài liệu nộp lưu of ``handover`` on A4; audited."""
    files = _handover_files(handover)
    data = _render_pdf(
        "archives/pdf/transfer.html",
        {
            "handover": handover,
            "title": TRANSFER_TITLE,
            "columns": _columns(TRANSFER_COLUMNS, TRANSFER_WIDTHS),
            "numbers": [f"({i})" for i in range(1, len(TRANSFER_COLUMNS) + 1)],
            "rows": transfer_rows(files),
            "footer": TRANSFER_FOOTER.format(total=len(files), words=in_words(len(files)).lower()),
            "maker": maker or handover.giver_name,
        },
    )
    _audit(user, "handover.export", handover, form="catalogue", format="pdf")
    return data


def transfer_xlsx(*, user: Any, handover: Handover) -> bytes:
    """The same catalogue as XLSX; audited."""
    files = _handover_files(handover)
    book, sheet = _sheet(
        [handover.unit.name.upper(), TRANSFER_TITLE], TRANSFER_COLUMNS, TRANSFER_WIDTHS
    )
    sheet.title = "muc-luc"
    for row in transfer_rows(files):
        sheet.append(list(row))
    sheet.append([])
    sheet.append([TRANSFER_FOOTER.format(total=len(files), words=in_words(len(files)).lower())])
    sheet.append(["NGƯỜI LẬP", handover.giver_name])
    _audit(user, "handover.export", handover, form="catalogue", format="xlsx")
    return _xlsx_bytes(book)


# --- Mục lục văn bản trong hồ sơ ----------------------------------------------------------


def file_index_pdf(*, user: Any, record_file: RecordFile) -> bytes:
    """The document index of ``record_file`` (the one written at closing for a permanent
    file, else the documents as they stand now); audited."""
    rows = record_file.document_index or index_rows(
        list(file_items(user=user, record_file=record_file))
    )
    data = _render_pdf(
        "archives/pdf/index.html",
        {
            "file": record_file,
            "title": INDEX_TITLE,
            "columns": _columns(INDEX_COLUMNS, INDEX_WIDTHS),
            "numbers": [f"({i})" for i in range(1, len(INDEX_COLUMNS) + 1)],
            "rows": [
                (
                    str(r["number"]),
                    r["code"],
                    r["date"],
                    r["subject"],
                    r["author"],
                    r["sheets"],
                    r["note"],
                )
                for r in rows
            ],
        },
    )
    _audit(user, "recordfile.export", record_file, form="index", format="pdf")
    return data


# --- Biên bản giao nhận -------------------------------------------------------------------


def _is_party(unit: Any) -> bool:
    """A Party body heads its papers "ĐẢNG CỘNG SẢN VIỆT NAM" (HD 36, vn-rules.md §2.5);
    a State body the national motto (NĐ 30 Phụ lục I)."""
    from lienthong.documents.choices import Convention
    from lienthong.documents.models import UnitProfile

    profile = UnitProfile.objects.filter(unit=unit).values_list("convention", flat=True).first()
    return (profile or Convention.PARTY) == Convention.PARTY


def handover_minutes_pdf(*, user: Any, handover: Handover) -> bytes:
    """The handover minutes (Phụ lục V) on A4; audited."""
    files = _handover_files(handover)
    starts = [f.start_date for f in files if f.start_date]
    ends = [f.end_date for f in files if f.end_date]
    documents = sum(f.items.count() for f in files)
    data = _render_pdf(
        "archives/pdf/minutes.html",
        {
            "handover": handover,
            "title": MINUTES_TITLE,
            "subtitle": MINUTES_SUBTITLE,
            "span": _span(min(starts) if starts else None, max(ends) if ends else None),
            "file_count": len(files),
            "file_words": in_words(len(files)).lower(),
            "document_count": documents,
            "day": handover.handed_on,
            "party": _is_party(handover.unit),
        },
    )
    _audit(user, "handover.export", handover, form="minutes", format="pdf")
    return data


# --- A record file as ZIP + XML ---------------------------------------------------------


#: Which file of a document goes into the export, best first: the signed original, the
#: searchable copy of a scan, the scan, an attachment.
_FILE_PREFERENCE = (FileKind.SIGNED, FileKind.DIGITISED, FileKind.SCAN, FileKind.DRAFT)


def _best_pdf(document_id: int) -> DocumentFile | None:
    candidates = list(
        DocumentFile.objects.filter(document_id=document_id, kind__in=_FILE_PREFERENCE)
        .select_related("stored")
        .order_by("-version", "-pk")
    )
    for kind in _FILE_PREFERENCE:
        for row in candidates:
            if row.kind == kind and row.stored.content_type == "application/pdf":
                return row
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z.-]+", "-", text).strip("-")[:60] or "van-ban"


def file_xml(record_file: RecordFile, entries: list[dict[str, Any]]) -> bytes:
    """The metadata of ``record_file`` and its documents (Phụ lục VI Phần II.III and the
    document fields of Phần II.I), built with lxml."""
    from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs

    def add(parent: Any, tag: str, value: Any) -> Any:
        element = etree.SubElement(parent, f"{{{XML_NAMESPACE}}}{tag}")
        element.text = "" if value is None else str(value)
        return element

    root = etree.Element(f"{{{XML_NAMESPACE}}}HoSo", nsmap={None: XML_NAMESPACE})
    code = etree.SubElement(root, f"{{{XML_NAMESPACE}}}FileCode")
    add(code, "OrganId", record_file.unit.organ_id)
    add(code, "FileCatalog", record_file.year)
    add(code, "FileNotation", record_file.code)
    add(root, "Title", record_file.title)
    add(root, "Maintenance", record_file.retention_label)
    add(root, "Rights", record_file.rights)
    add(root, "Creator", record_file.keeper_name)
    add(root, "Language", record_file.language)
    add(root, "StartDate", record_file.start_date.isoformat())
    add(root, "EndDate", record_file.end_date.isoformat() if record_file.end_date else "")
    add(root, "DocTotal", len(entries))
    add(root, "PageTotal", record_file.page_count or sum(e["pages"] for e in entries))
    add(root, "Description", record_file.description)
    documents = etree.SubElement(root, f"{{{XML_NAMESPACE}}}Documents")
    for entry in entries:
        doc = entry["document"]
        node = etree.SubElement(documents, f"{{{XML_NAMESPACE}}}Document")
        add(node, "DocOrdinal", entry["ordinal"])
        add(node, "TypeName", doc.document_type.name if doc.document_type_id else "")
        add(node, "CodeNumber", f"{doc.code_number:02d}" if doc.code_number else "")
        add(node, "CodeNotation", doc.code_notation)
        add(node, "IssuedDate", document_date(doc).isoformat())
        add(node, "OrganName", doc.issuer_name)
        add(node, "Subject", doc.subject)
        add(node, "Language", doc.language)
        add(node, "PageAmount", entry["pages"])
        add(node, "Description", doc.note)
        add(node, "FileName", entry["name"])
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def file_zip(*, user: Any, record_file: RecordFile) -> bytes:
    """``record_file`` as a ZIP: each document's PDF in time order (``001-…pdf``), read
    through ``documents.services.file_open`` (the reader's scope and clearance), and
    ``ho-so.xml``, the metadata (Phụ lục VI: "Export a hồ sơ to .pdf and .xml in time
    order"); audited."""
    from lienthong.documents.services import file_open

    items = sorted(
        file_items(user=user, record_file=record_file),
        key=lambda i: (document_date(i.document), i.document.pk),
    )
    out = io.BytesIO()
    entries: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for ordinal, item in enumerate(items, start=1):
            doc = item.document
            row = _best_pdf(doc.pk)
            name = ""
            if row is not None:
                _row, content = file_open(user=user, document_file=row)
                name = f"{ordinal:03d}-{_slug(doc.number_display or str(doc.pk))}.pdf"
                archive.writestr(name, content)
            entries.append(
                {
                    "ordinal": ordinal,
                    "document": doc,
                    "pages": int(doc.page_count or 0),
                    "name": name,
                }
            )
        archive.writestr("ho-so.xml", file_xml(record_file, entries))
    _audit(user, "recordfile.export", record_file, form="zip", documents=len(entries))
    return out.getvalue()
