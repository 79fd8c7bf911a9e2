"""Printable ballots (issue #6 scope 2): both forms, the names in ballot order,
registration marks in the corners, and every copy alike."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lienthong.elections.ballots import ballot_pdf
from lienthong.elections.collation import ballot_order

NAMES = ballot_order(["Trần Thị Bình", "Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dũng"])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        import os

        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (poppler-utils) is missing in CI")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def _pages_text(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "ballot.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [page for page in text.split("\f") if page.strip()]


def test_a_strike_out_ballot_lists_the_names_in_ballot_order(tmp_path: Path) -> None:
    """GIVEN 4 names for 3 seats, 3 copies
    THEN 3 identical pages, the names numbered in ballot order (An, Bình, Cường, Dũng),
    the strike-out instruction, no agree/disagree columns."""
    pdf = ballot_pdf(
        congress="Đại hội Đảng bộ xã lần thứ I",
        election="Bầu Ban Chấp hành Đảng bộ xã",
        round_number=1,
        names=NAMES,
        seats=3,
        copies=3,
    )
    pages = _pages_text(pdf, tmp_path)

    assert len(pages) == 3 and pages[0] == pages[1] == pages[2]
    text = pages[0]
    positions = [text.index(name) for name in NAMES]
    assert positions == sorted(positions)
    assert NAMES == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dũng"]
    assert "PHIẾU BẦU CỬ" in text and "Gạch ngang cả họ và tên" in text
    assert "Bầu 3 người trong 4 người" in text and "Đồng ý" not in text


def test_a_ballot_without_surplus_has_agree_and_disagree_boxes(tmp_path: Path) -> None:
    pdf = ballot_pdf(
        congress="Hội nghị Ban Chấp hành lần thứ nhất",
        election="Bầu Bí thư",
        round_number=2,
        names=["Nguyễn Văn An"],
        seats=1,
    )
    (text,) = _pages_text(pdf, tmp_path)
    assert "Đồng ý" in text and "Không đồng ý" in text and "Lần bầu thứ 2" in text


def test_the_corners_carry_registration_marks(tmp_path: Path) -> None:
    """GIVEN a ballot rendered at 100 dpi THEN each corner region holds a solid dark
    square (the marks a scanner deskews by), and the page centre's margins are white."""
    from PIL import Image

    path = tmp_path / "ballot.pdf"
    path.write_bytes(
        ballot_pdf(congress="Đại hội", election="Bầu", round_number=1, names=NAMES, seats=3)
    )
    subprocess.run(
        [_tool("pdftoppm"), "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size
    box = 60  # about 15 mm at 100 dpi from each corner

    def dark_share(left: int, top: int) -> float:
        region = image.crop((left, top, left + box, top + box))
        return sum(region.histogram()[:80]) / (box * box)

    corners = [(0, 0), (width - box, 0), (0, height - box), (width - box, height - box)]
    assert all(dark_share(x, y) > 0.1 for x, y in corners)
    assert dark_share(width // 2 - box // 2, 0) < 0.01


@pytest.mark.parametrize(
    ("count", "seats", "page", "columns"),
    [(1, 1, "A5", 1), (15, 12, "A5", 1), (16, 12, "A4", 1), (26, 26, "A4", 1), (65, 55, "A4", 2)],
)
def test_the_layout_fits_every_line_on_one_sheet(
    count: int, seats: int, page: str, columns: int
) -> None:
    """GIVEN 1 to 65 names THEN the sheet grows from A5 to A4 to two columns of A4, every
    line lies inside the body, above the bottom marks, no two lines overlap, and the
    boxes come only when names = seats (§A1)."""
    from lienthong.elections.layout import ballot_layout

    names = [f"Người {i}" for i in range(count)]
    layout = ballot_layout(names, seats)

    assert (layout.page, layout.columns) == (page, columns)
    assert layout.boxes == (count == seats)
    assert [row.number for row in layout.rows] == list(range(1, count + 1))
    assert layout.row_height >= 5.5
    bottom_marks = min(mark.y for mark in layout.marks[2:])
    for row in layout.rows:
        assert layout.body.x <= row.rect.x and row.rect.right <= layout.body.right
        assert layout.body.y <= row.rect.y and row.rect.bottom <= layout.body.bottom
        assert row.rect.bottom < bottom_marks
        assert (row.agree is not None) == layout.boxes
    for a, b in zip(layout.rows, layout.rows[1:], strict=False):
        apart = a.rect.bottom <= b.rect.y or a.rect.right <= b.rect.x
        assert apart, (a.number, b.number)


def test_a_provincial_list_is_printed_in_two_columns(tmp_path: Path) -> None:
    """GIVEN 65 names for 55 seats (a provincial congress) THEN one A4 page holding every
    name; more names than a sheet holds are refused."""
    from lienthong.elections.layout import MAX_NAMES

    names = [f"Nguyễn Văn Người {i:02d}" for i in range(65)]
    pdf = ballot_pdf(congress="Đại hội", election="Bầu", round_number=1, names=names, seats=55)
    (text,) = _pages_text(pdf, tmp_path)
    assert all(name in text for name in names)
    assert "Bầu 55 người trong 65 người" in text
    with pytest.raises(ValueError, match="at most"):
        ballot_pdf(
            congress="Đại hội",
            election="Bầu",
            round_number=1,
            names=[f"Người {i}" for i in range(MAX_NAMES + 1)],
            seats=3,
        )
