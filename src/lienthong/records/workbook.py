"""Member lists to and from XLSX (issue #9 scopes 3 and 6).

**Import** (``members_import``): a committee's existing list, one member a row. The first
row names the columns, in Vietnamese or English, with or without diacritics, in any
order:

=========================================  ========================================  ========
column                                     meaning                                   required
=========================================  ========================================  ========
Họ và tên / full name                      as on the identity card                   yes
Giới tính / gender                         Nam, Nữ (male, female)                    yes
Ngày sinh / date of birth                  a date cell, or dd/mm/yyyy                yes
Ngày vào Đảng / date of admission          idem                                      yes
Ngày chính thức / date made official       idem
Số thẻ đảng viên / party card number       8 digits
Số lý lịch / member file number            6 digits and 1 to 3 letters (123456HN)
Chi bộ / cell                              the cell's name, under the chosen unit
Dân tộc, Tôn giáo, Quê quán, Nơi sinh, Nơi cư trú, Nghề nghiệp, Giáo dục phổ thông,
Chuyên môn, Lý luận chính trị (sơ cấp, trung cấp, cao cấp, cử nhân), Ngoại ngữ,
Huy hiệu Đảng, Họ tên khai sinh, Bí danh, Ghi chú
=========================================  ========================================  ========

Importing is all or nothing: every row is checked by the rules of a record
(``services.member_check``) and against the other rows and the node (a card or file
number held twice); one bad row means nothing is written and every problem is reported
by row and column. The import is one audit event (``member.import``, the count).

**Export** (``members_xlsx``): the member list in the 14 columns of Mẫu 7-HSĐV
(vn-rules.md §6.4), of what the reader may see, watermarked with who exported it and
when (a line above the table and the page header of every printed page), audited
(``member.export``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import NotFound
from lienthong.core.permissions import AllUnits, allowed_units, holds_in
from lienthong.core.text import fold
from lienthong.core.workbook import RowError, cell_date, cell_text, read_table
from lienthong.org.models import Unit
from lienthong.records.choices import Gender, MemberState, Service, TheoryLevel
from lienthong.records.models import Member
from lienthong.records.selectors import member_list
from lienthong.records.services import member_check, normalise

__all__ = ["COLUMNS", "MemberImportReport", "members_import", "members_pdf", "members_xlsx"]

MAX_ROWS = 250_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "ho va ten dang dung", "full name", "name"),
    "gender": ("gioi tinh", "nam nu", "nam/nu", "gender"),
    "born_on": ("ngay sinh", "ngay thang nam sinh", "date of birth", "born"),
    "admitted_on": ("ngay vao dang", "ngay ket nap", "date of admission", "admitted"),
    "official_on": ("ngay chinh thuc", "ngay cong nhan chinh thuc", "date made official"),
    "card_number": ("so the dang vien", "so the", "party card number", "card number"),
    "file_number": ("so ly lich", "so ly lich dang vien", "member file number", "file number"),
    "cell": ("chi bo", "noi sinh hoat", "cell"),
    "ethnicity": ("dan toc", "ethnicity"),
    "religion": ("ton giao", "religion"),
    "home_town": ("que quan", "home town"),
    "birth_place": ("noi sinh", "place of birth"),
    "residence": ("noi cu tru", "noi o", "residence"),
    "occupation": ("nghe nghiep", "nghe nghiep hien nay", "occupation"),
    "education": ("giao duc pho thong", "van hoa", "trinh do van hoa", "general education"),
    "professional": ("chuyen mon", "chuyen mon nghiep vu", "professional qualification"),
    "theory": ("ly luan chinh tri", "ly luan", "political theory"),
    "foreign_language": ("ngoai ngu", "foreign language"),
    "badge": ("huy hieu dang", "party badge"),
    "birth_name": ("ho ten khai sinh", "ho va ten khai sinh", "name at birth"),
    "alias": ("bi danh", "alias"),
    "note": ("ghi chu", "note"),
}
REQUIRED = ("full_name", "gender", "born_on", "admitted_on")
LABELS = {
    "full_name": "Họ và tên",
    "gender": "Giới tính",
    "born_on": "Ngày sinh",
    "admitted_on": "Ngày vào Đảng",
    "official_on": "Ngày chính thức",
    "card_number": "Số thẻ đảng viên",
    "file_number": "Số lý lịch",
    "cell": "Chi bộ",
    "theory": "Lý luận chính trị",
}
GENDER_WORDS = {
    "nam": Gender.MALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "nu": Gender.FEMALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
}
THEORY_WORDS = {
    "": TheoryLevel.NONE,
    "khong": TheoryLevel.NONE,
    "so cap": TheoryLevel.ELEMENTARY,
    "trung cap": TheoryLevel.INTERMEDIATE,
    "cao cap": TheoryLevel.ADVANCED,
    "cu nhan": TheoryLevel.BACHELOR,
    **{fold(value): value for value in TheoryLevel.values if value},
}
DATE_FIELDS = ("born_on", "admitted_on", "official_on")
TEXT_FIELDS = (
    "full_name",
    "card_number",
    "file_number",
    "ethnicity",
    "religion",
    "home_town",
    "birth_place",
    "residence",
    "occupation",
    "education",
    "professional",
    "foreign_language",
    "badge",
    "birth_name",
    "alias",
    "note",
)


@dataclass
class MemberImportReport:
    """What an import read, made, or refused."""

    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused (and so the rows were imported)."""
        return not self.errors


