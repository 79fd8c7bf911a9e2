"""Tests of the registers of NĐ 30 Phụ lục IV and the handling reports (issue #4, scope 5)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook
from PIL import Image

from lienthong.core.choices import Clearance
from lienthong.core.errors import InvalidInput
from lienthong.documents.choices import Direction, DocumentState, HandlingRole
from lienthong.documents.registers import (
    HANDLING_COLUMNS,
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    handling_report,
    register_pdf,
    register_sheet,
    register_xlsx,
)
from lienthong.documents.tests.register_helpers import (
    assign,
    issued,
    profile,
    received,
    register,
)

D = dt.date
JAN_1, DEC_31 = D(2026, 1, 1), D(2026, 12, 31)
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")


@dataclass
class Books:
    """A commune committee's registers and a few documents in them."""

    world: Any
    outgoing: Any
    incoming: Any
    resolution: Any
    letter: Any
    on_time: Any
    late: Any
    overdue: Any
    still_open: Any


@pytest.fixture
def books(world: Any) -> Books:
    """GIVEN Đảng ủy phường Hoàn Kiếm with an outgoing and an incoming register in 2026:
    two outgoing documents (and one of 2025, one "Mật"), four incoming documents handled
    on time, late, not at all past the deadline, and not yet due."""
    unit, clerk = world.commune_a1, world.clerk_a1
    profile(unit, issuer_code="ĐU")
    out = register(unit)
    inc = register(unit, direction=Direction.INCOMING, name="Sổ văn bản đến")
    issued(unit, clerk, out, number=9, notation="NQ/ĐU", on=D(2025, 12, 30))
    resolution = issued(
        unit,
        clerk,
        out,
        number=1,
        notation="NQ/ĐU",
        on=D(2026, 3, 5),
        subject="về công tác cán bộ năm 2026",
        signer_name="Nguyễn Thị Hằng",
        copies=12,
        recipients=("Ban Thường vụ Tỉnh ủy", "Lưu VT"),
    )
    letter = issued(
        unit,
        clerk,
        out,
        number=2,
        notation="CV/ĐU",
        on=D(2026, 3, 9),
        type_name="Công văn",
        subject="V/v báo cáo quý I",
        due_date=D(2026, 3, 31),
    )
    issued(
        unit,
        clerk,
        out,
        number=1,
        notation="KH/ĐU",
        on=D(2026, 3, 10),
        type_name="Kế hoạch",
        classification=Clearance.CONFIDENTIAL,
        subject="kế hoạch mật",
    )
    province = "Tỉnh ủy Hà Nội"
    on_time = received(
        unit,
        clerk,
        inc,
        arrival_number=1,
        arrived=D(2026, 2, 2),
        issuer_name=province,
        number=120,
        notation="CV/TU",
        issued_on=D(2026, 1, 30),
        subject="V/v rà soát đảng viên",
    )
    assign(
        on_time,
        assignee=world.clerk_a1,
        by=world.leader_a,
        deadline=D(2026, 2, 10),
        progress="Đã rà soát xong",
        done_on=D(2026, 2, 9),
    )
    late = received(
        unit,
        clerk,
        inc,
        arrival_number=2,
        arrived=D(2026, 2, 3),
        issuer_name=province,
        number=45,
        notation="HD/TU",
        issued_on=D(2026, 2, 1),
        type_name="Hướng dẫn",
        subject="về đại hội chi bộ",
    )
    assign(
        late,
        assignee=world.clerk_a1,
        by=world.leader_a,
        deadline=D(2026, 2, 5),
        done_on=D(2026, 2, 20),
    )
    overdue = received(
        unit,
        clerk,
        inc,
        arrival_number=3,
        arrived=D(2026, 3, 1),
        issuer_name="Ban Tổ chức Tỉnh ủy",
        number=7,
        notation="CV/BTCTU",
        issued_on=D(2026, 2, 27),
        due_date=D(2026, 3, 10),
        state=DocumentState.ASSIGNED,
    )
    assign(overdue, assignee=world.clerk_a1, by=world.leader_a, deadline=D(2026, 3, 10))
    assign(overdue, assignee=world.clerk_a2, by=world.leader_a, role=HandlingRole.CO)
    still_open = received(
        unit,
        clerk,
        inc,
        arrival_number=4,
        arrived=D(2026, 3, 20),
        issuer_name=province,
        number=300,
        notation="CV/TU",
        issued_on=D(2026, 3, 18),
        due_date=D(2026, 4, 30),
    )
    # The answer to the on-time letter: an outgoing document that answers it.
    reply = issued(
        unit, clerk, out, number=3, notation="BC/ĐU", on=D(2026, 2, 9), type_name="Báo cáo"
    )
    reply.answers = on_time
    reply.save()
    return Books(world, out, inc, resolution, letter, on_time, late, overdue, still_open)


