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