def _cells(unit: Unit, actor: Actor) -> dict[str, Unit]:
    """The units under ``unit`` (itself included) where ``actor`` may open records, by
    folded name."""
    units = Unit.objects.filter(path__startswith=unit.path)
    where = allowed_units(actor, "records.add_member")  # type: ignore[arg-type]
    if where is None:
        return {}
    if not isinstance(where, AllUnits):
        units = units.filter(pk__in=where)
    return {" ".join(fold(u.name).split()): u for u in units}


def members_import(*, actor: Actor, unit: Unit, data: bytes) -> MemberImportReport:
    """Import a member list into ``unit`` (or the cells named under it): every row, or
    none.

    Raises:
        NotFound: the actor may not open records in ``unit``.
        InvalidInput: not an XLSX, or the first row does not name the required columns.
    """
    if not holds_in(actor, unit, "records.add_member"):  # type: ignore[arg-type]
        raise NotFound(_("This unit does not exist or you may not do this there."))
    table = read_table(data, columns=COLUMNS, required=REQUIRED, labels=LABELS, max_rows=MAX_ROWS)
    report = MemberImportReport(rows=len(table))
    cells = _cells(unit, actor) if any(c.get("cell") for _n, c in table) else {}
    members: list[Member] = []
    seen_cards: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    for number, cells_of_row in table:
        problems: dict[str, str] = {}
        values: dict[str, Any] = {key: cell_text(cells_of_row.get(key)) for key in TEXT_FIELDS}
        gender = GENDER_WORDS.get(fold(cell_text(cells_of_row.get("gender"))))
        if gender is None:
            problems["gender"] = _("The gender is male or female.")
        values["gender"] = gender or ""
        for key in DATE_FIELDS:
            raw = cells_of_row.get(key)
            values[key] = cell_date(raw)
            if values[key] is None and cell_text(raw):
                problems[key] = _("Not a date (dd/mm/yyyy).")
        theory = THEORY_WORDS.get(" ".join(fold(cell_text(cells_of_row.get("theory"))).split()))
        if theory is None:
            problems["theory"] = _("Not one of the choices.")
        values["theory"] = theory or TheoryLevel.NONE
        values["ethnicity"] = values["ethnicity"] or "Kinh"
        values.update(state=MemberState.ACTIVE, service=Service.NONE)
        values = normalise(values)
        for key, message in member_check(values, check_duplicates=False).items():
            problems.setdefault(key, message)
        home = unit
        name = cell_text(cells_of_row.get("cell"))
        if name:
            found = cells.get(" ".join(fold(name).split()))
            if found is None:
                problems["cell"] = _(
                    "No cell of this name under %(unit)s where you may open records."
                ) % {"unit": unit.name}
            else:
                home = found
        for key, seen in (("card_number", seen_cards), ("file_number", seen_files)):
            value = values.get(key)
            if value and key not in problems:
                if value in seen:
                    problems[key] = _("Also on row %(row)d.") % {"row": seen[value]}
                else:
                    seen[value] = number
        for key, message in problems.items():
            report.errors.append(RowError(number, LABELS.get(key, key), str(message)))
        if not problems:
            members.append(Member(unit=home, **values))
    taken_cards = set(
        Member.objects.filter(card_number__in=list(seen_cards)).values_list(
            "card_number", flat=True
        )
    )
    taken_files = set(
        Member.objects.filter(file_number__in=list(seen_files)).values_list(
            "file_number", flat=True
        )
    )
    for card in sorted(taken_cards):
        report.errors.append(
            RowError(
                seen_cards[card],
                LABELS["card_number"],
                _("Another member holds this party card number."),
            )
        )
    for file_number in sorted(taken_files):
        report.errors.append(
            RowError(
                seen_files[file_number],
                LABELS["file_number"],
                _("Another member has this member file number."),
            )
        )
    report.errors.sort(key=lambda e: (e.row, e.column))
    if report.errors:
        return report
    with transaction.atomic():
        for member in members:
            member.full_name_folded = fold(member.full_name)
        Member.objects.bulk_create(members, batch_size=1000)
        record(
            actor=actor,
            verb="member.import",
            target=unit,
            data={"rows": report.rows, "created": len(members)},
        )
    report.created = len(members)
    return report