def _sheet(books: Books, kind: str, user: Any = None, **kw: Any) -> Any:
    return register_sheet(
        user=user or books.world.clerk_a1,
        unit=books.world.commune_a1,
        kind=kind,
        date_from=kw.pop("date_from", JAN_1),
        date_to=kw.pop("date_to", DEC_31),
        today=D(2026, 3, 25),
        **kw,
    )


# --- Rows -------------------------------------------------------------------------------


def test_outgoing_register_lists_the_period_in_number_order(books: Books) -> None:
    """
    GIVEN the outgoing register of 2026 (plus a 2025 document and a "Mật" one)
    WHEN the clerk (no clearance) reads the register for 2026
    THEN the ten legal columns come in order, the 2025 and classified documents are left
         out, and the resolution's row carries its number, date, type and subject, signer,
         recipients, copies and date of dispatch.
    """
    sheet = _sheet(books, "outgoing")
    assert sheet.columns == OUTGOING_COLUMNS
    assert len(sheet.columns) == 10
    assert [row[0] for row in sheet.rows] == ["03-BC/ĐU", "01-NQ/ĐU", "02-CV/ĐU"]
    row = sheet.rows[1]
    assert row == (
        "01-NQ/ĐU",
        "05/03/2026",
        "Nghị quyết: về công tác cán bộ năm 2026",
        "Nguyễn Thị Hằng",
        "Ban Thường vụ Tỉnh ủy; Lưu VT",
        "Văn thư Hoàn Kiếm",
        "12",
        "05/03/2026",
        "",
        "",
    )
    assert sheet.header_lines == [
        "Năm: 2026",
        "Từ ngày 01/01/2026 đến ngày 31/12/2026",
        "Từ số 01 đến số 03",
        "Quyển số: …………",
    ]


def test_a_leader_with_clearance_sees_the_classified_document(books: Books) -> None:
    """
    GIVEN a "Mật" plan in the outgoing register
    WHEN the provincial leader (clearance "mật", scope over the commune) reads it
    THEN the plan is listed.
    """
    sheet = _sheet(books, "outgoing", user=books.world.leader_a)
    assert "01-KH/ĐU" in [row[0] for row in sheet.rows]


def test_a_reader_outside_the_scope_sees_no_row(books: Books) -> None:
    """
    GIVEN the commune's registers
    WHEN the clerk of a commune in another province reads them
    THEN every register is empty.
    """
    for kind in ("outgoing", "incoming", "handling"):
        assert _sheet(books, kind, user=books.world.clerk_b1).rows == []


def test_incoming_register_rows(books: Books) -> None:
    """
    GIVEN four incoming documents of 2026
    WHEN the incoming register is read for February
    THEN the ten legal columns come in order and the first row has the arrival date and
         number, the author, the number and date, type and subject, the handler and the
         date it was passed on.
    """
    sheet = _sheet(books, "incoming", date_from=D(2026, 2, 1), date_to=D(2026, 2, 28))
    assert sheet.columns == INCOMING_COLUMNS
    assert [row[1] for row in sheet.rows] == ["01", "02"]
    first = sheet.rows[0]
    assert first[:7] == (
        "02/02/2026",
        "01",
        "Tỉnh ủy Hà Nội",
        "120-CV/TU",
        "30/01/2026",
        "Công văn: V/v rà soát đảng viên",
        "Văn thư Hoàn Kiếm",
    )
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", first[7])


def test_handling_register_rows(books: Books) -> None:
    """
    GIVEN the four incoming documents, handled in different ways
    WHEN the handling register is read on 25 March 2026
    THEN its seven legal columns come in order; the done one shows its close date and its
         answer's number, the overdue one says so and names lead and co-handler.
    """
    with translation.override("en"):  # the progress words are UI text (msgids)
        sheet = _sheet(books, "handling")
    assert sheet.columns == HANDLING_COLUMNS
    rows = {row[0]: row for row in sheet.rows}
    assert rows["01"][1] == "Công văn, số 120-CV/TU, ngày 30/01/2026, Tỉnh ủy Hà Nội"
    assert rows["01"][3] == "10/02/2026"
    assert rows["01"][4] == "Done on 09/02/2026"
    assert rows["01"][5] == "03-BC/ĐU"
    assert rows["03"][4].startswith("Overdue")
    assert rows["03"][2].startswith("Văn thư Hoàn Kiếm (lead); Văn thư Cửa Nam")
    assert rows["04"][4] == "Not started"


