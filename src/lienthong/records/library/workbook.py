"""The library's catalogue to and from XLSX (issue #9 scope 5).

**Import** (``publications_import``): an office's existing catalogue of Party documents,
one a row, without the PDFs (they can be attached afterwards). The first row names the
columns, in Vietnamese or English, with or without diacritics, in any order (read by
``core.workbook.read_table``, as the member import does):

=====================================  ======================================  ========
column                                 meaning                                 required
=====================================  ======================================  ========
Số, ký hiệu / number                   "57-NQ/TW" (vn-rules.md §2.4)           yes
Ngày ban hành / date issued            a date cell, or dd/mm/yyyy              yes
Cơ quan ban hành / issuing body        "Bộ Chính trị"                          yes
Loại văn bản / type                    the type's name or abbreviation (NQ…)   yes
Trích yếu / subject                    the subject                             yes
Khóa / term                            "XIII"
Chủ đề / tags                          separated by commas
Phạm vi / visibility                   công khai, nội bộ, hạn chế (default: nội bộ)
Độ mật / classification                mật, tối mật, tuyệt mật (restricted only)
=====================================  ======================================  ========

All or nothing: every row is checked by the rules of a publication
(``Publication.clean``, its constraints, the classification guard of vn-rules.md §5.2)
and against the other rows; one bad row means nothing is written, and every problem is
named by row and column. Each publication is entered by ``publication_create`` (audited),
and the import itself is one more event (``publication.import``).

**Export** (``publications_xlsx``): the filtered list as the reader may see it, in the
same columns (so an export can be imported elsewhere), audited (``publication.export``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import holds_in
from lienthong.core.text import fold
from lienthong.core.workbook import RowError, cell_date, cell_text, read_table
from lienthong.documents.models import DocumentType
from lienthong.documents.services.guard import classification_guard
from lienthong.records.library.choices import Visibility
from lienthong.records.library.models import Publication
from lienthong.records.library.selectors import LibraryFilters, publication_list
from lienthong.records.library.services import ADD, publication_create, tags_parse

__all__ = [
    "COLUMNS",
    "LABELS",
    "REQUIRED",
    "PublicationImportReport",
    "publications_import",
    "publications_xlsx",
]

MAX_ROWS = 20_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("so ky hieu", "so, ky hieu", "so va ky hieu", "so hieu", "number"),
    "issued_on": ("ngay ban hanh", "ngay thang", "ngay", "date issued", "date"),
    "issuer_name": ("co quan ban hanh", "noi ban hanh", "issuing body", "issuer"),
    "document_type": ("loai van ban", "loai", "the loai", "type"),
    "title": ("trich yeu", "trich yeu noi dung", "tieu de", "subject", "title"),
    "term": ("khoa", "nhiem ky", "term"),
    "tags": ("chu de", "the", "tu khoa", "tags"),
    "visibility": ("pham vi", "pham vi doc", "visibility"),
    "classification": ("do mat", "classification"),
}
REQUIRED = ("number", "issued_on", "issuer_name", "document_type", "title")
#: The column headers, as the export writes them and the import page names them.
LABELS = {
    "number": "Số, ký hiệu",
    "issued_on": "Ngày ban hành",
    "issuer_name": "Cơ quan ban hành",
    "document_type": "Loại văn bản",
    "title": "Trích yếu",
    "term": "Khóa",
    "tags": "Chủ đề",
    "visibility": "Phạm vi",
    "classification": "Độ mật",
}
VISIBILITY_WORDS = {
    "": Visibility.INTERNAL,
    "cong khai": Visibility.PUBLIC,
    "public": Visibility.PUBLIC,
    "noi bo": Visibility.INTERNAL,
    "internal": Visibility.INTERNAL,
    "han che": Visibility.RESTRICTED,
    "restricted": Visibility.RESTRICTED,
}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: "Công khai",
    Visibility.INTERNAL: "Nội bộ",
    Visibility.RESTRICTED: "Hạn chế",
}
CLASSIFICATION_WORDS = {
    "": Clearance.NONE,
    "khong": Clearance.NONE,
    "mat": Clearance.CONFIDENTIAL,
    "toi mat": Clearance.SECRET,
    "tuyet mat": Clearance.TOP_SECRET,
}
CLASSIFICATION_LABELS = {1: "Mật", 2: "Tối mật", 3: "Tuyệt mật"}
#: "57-NQ/TW", "Số 57-NQ/TW", "05-CT/TW".
NUMBER = re.compile(r"^(?:số\s+)?(\d{1,7})-(\S+/\S+)$", re.IGNORECASE)
#: Which column a model field's problem belongs to.
FIELD_COLUMN = {
    "number": "number",
    "notation": "number",
    "issued_on": "issued_on",
    "issuer_name": "issuer_name",
    "document_type": "document_type",
    "title": "title",
    "term": "term",
    "visibility": "visibility",
    "classification": "classification",
    "__all__": "number",
}


@dataclass
class PublicationImportReport:
    """What an import read, made, or refused."""

    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused (and so the rows were imported)."""
        return not self.errors


def _types() -> dict[str, DocumentType]:
    """The Party types by folded name and by folded abbreviation."""
    found: dict[str, DocumentType] = {}
    for doc_type in DocumentType.objects.filter(convention="party", is_active=True):
        found.setdefault(" ".join(fold(doc_type.name).split()), doc_type)
        if doc_type.code:
            found.setdefault(fold(doc_type.code), doc_type)
    return found