#: The 14 columns of the member list, Mẫu 7-HSĐV (vn-rules.md §6.4).
FORM_7_COLUMNS = (
    "Số TT",
    "Họ và tên (đang dùng; khai sinh)",
    "Nam/nữ, dân tộc, tôn giáo",
    "Quê quán",
    "Văn hóa, lý luận, chuyên môn nghiệp vụ, ngoại ngữ",
    "Nghề nghiệp trước khi vào Đảng / hiện nay",
    "Ngày vào Đảng, ngày chính thức",
    "Số thẻ đảng viên, số lý lịch, số Huy hiệu Đảng",
    "Bộ đội, công an, hưu trí",
    "Ngày chuyển đi, đến đảng bộ cơ sở",
    "Ngày chuyển đến, từ đảng bộ cơ sở",
    "Ngày từ trần",
    "Ngày ra khỏi Đảng, hình thức",
    "Ghi chú",
)


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _joined(*parts: Any) -> str:
    return "; ".join(str(p) for p in parts if p)


def form_7_row(number: int, m: Member) -> list[str | int]:
    """One member as a line of Mẫu 7-HSĐV."""
    return [
        number,
        _joined(m.full_name, m.birth_name),
        _joined(m.get_gender_display(), m.ethnicity, m.religion),
        m.home_town,
        _joined(
            m.education,
            m.get_theory_display() if m.theory else "",
            m.professional,
            m.foreign_language,
        ),
        " / ".join([m.occupation_before, m.occupation]) if m.occupation_before else m.occupation,
        _joined(_day(m.admitted_on), _day(m.official_on)),
        _joined(m.card_number, m.file_number, m.badge),
        m.get_service_display() if m.service else "",
        _joined(_day(m.transferred_out_on), m.transferred_out_to),
        _joined(_day(m.transferred_in_on), m.transferred_in_from),
        _day(m.died_on),
        _joined(_day(m.left_on), m.get_leaving_form_display() if m.leaving_form else ""),
        m.note,
    ]


def _watermark(user: Any) -> str:
    """Who exported the list and when (the line every export carries)."""
    name_of = getattr(user, "full_name", "")
    who = f"{name_of} ({user.get_username()})" if name_of else user.get_username()
    return str(
        _("Internal. Exported by %(who)s at %(at)s. Do not copy.")
        % {"who": who, "at": timezone.localtime().strftime("%H:%M %d/%m/%Y")}
    )


def members_xlsx(
    *,
    user: Any,
    unit: Unit,
    state: str = "",
    name: str = "",
    admitted_year: int | None = None,
) -> bytes:
    """The member list of ``unit``'s subtree that ``user`` may see, in the columns of
    Mẫu 7-HSĐV, watermarked with who exported it and when; the export is audited."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    members = member_list(
        user=user, unit=unit, state=state, name=name, admitted_year=admitted_year
    ).order_by("unit__path", "full_name_folded", "pk")
    mark = _watermark(user)
    book = Workbook()
    sheet = book.active
    sheet.title = "mau-7"
    sheet.append([f"SỔ DANH SÁCH ĐẢNG VIÊN: {unit.name}"])
    sheet.append([mark])
    sheet["A2"].font = Font(italic=True, color="C00000")
    sheet.append(list(FORM_7_COLUMNS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    count = 0
    for count, member in enumerate(members.iterator(chunk_size=2000), start=1):
        sheet.append(form_7_row(count, member))
    sheet.oddHeader.center.text = mark
    sheet.oddFooter.center.text = "&P / &N"
    sheet.print_title_rows = "3:3"
    with transaction.atomic():
        record(
            actor=user,
            verb="member.export",
            target=unit,
            data={
                "rows": count,
                "filters": {
                    k: v
                    for k, v in {"state": state, "name": name, "year": admitted_year}.items()
                    if v
                },
            },
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string: letters, digits and plain punctuation as they
    are, anything else as a CSS escape (a name cannot break out of the stylesheet)."""
    kept = " .,:/()"
    return '"' + "".join(c if c.isalnum() or c in kept else f"\\{ord(c):x} " for c in text) + '"'


def members_pdf(
    *,
    user: Any,
    unit: Unit,
    state: str = "",
    name: str = "",
    admitted_year: int | None = None,
) -> bytes:
    """The same list as ``members_xlsx`` printed on A4 landscape (WeasyPrint, local fonts):
    the 14 columns of Mẫu 7-HSĐV, the watermark at the top of every page and across it;
    the export is audited."""
    import weasyprint  # type: ignore[import-untyped]
    from django.template.loader import render_to_string

    from lienthong.documents.registers import font_faces

    members = member_list(
        user=user, unit=unit, state=state, name=name, admitted_year=admitted_year
    ).order_by("unit__path", "full_name_folded", "pk")
    mark = _watermark(user)
    rows = [form_7_row(n, m) for n, m in enumerate(members.iterator(chunk_size=2000), start=1)]
    html = render_to_string(
        "records/form_7_pdf.html",
        {
            "unit": unit,
            "columns": FORM_7_COLUMNS,
            "rows": rows,
            "mark": mark,
            "mark_css": _css_string(mark),
            "font_faces": font_faces(),
        },
    )
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    with transaction.atomic():
        record(
            actor=user,
            verb="member.export",
            target=unit,
            data={"rows": len(rows), "format": "pdf"},
        )
    return data
