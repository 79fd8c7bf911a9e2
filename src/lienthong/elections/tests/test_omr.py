"""Reading scanned ballots (issue #6 scope 4; vote-rules.md §A1, §A2, §B6): both forms
read exactly from hand-placed marks, turned, upside down and at 150 dpi; partial strokes,
stray marks and other pages go to the board; a PDF of two pages is two ballots; and on
generated scans no certain reading is ever wrong."""

from __future__ import annotations

import importlib.util
import io
import math
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from lienthong.elections import omr
from lienthong.elections.tally import Ballot

ROOT = Path(__file__).resolve().parents[4]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đỗ Văn Đức"]
BOX_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]
BLACK, BLUE = (25, 25, 25), (150, 60, 20)


def _scans_module() -> Any:
    """``scripts/ballot_scans.py``, the generator of synthetic scans."""
    if "ballot_scans" in sys.modules:
        return sys.modules["ballot_scans"]
    spec = importlib.util.spec_from_file_location(
        "ballot_scans", ROOT / "scripts" / "ballot_scans.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ballot_scans"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def strike() -> Any:
    """The generator of a strike-out ballot: 5 names, 3 seats (A5)."""
    return _scans_module().Generator(names=NAMES, seats=3)


@pytest.fixture(scope="module")
def boxes() -> Any:
    """The generator of a ballot without surplus: 4 names, 4 seats (A5, boxes)."""
    return _scans_module().Generator(names=BOX_NAMES, seats=4)


def _draw(page: np.ndarray, points: list[tuple[float, float]], dpi: int, width: float) -> None:
    ppmm = dpi / 25.4
    pts = np.array([(round(x * ppmm), round(y * ppmm)) for x, y in points], dtype=np.int32)
    cv2.polylines(page, [pts], isClosed=False, color=BLUE, thickness=max(1, round(width * ppmm)))


def _strike_row(gen: Any, page: np.ndarray, index: int, dpi: int, *, share: float = 1.0) -> None:
    """A slightly slanted line through name ``index`` (all of it, or its first ``share``)."""
    row = gen.layout.rows[index]
    t0, t1 = gen.text[index]
    y = row.rect.y + row.rect.h / 2
    end = t1 + 3 if share >= 1 else t0 + (t1 - t0) * share
    _draw(page, [(t0 - 3, y + 0.8), (end, y - 0.6)], dpi, 0.5)


def _cross(page: np.ndarray, rect: Any, dpi: int) -> None:
    for a, b in (((0.2, 0.2), (0.8, 0.8)), ((0.8, 0.2), (0.2, 0.8))):
        _draw(
            page,
            [
                (rect.x + rect.w * a[0], rect.y + rect.h * a[1]),
                (rect.x + rect.w * b[0], rect.y + rect.h * b[1]),
            ],
            dpi,
            0.4,
        )


def _scan(page: np.ndarray, *, angle: float = 0.0, dpi: int, fmt: str = ".png") -> bytes:
    """The page on a scanner: a white margin around it, turned by ``angle`` degrees."""
    pad = round(10 * dpi / 25.4)
    page = cv2.copyMakeBorder(page, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(245,) * 3)
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(page, matrix, (w, h), borderValue=(245, 245, 245))
    ok, data = cv2.imencode(fmt, turned)
    assert ok
    return bytes(data.tobytes())


def test_a_strike_out_ballot_reads_the_kept_names_exactly(strike: Any) -> None:
    """GIVEN names 2 and 4 struck through (of 5, 3 seats), scanned at 200 dpi
    WHEN read THEN certain, kept = names 1, 3, 5, and the tally's ballot record says so."""
    page = strike.page(200)
    _strike_row(strike, page, 1, 200)
    _strike_row(strike, page, 3, 200)
    reading = omr.read_ballot(_scan(page, dpi=200), form=strike.form)

    assert reading.certain, reading.reasons
    assert reading.form == "strike"
    assert reading.kept == (NAMES[0], NAMES[2], NAMES[4])
    assert [row.decision for row in reading.rows] == ["kept", "struck", "kept", "struck", "kept"]
    assert reading.boxes is None
    assert reading.ballot() == Ballot(count=1, kept=(NAMES[0], NAMES[2], NAMES[4]))


@pytest.mark.parametrize(("angle", "dpi"), [(3.5, 150), (-2.0, 300), (180.6, 200)])
def test_turned_low_and_high_resolution_and_upside_down_scans_read_alike(
    strike: Any, angle: float, dpi: int
) -> None:
    """GIVEN names 1 and 5 struck, scanned turned 3.5° at 150 dpi, -2° at 300 dpi, or
    upside down, as JPEG THEN each reads kept = names 2, 3, 4 with the page's skew."""
    page = strike.page(dpi)
    _strike_row(strike, page, 0, dpi)
    _strike_row(strike, page, 4, dpi)
    reading = omr.read_ballot(_scan(page, angle=angle, dpi=dpi, fmt=".jpg"), form=strike.form)

    assert reading.certain, reading.reasons
    assert reading.kept == (NAMES[1], NAMES[2], NAMES[3])
    assert reading.skew_degrees is not None
    turned = (reading.skew_degrees + angle + 180) % 360 - 180
    assert abs(turned) < 0.5 or abs(abs(turned) - 180) < 0.5


def test_a_partly_struck_name_goes_to_the_board(strike: Any) -> None:
    """GIVEN name 3 struck over its first half only (§A2: partly struck goes to the board)
    THEN the reading is not certain, line 3 is unsure ("partial stroke"), the others read."""
    page = strike.page(200)
    _strike_row(strike, page, 2, 200, share=0.5)
    _strike_row(strike, page, 0, 200)
    reading = omr.read_ballot(_scan(page, angle=1.0, dpi=200), form=strike.form)

    assert not reading.certain and reading.kept is None and reading.ballot() is None
    decisions = [row.decision for row in reading.rows]
    assert decisions == ["struck", "kept", "unsure", "kept", "kept"]
    assert reading.reasons == ("line 3: partial stroke",)
    assert 0.3 < reading.rows[2].score < 0.7


def test_writing_below_the_list_goes_to_the_board(strike: Any) -> None:
    """GIVEN a valid ballot with a word written under the list THEN unsure: a name written
    in or a special mark makes a ballot invalid (§A2), the board decides."""
    page = strike.page(200)
    _strike_row(strike, page, 1, 200)
    _strike_row(strike, page, 2, 200)
    bottom = strike.layout.rows[-1].rect.bottom
    _draw(page, [(40 + t, bottom + 15 + 2 * math.sin(t)) for t in range(30)], 200, 0.4)
    reading = omr.read_ballot(_scan(page, dpi=200), form=strike.form)

    assert not reading.certain
    assert any("extra ink outside the lines" in reason for reason in reading.reasons)
    assert [row.decision for row in reading.rows] == ["kept", "struck", "struck", "kept", "kept"]


def test_a_box_ballot_reads_agree_disagree_both_and_none(boxes: Any) -> None:
    """GIVEN rows marked agree, disagree, both and none (§A2: both and none are valid,
    that person gets no vote) THEN certain with exactly those four readings."""
    page = boxes.page(180)
    rows = boxes.layout.rows
    _cross(page, rows[0].agree, 180)
    _cross(page, rows[1].disagree, 180)
    _cross(page, rows[2].agree, 180)
    _cross(page, rows[2].disagree, 180)
    reading = omr.read_ballot(_scan(page, angle=-2.5, dpi=180, fmt=".jpg"), form=boxes.form)

    assert reading.certain, reading.reasons
    assert reading.form == "boxes" and reading.kept is None
    assert reading.boxes == {
        BOX_NAMES[0]: "agree",
        BOX_NAMES[1]: "disagree",
        BOX_NAMES[2]: "both",
        BOX_NAMES[3]: "none",
    }
    assert reading.ballot() == Ballot(count=1, boxes=reading.boxes)


def test_a_small_mark_in_a_box_goes_to_the_board(boxes: Any) -> None:
    """GIVEN a row with an X in "agree" and a short dash in "disagree" THEN that row is
    unsure, not "both"."""
    page = boxes.page(200)
    rows = boxes.layout.rows
    for row in rows:
        _cross(page, row.agree, 200)
    box = rows[1].disagree
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    _draw(page, [(cx, cy), (cx + 1.2, cy + 0.5)], 200, 0.4)
    reading = omr.read_ballot(_scan(page, dpi=200), form=boxes.form)

    assert not reading.certain
    assert [row.decision for row in reading.rows] == ["agree", "unsure", "agree", "agree"]


def test_another_rounds_ballot_is_not_read_as_this_one(strike: Any) -> None:
    """GIVEN a clean ballot printed with other names, read against this round's form
    THEN never certain."""
    other = _scans_module().Generator(
        names=["Hoàng Văn Em", "Vũ Thị Giang", "Bùi Văn Hải", "Ngô Thị Khánh", "Lý Văn Long"],
        seats=3,
    )
    reading = omr.read_ballot(_scan(other.page(200), dpi=200), form=strike.form)

    assert not reading.certain
    assert reading.kept is None


def test_a_blank_page_noise_and_garbage_give_clear_answers(strike: Any) -> None:
    """GIVEN a blank page, an image of noise, a tiny image, bytes that are no image
    THEN unsure "marks not found" for the pictures, ``OmrError`` for the rest."""
    blank = np.full((1200, 850), 255, np.uint8)
    noise = np.random.default_rng(1).integers(0, 256, (1200, 850), dtype=np.uint8)
    for image in (blank, noise):
        reading = omr.read_ballot(image, form=strike.form)
        assert not reading.certain
        assert reading.reasons == ("marks not found",)
        assert {row.decision for row in reading.rows} == {"unsure"}
    with pytest.raises(omr.OmrError):
        omr.read_ballot(b"not an image at all", form=strike.form)
    with pytest.raises(omr.OmrError):
        omr.read_ballot(b"", form=strike.form)
    with pytest.raises(omr.OmrError):
        omr.read_ballot(np.zeros((4, 4), np.uint8), form=strike.form)
    with pytest.raises(omr.OmrError):
        omr.scan_pages(b"%PDF-1.7 truncated")


def test_a_pdf_of_two_pages_reads_two_ballots(strike: Any) -> None:
    """GIVEN two scans saved as one PDF (a scanner's batch) THEN ``read_scans`` returns
    two readings, each with its own kept names."""
    from PIL import Image

    first, second = strike.page(150), strike.page(150)
    _strike_row(strike, first, 0, 150)
    _strike_row(strike, first, 1, 150)
    _strike_row(strike, second, 4, 150)
    _strike_row(strike, second, 3, 150)
    images = [Image.fromarray(cv2.cvtColor(page, cv2.COLOR_BGR2RGB)) for page in (first, second)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=150, save_all=True, append_images=images[1:])

    assert len(omr.scan_pages(out.getvalue())) == 2
    readings = omr.read_scans(out.getvalue(), form=strike.form)
    assert [r.kept for r in readings] == [tuple(NAMES[2:]), tuple(NAMES[:3])]
    with pytest.raises(omr.OmrError):
        omr.read_ballot(out.getvalue(), form=strike.form)


def test_names_and_seats_build_and_cache_the_form() -> None:
    """GIVEN no form, only the names and seats THEN the reader renders the clean ballot
    itself (cached) and reads a clean scan of it: every name kept."""
    gen = _scans_module().Generator(names=NAMES, seats=4)
    reading = omr.read_ballot(_scan(gen.page(200), dpi=200), names=NAMES, seats=4)

    assert reading.certain and reading.kept == tuple(NAMES)
    assert omr.ballot_form(names=NAMES, seats=4) is omr.ballot_form(names=NAMES, seats=4)
    with pytest.raises(ValueError, match="names and seats"):
        omr.read_ballot(gen.page(150))


@pytest.mark.parametrize("which", ["strike", "boxes"])
def test_no_certain_reading_of_generated_scans_is_wrong(which: str, request: Any) -> None:
    """GIVEN 25 generated scans of each form (strokes of varied angle, width and waves,
    partial strokes, ticks, writing, turned, noised, JPEG, 150-300 dpi)
    THEN every certain reading equals the truth, every ballot the truth sends to the board
    is unsure, and at most 2 of 25 clean ballots are sent to the board needlessly."""
    gen = request.getfixturevalue(which)
    rng = __import__("random").Random(20261123 + len(which))
    needless = 0
    for _ in range(25):
        scan = gen.scan(rng)
        reading = omr.read_ballot(scan.image, form=gen.form)
        truth = scan.truth
        if reading.certain:
            assert not truth["review"], truth
            assert {r.name: r.decision for r in reading.rows} == truth["decisions"], truth
        elif not truth["review"]:
            needless += 1
    assert needless <= 2