def _row(
    cells: dict[str, Any], types: dict[str, DocumentType]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of one row for ``publication_create``, and its problems by column."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    raw_number = " ".join(cell_text(cells.get("number")).split())
    match = NUMBER.match(raw_number)
    if match is None:
        problems["number"] = _('Write the number and notation as "57-NQ/TW".')
    else:
        values["number"] = int(match.group(1))
        values["notation"] = match.group(2)
    raw_date = cells.get("issued_on")
    values["issued_on"] = cell_date(raw_date)
    if values["issued_on"] is None:
        problems["issued_on"] = (
            _("Not a date (dd/mm/yyyy).") if cell_text(raw_date) else _("This is required.")
        )
    values["issuer_name"] = cell_text(cells.get("issuer_name"))
    if not values["issuer_name"]:
        problems["issuer_name"] = _("This is required.")
    type_text = cell_text(cells.get("document_type"))
    doc_type = types.get(" ".join(fold(type_text).split()))
    if doc_type is None:
        problems["document_type"] = (
            _("Not a type of Party document.") if type_text else _("This is required.")
        )
    values["document_type"] = doc_type
    values["title"] = cell_text(cells.get("title"))
    if not values["title"]:
        problems["title"] = _("This is required.")
    values["term"] = cell_text(cells.get("term")).upper()
    values["tags"] = tags_parse(cell_text(cells.get("tags")))
    visibility = VISIBILITY_WORDS.get(" ".join(fold(cell_text(cells.get("visibility"))).split()))
    if visibility is None:
        problems["visibility"] = _("Not one of the choices.")
    values["visibility"] = visibility or Visibility.INTERNAL
    level = CLASSIFICATION_WORDS.get(" ".join(fold(cell_text(cells.get("classification"))).split()))
    if level is None:
        problems["classification"] = _("Not one of the choices.")
    values["classification"] = int(level or 0)
    return values, problems


def _check(values: dict[str, Any], unit: Any, problems: dict[str, str]) -> None:
    """The rules of a publication (``Publication.clean``, constraints, §5.2) on a row."""
    if "classification" not in problems:
        try:
            classification_guard(classification=values["classification"])
        except InvalidInput as exc:
            problems["classification"] = str(exc.message)
    if problems.keys() & {"number", "issued_on", "document_type"}:
        return
    candidate = Publication(unit=unit, **{k: v for k, v in values.items() if k != "tags"})
    try:
        candidate.full_clean(exclude=["file"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.setdefault(FIELD_COLUMN.get(name, "number"), " ".join(messages))


def publications_import(*, actor: Actor, unit: Any, data: bytes) -> PublicationImportReport:
    """Import a catalogue of publications into the library of ``unit``: every row, or
    none.

    Raises:
        NotFound: the actor may not keep publications in ``unit``.
        InvalidInput: not an XLSX, or the first row does not name the required columns.
    """
    if not holds_in(actor, unit, ADD):  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    table = read_table(data, columns=COLUMNS, required=REQUIRED, labels=LABELS, max_rows=MAX_ROWS)
    report = PublicationImportReport(rows=len(table))
    types = _types()
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, cells in table:
        values, problems = _row(cells, types)
        _check(values, unit, problems)
        if "number" not in problems and values.get("issued_on") is not None:
            same = (
                " ".join(fold(values["issuer_name"]).split()),
                values["number"],
                values["notation"].casefold(),
                values["issued_on"],
            )
            if same in seen:
                problems["number"] = _("The same document as row %(row)d.") % {"row": seen[same]}
            else:
                seen[same] = number
        for column, message in problems.items():
            report.errors.append(RowError(row=number, column=LABELS[column], message=message))
        rows.append(values)
    if report.errors:
        return report
    with transaction.atomic():
        for values in rows:
            publication_create(actor=actor, unit=unit, **values)
            report.created += 1
        record(
            actor=actor, verb="publication.import", unit_id=unit.pk, data={"rows": report.created}
        )
    return report


def publications_xlsx(*, user: Any, filters: LibraryFilters | None = None) -> bytes:
    """The publications ``user`` may read, filtered, as an XLSX workbook in the import's
    columns; audited (``publication.export``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = list(publication_list(user=user, filters=filters).prefetch_related("tags"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Văn kiện"
    keys = list(LABELS)
    sheet.append([LABELS[key] for key in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for publication in rows:
        sheet.append(
            [
                publication.number_display,
                publication.issued_on,
                publication.issuer_name,
                publication.document_type.name,
                publication.title,
                publication.term,
                publication.tags_text,
                VISIBILITY_LABELS[Visibility(publication.visibility)],
                CLASSIFICATION_LABELS.get(int(publication.classification), ""),
            ]
        )
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD/MM/YYYY"
    for letter, width in zip("ABCDEFGHI", (14, 14, 28, 14, 80, 8, 30, 12, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    about = book.create_sheet("Thông tin")
    about.append(["Thư viện văn kiện Đảng"])
    about.append(["Xuất bởi", str(getattr(user, "get_username", lambda: "")())])
    about.append(["Lúc", timezone.localtime().strftime("%d/%m/%Y %H:%M")])
    about.append(["Số văn kiện", len(rows)])
    buffer = io.BytesIO()
    book.save(buffer)
    record(actor=user, verb="publication.export", data={"rows": len(rows)})
    return buffer.getvalue()