def test_a_period_that_ends_before_it_starts_is_refused(books: Books) -> None:
    """
    GIVEN the registers
    WHEN a period from 31/12 to 01/01 is asked
    THEN it is refused with a clear message.
    """
    with pytest.raises(InvalidInput, match="period"):
        _sheet(books, "outgoing", date_from=DEC_31, date_to=JAN_1)


# --- Report -------------------------------------------------------------------------------


def test_incoming_handling_report_counts(books: Books) -> None:
    """
    GIVEN four incoming documents: done on time, done late, overdue, not yet due
    WHEN the report "tình hình giải quyết văn bản đến" is made on 25 March 2026
    THEN it counts one of each.
    """
    report = handling_report(
        user=books.world.clerk_a1,
        unit=books.world.commune_a1,
        direction="incoming",
        date_from=JAN_1,
        date_to=DEC_31,
        on=D(2026, 3, 25),
    )
    counts = {k: report[k] for k in ("total", "done_on_time", "done_late", "overdue", "open")}
    assert counts == {"total": 4, "done_on_time": 1, "done_late": 1, "overdue": 1, "open": 1}


def test_outgoing_handling_report_counts(books: Books) -> None:
    """
    GIVEN three visible outgoing documents of 2026, one with an answer due on 31/03
    WHEN the report "tình hình giải quyết văn bản đi" is made on 1 April 2026
    THEN that one is overdue (no answer came) and the two others need no answer.
    """
    report = handling_report(
        user=books.world.clerk_a1,
        unit=books.world.commune_a1,
        direction="outgoing",
        date_from=JAN_1,
        date_to=DEC_31,
        on=D(2026, 4, 1),
    )
    assert (report["total"], report["overdue"], report["untracked"]) == (3, 1, 2)


# --- XLSX ---------------------------------------------------------------------------------


def _header_row(ws: Any, first: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == first:
            return int(row[0].row)
    raise AssertionError(f"no header row starting {first!r}")


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("outgoing", OUTGOING_COLUMNS),
        ("incoming", INCOMING_COLUMNS),
        ("handling", HANDLING_COLUMNS),
    ],
)
def test_xlsx_export_has_the_legal_columns_and_the_rows(
    books: Books, kind: str, columns: tuple[str, ...]
) -> None:
    """
    GIVEN a register of 2026
    WHEN it is exported to XLSX and read back with openpyxl
    THEN the header block comes first, the header row is the legal columns in order,
         and the data rows hold the documents' values.
    """
    sheet = _sheet(books, kind)
    data = register_xlsx(sheet)

    ws = load_workbook(io.BytesIO(data)).active
    header = _header_row(ws, columns[0])
    assert tuple(c.value for c in ws[header]) == columns
    assert ws.cell(row=2, column=1).value == sheet.title
    block = [ws.cell(row=r, column=1).value for r in range(3, 7)]
    assert block == sheet.header_lines
    first_data = tuple(c.value or "" for c in ws[header + 2])
    assert first_data == sheet.rows[0]
    assert ws.page_setup.orientation == "landscape"


def test_xlsx_export_with_the_report_sheet(books: Books) -> None:
    """
    GIVEN the incoming register and its report
    WHEN both are exported to one workbook
    THEN the second sheet holds the report's title and counts.
    """
    report = handling_report(
        user=None,
        unit=books.world.commune_a1,
        direction="incoming",
        date_from=JAN_1,
        date_to=DEC_31,
        on=D(2026, 3, 25),
    )
    workbook = load_workbook(io.BytesIO(register_xlsx(_sheet(books, "incoming"), report=report)))
    ws = workbook.worksheets[1]
    assert ws["A1"].value == "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN"
    assert [ws.cell(row=r, column=2).value for r in range(4, 10)] == [4, 1, 1, 1, 1, 0]


# --- PDF ----------------------------------------------------------------------------------


def _pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    )
    return " ".join(result.stdout.split())


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (pdftoppm, pdftotext)")
@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("outgoing", OUTGOING_COLUMNS),
        ("incoming", INCOMING_COLUMNS),
        ("handling", HANDLING_COLUMNS),
    ],
)
def test_pdf_export_prints_the_legal_columns_in_vietnamese(
    books: Books, tmp_path: Path, kind: str, columns: tuple[str, ...]
) -> None:
    """
    GIVEN a register of 2026
    WHEN it is exported to PDF
    THEN the text layer has the title, the header block and every legal column header in
         order, diacritics intact, and the documents' numbers.
    """
    sheet = _sheet(books, kind)
    path = tmp_path / f"{kind}.pdf"
    register_pdf(sheet, path)

    text = _pdf_text(path)
    assert sheet.title in text
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in text
    position = 0
    for title in columns:
        found = text.find(title, position)
        assert found >= 0, f"{title!r} missing or out of order"
        position = found + len(title)
    assert "120-CV/TU" in text if kind != "outgoing" else "01-NQ/ĐU" in text


def _dark(image: Any) -> int:
    """How many pixels of a greyscale image are dark (ink, not paper)."""
    return int(sum(image.histogram()[:100]))


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (pdftoppm, pdftotext)")
def test_pdf_page_renders_as_a_landscape_register(books: Books, tmp_path: Path) -> None:
    """
    GIVEN the outgoing register exported to PDF
    WHEN page 1 is rendered to PNG at 60 dpi (pdftoppm)
    THEN the page is A4 landscape, mostly white paper, with dark text and rules in the
         table region (the middle band of the page) and a centred title at the top.
    """
    path = tmp_path / "register.pdf"
    register_pdf(_sheet(books, "outgoing"), path)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    width, height = image.size
    assert width > height
    assert abs(width / height - 297 / 210) < 0.02
    assert _dark(image) / (width * height) < 0.2  # mostly white paper
    assert sum(image.histogram()[200:]) / (width * height) > 0.7
    band = image.crop((0, int(height * 0.25), width, int(height * 0.6)))
    assert _dark(band) > 500  # the table's rules and text
    title = image.crop((int(width * 0.3), 0, int(width * 0.7), int(height * 0.15)))
    assert _dark(title) > 50
    left_margin = image.crop((0, 0, int(width * 0.05), height))
    assert _dark(left_margin) == 0


# --- Command ----------------------------------------------------------------------------------


def test_export_register_command_writes_xlsx_and_pdf(books: Books, tmp_path: Path) -> None:
    """
    GIVEN the commune's registers
    WHEN `lienthong export_register` runs for the outgoing (XLSX, with the report) and the
         handling register (PDF), with the clerk's scope
    THEN both files are written and the JSON summary counts the rows.
    """
    unit = books.world.commune_a1
    xlsx = tmp_path / "di.xlsx"
    out = io.StringIO()
    call_command(
        "export_register",
        "--unit",
        str(unit.pk),
        "--direction",
        "outgoing",
        "--from",
        "2026-01-01",
        "--to",
        "31/12/2026",
        "--format",
        "xlsx",
        "--out",
        str(xlsx),
        "--user",
        books.world.clerk_a1.username,
        "--with-report",
        "--json",
        stdout=out,
    )
    assert '"rows": 3' in out.getvalue()
    workbook = load_workbook(xlsx)
    assert len(workbook.worksheets) == 2
    pdf = tmp_path / "theo-doi.pdf"
    call_command(
        "export_register",
        "--unit",
        str(unit.pk),
        "--direction",
        "handling",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--out",
        str(pdf),
        stdout=io.StringIO(),
    )
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--unit": "999999"}, "no such unit"),
        ({"--from": "30/02/2026"}, "not a date"),
        ({"--from": "2026-12-31", "--to": "2026-01-01"}, "period starts after it ends"),
        ({"--out": "/nonexistent/x.xlsx"}, "no such folder"),
        ({"--user": "nobody"}, "no such user"),
    ],
)
def test_export_register_command_refuses_bad_input(
    books: Books, tmp_path: Path, changes: dict[str, str], message: str
) -> None:
    """
    GIVEN the commune's registers
    WHEN the command gets an unknown unit, a bad date, an inverted period, a missing
         folder or an unknown user
    THEN it stops with a one-line reason and writes nothing.
    """
    target = tmp_path / "x.xlsx"
    options = {
        "--unit": str(books.world.commune_a1.pk),
        "--direction": "incoming",
        "--from": "2026-01-01",
        "--to": "2026-12-31",
        "--out": str(target),
        **changes,
    }
    args = [item for pair in options.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("export_register", *args, stdout=io.StringIO())
    assert not target.exists()


def test_export_register_command_hides_a_unit_outside_the_users_scope(
    books: Books, tmp_path: Path
) -> None:
    """
    GIVEN a clerk of another province
    WHEN they export the commune's register
    THEN the unit is answered as unknown.
    """
    with pytest.raises(CommandError, match="no such unit"):
        call_command(
            "export_register",
            "--unit",
            str(books.world.commune_a1.pk),
            "--direction",
            "outgoing",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            str(tmp_path / "x.pdf"),
            "--user",
            books.world.clerk_b1.username,
        )
