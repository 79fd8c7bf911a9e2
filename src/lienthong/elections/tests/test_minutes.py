"""The counting minutes as a PDF (issue #6; vote-rules.md §A4 "Minutes contents" items
1-8): every figure, name and decision is in the text of the PDF, for a normal round, a
tie, a delegates round with alternates, and a one-name round that falls short."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from lienthong.elections.minutes import minutes_pdf
from lienthong.elections.tally import RULE_SETS, count, result_to_json, round_from_json

SIX = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
]
FIVE = SIX[:5]
BOARD = [
    {"name": "Đặng Văn Khoa", "role": "member"},
    {"name": "Bùi Thị Lan", "role": "chair"},
    {"name": "Cao Văn Minh", "role": "member"},
    {"name": "Đinh Thị Nga", "role": "member"},
]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (poppler-utils) is missing in CI")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def _minutes(
    tmp_path: Path, round_input: dict[str, Any], **fields: Any
) -> tuple[str, dict[str, Any], Path]:
    """The minutes of ``round_input`` as text (whitespace collapsed), its result, the file."""
    result = result_to_json(count(round_from_json(round_input)))
    arguments: dict[str, Any] = {
        "congress": "Đại hội Đảng bộ xã Tân Phong lần thứ I, nhiệm kỳ 2025-2030",
        "unit_name": "Đảng bộ xã Tân Phong",
        "held_on": date(2025, 7, 5),
        "place": "Tân Phong",
        "election_title": "Bầu Ban Chấp hành Đảng bộ xã khóa I",
        "round_number": 1,
        "rules_title": RULE_SETS["party-190-2024"].title,
        "board": BOARD,
        "round_input": round_input,
        "result": result,
        "decisions": [],
        "read_at": None,
    }
    arguments.update(fields)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(minutes_pdf(**arguments))
    raw = subprocess.run(
        [_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(raw.split()), result, path


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_a_normal_round_carries_every_figure_name_and_check(tmp_path: Path) -> None:
    """GIVEN a members' congress: 24 convened, 2 transferred and 1 absent with leave
    deducted (B = 21), 21 present and issued, 20 received, 5 invalid for four reasons,
    6 candidates for 5 seats, a 4-member board, one doubtful ballot decided
    WHEN the minutes are printed
    THEN the header, board, method, every figure of the base and of the ballots, each
    candidate's row in result order, the elected, the decision, the eight integrity
    checks (all passed), the rules, the reading time and a signature block per member
    are all in the text; the PDF is A4 and has no form fields."""
    round_input = {
        "rules": "party-190-2024",
        "body": "members",
        "election": "committee",
        "seats": 5,
        "convened": 24,
        "deductions": [
            {"reason": "transferred", "count": 2},
            {"reason": "absent-whole-congress", "count": 1},
        ],
        "present": 21,
        "issued": 21,
        "received": 20,
        "candidates": SIX,
        "ballots": [
            {"count": 12, "kept": FIVE},
            {"count": 3, "kept": ["Nguyễn Văn An", "Vũ Thị Giang"]},
            {"count": 2, "kept": SIX},
            {"count": 1, "kept": []},
            {"count": 1, "kept": FIVE, "stamped": False},
            {"count": 1, "kept": FIVE, "written_in": ["Đỗ Văn Tâm"]},
        ],
    }
    text, result, path = _minutes(
        tmp_path,
        round_input,
        decisions=[{"number": 7, "verdict": "valid", "reason": "Nét gạch phủ hết họ và tên"}],
        read_at=datetime(2025, 7, 5, 3, 35, tzinfo=UTC),
    )

    # 1. Header.
    assert "ĐẢNG BỘ XÃ TÂN PHONG BAN KIỂM PHIẾU" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM Tân Phong, ngày 05 tháng 7 năm 2025" in text
    assert "BIÊN BẢN KIỂM PHIẾU Bầu Ban Chấp hành Đảng bộ xã khóa I Lần bầu thứ 1" in text
    assert "Đại hội Đảng bộ xã Tân Phong lần thứ I, nhiệm kỳ 2025-2030" in text
    # 2. Board: the chair first.
    assert (
        "Đồng chí Bùi Thị Lan, trưởng ban Đồng chí Đặng Văn Khoa, ủy viên "
        "Đồng chí Cao Văn Minh, ủy viên Đồng chí Đinh Thị Nga, ủy viên"
    ) in text
    # 3. Method, seats and the list.
    assert "bỏ phiếu kín, gạch tên người không bầu" in text
    assert "Số lượng cần bầu 5 Số người trong danh sách bầu cử 6 Số dư 1" in text
    # 4. The base.
    assert "Số đảng viên được triệu tập 24" in text
    assert "Trừ: Đảng viên được giới thiệu sinh hoạt tạm thời ở đảng bộ khác 2" in text
    assert "Trừ: Vắng mặt suốt thời gian đại hội có lý do được cấp ủy triệu tập đồng ý 1" in text
    assert "Số làm căn cứ tính kết quả bầu cử (B) 21 Số đảng viên có mặt 21" in text
    # 5. Ballots, invalid by reason.
    assert result["invalid_by_reason"] == {
        "too_many_kept": 2,
        "all_crossed_out": 1,
        "not_official": 1,
        "written_in": 1,
        "extra_mark": 0,
    }
    assert (
        "Số phiếu phát ra 21 Số phiếu thu vào 20 Số phiếu hợp lệ 15 Số phiếu không hợp lệ 5"
    ) in text
    assert "Phiếu bầu quá số lượng người cần bầu 2" in text
    assert "Phiếu gạch xóa hết tên trong danh sách bầu cử 1" in text
    assert (
        "Phiếu không do Ban Kiểm phiếu phát ra hoặc không có dấu của cấp ủy triệu tập 1"
    ) in text
    assert "Phiếu ghi thêm tên người ngoài danh sách bầu cử 1" in text
    assert "Phiếu có ký hiệu riêng hoặc ghi thêm nội dung khác 0" in text
    # 6. Each candidate in result order, with the result's percentage strings.
    rows = [
        f"{i} {c['name']} {c['votes']} {c['percent_of_base']} {c['percent_of_valid']} "
        + ("Trúng cử" if c["elected"] else "Không trúng cử")
        for i, c in enumerate(result["candidates"], start=1)
    ]
    assert rows[0] == "1 Nguyễn Văn An 15 71.43 100.00 Trúng cử"
    assert rows[-1] == "6 Vũ Thị Giang 3 14.29 20.00 Không trúng cử"
    assert [text.index(row) for row in rows] == sorted(text.index(row) for row in rows)
    # 7. The elected in order, the decision, no complaint.
    elected = _between(text, "Danh sách người trúng cử (5 người", "VII.")
    assert [elected.index(name) for name in result["elected"]] == sorted(
        elected.index(name) for name in result["elected"]
    )
    assert "Ngang phiếu" not in text and "còn thiếu" not in text
    assert "Phiếu số Kết luận Lý do 7 Hợp lệ Nét gạch phủ hết họ và tên" in text
    assert "Không có khiếu nại về bầu cử" in text
    # The integrity checks.
    checks = _between(text, "IX. Kiểm tra số liệu", "Kết quả tính theo")
    assert checks.count("Đạt") == 8 and "Không đạt" not in checks
    for figures in (
        "21 ≤ 24",
        "24 - 3 = 21 > 0",
        "21 ≤ 21",
        "20 ≤ 21",
        "15 + 5 = 20",
        "5 = 5",
        "15 ≤ 15",
        "66 ≤ 5 x 15 = 75",
    ):
        assert figures in checks
    # 8. Rules, reading time (Hà Nội time), signatures for all four.
    assert "Quy chế bầu cử trong Đảng, QĐ 190-QĐ/TW (10/10/2024), Điều 30" in text
    assert "party-190-2024" in text
    assert "đọc trước Đại hội lúc 10 giờ 35 phút, ngày 05 tháng 7 năm 2025" in text
    signatures = text[text.rindex("BAN KIỂM PHIẾU") :]
    assert signatures.count("(Ký, ghi rõ họ tên)") == 4
    assert signatures.count("TRƯỞNG BAN") == 1 and signatures.count("ỦY VIÊN") == 3
    for member in BOARD:
        assert member["name"] in signatures
    info = subprocess.run(
        [_tool("pdfinfo"), str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert b"/AcroForm" not in path.read_bytes()


def test_a_tie_names_the_tied_and_the_seats_for_the_runoff(tmp_path: Path) -> None:
    """GIVEN three passers for two seats, Bình and Cường tied at 12 of a base of 20
    THEN the minutes elect An, name Bình and Cường as tied at 12 for 1 seat to vote
    again, and leave the reading time blank to fill in."""
    three = SIX[:3]
    text, result, _path = _minutes(
        tmp_path,
        {
            "body": "delegates",
            "election": "committee",
            "seats": 2,
            "convened": 20,
            "present": 20,
            "issued": 20,
            "received": 20,
            "candidates": three,
            "ballots": [
                {"count": 8, "kept": ["Nguyễn Văn An", "Trần Thị Bình"]},
                {"count": 8, "kept": ["Nguyễn Văn An", "Lê Văn Cường"]},
                {"count": 4, "kept": ["Trần Thị Bình", "Lê Văn Cường"]},
            ],
        },
    )

    assert result["status"] == "tie"
    assert "Số đại biểu được triệu tập 20" in text
    assert "Không có trường hợp nào được trừ 0" in text
    assert "1 Nguyễn Văn An 16 80.00 80.00 Trúng cử" in text
    assert "2 Trần Thị Bình 12 60.00 60.00 Ngang phiếu, bầu lại" in text
    assert "3 Lê Văn Cường 12 60.00 60.00 Ngang phiếu, bầu lại" in text
    assert "Danh sách người trúng cử (1 người, theo số phiếu): Nguyễn Văn An" in text
    assert (
        "Ngang phiếu: 2 người cùng được 12 phiếu ở vị trí cuối: Trần Thị Bình, Lê Văn Cường."
    ) in text
    assert "bầu lại trong số những người này để bầu 1 người" in text
    assert "lúc ....... giờ ....... phút" in text
    assert "Không có phiếu nào phải xem xét, kết luận" in text


@pytest.mark.parametrize("reading", ["r1", "r2"])
def test_a_delegates_round_lists_the_alternates_in_order(tmp_path: Path, reading: str) -> None:
    """GIVEN delegates to the higher congress: 4 seats, six passers (Giang 12, Em 11
    beyond the seats), Hải with no vote
    THEN under R1 the minutes list the four official delegates and Giang, Em as
    alternates 1 and 2 (replacement order); under R2 no alternate, the round says so."""
    seven = [*SIX, "Đỗ Văn Hải"]
    text, result, _path = _minutes(
        tmp_path,
        {
            "body": "delegates",
            "election": "delegates",
            "seats": 4,
            "convened": 20,
            "present": 20,
            "issued": 20,
            "received": 20,
            "candidates": seven,
            "options": {"alternates_reading": reading},
            "ballots": [
                {"count": 5, "kept": ["Nguyễn Văn An", "Trần Thị Bình", *SIX[2:4]]},
                {"count": 4, "kept": ["Nguyễn Văn An", "Trần Thị Bình", SIX[2], SIX[5]]},
                {"count": 3, "kept": ["Nguyễn Văn An", "Trần Thị Bình", SIX[3], SIX[4]]},
                {"count": 3, "kept": ["Nguyễn Văn An", "Trần Thị Bình", SIX[4], SIX[5]]},
                {"count": 1, "kept": ["Trần Thị Bình", SIX[3], SIX[4], SIX[5]]},
                {"count": 4, "kept": [SIX[2], SIX[3], SIX[4], SIX[5]]},
            ],
        },
        election_title="Bầu đại biểu đi dự Đại hội Đảng bộ huyện",
    )

    officials = ["Trần Thị Bình", "Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"]
    assert result["elected"] == officials
    listed = _between(text, "Danh sách đại biểu chính thức trúng cử (4 người", "VII.")
    assert [listed.index(name) for name in officials] == sorted(
        listed.index(name) for name in officials
    )
    assert "1 Trần Thị Bình 16 80.00 80.00 Trúng cử đại biểu chính thức" in text
    assert "7 Đỗ Văn Hải 0 0.00 0.00 Không trúng cử" in text
    if reading == "r1":
        assert result["alternates"] == ["Vũ Thị Giang", "Hoàng Văn Em"]
        assert "5 Vũ Thị Giang 12 60.00 60.00 Đại biểu dự khuyết (thứ 1)" in text
        assert "6 Hoàng Văn Em 11 55.00 55.00 Đại biểu dự khuyết (thứ 2)" in text
        alternates = _between(text, "đại biểu dự khuyết trúng cử (theo thứ tự thay thế)", "VII.")
        assert alternates.index("Vũ Thị Giang") < alternates.index("Hoàng Văn Em")
    else:
        assert result["alternates"] == []
        assert "5 Vũ Thị Giang 12 60.00 60.00 Không trúng cử" in text
        assert "Lần bầu này không bầu đại biểu dự khuyết" in text
        assert "dự khuyết (thứ" not in text


def test_a_one_name_round_shows_its_own_invalid_reason_and_the_shortfall(
    tmp_path: Path,
) -> None:
    """GIVEN one candidate for secretary, base 15: 7 agree, 4 disagree, 4 with both
    boxes ticked (invalid by default)
    THEN the minutes show the box form, the reason with its count, 7 of 15 not elected,
    one seat left for the congress to decide, and the reading applied."""
    name = "Lê Văn Hòa"
    text, result, _path = _minutes(
        tmp_path,
        {
            "body": "committee",
            "election": "secretary",
            "seats": 1,
            "convened": 15,
            "present": 15,
            "issued": 15,
            "received": 15,
            "candidates": [name],
            "ballots": [
                {"count": 7, "boxes": {name: "agree"}},
                {"count": 4, "boxes": {name: "disagree"}},
                {"count": 4, "boxes": {name: "both"}},
            ],
        },
        election_title="Bầu Bí thư Đảng ủy xã",
    )

    assert (result["valid"], result["invalid"], result["shortfall"]) == (11, 4, 1)
    assert "phiếu có ô “Đồng ý” và “Không đồng ý”" in text
    assert "Số ủy viên được triệu tập 15" in text
    assert "Phiếu bầu một người đánh dấu cả hai ô hoặc không đánh dấu ô nào 4" in text
    assert "1 Lê Văn Hòa 7 46.67 63.64 Không trúng cử" in text
    assert "Không có người trúng cử" in text
    assert "còn thiếu 1 người" in text
    assert "đánh dấu cả hai ô hoặc không đánh dấu ô nào là phiếu không hợp lệ" in text


def test_minutes_of_a_result_that_is_not_the_count_are_refused(tmp_path: Path) -> None:
    """GIVEN a result changed after the count, or a board without a chair
    THEN no minutes are printed."""
    round_input = {
        "seats": 1,
        "convened": 3,
        "present": 3,
        "issued": 3,
        "received": 3,
        "candidates": ["Nguyễn Văn An", "Trần Thị Bình"],
        "ballots": [{"count": 3, "kept": ["Nguyễn Văn An"]}],
    }
    result = result_to_json(count(round_from_json(round_input)))
    forged = {**result, "elected": ["Trần Thị Bình"]}
    common: dict[str, Any] = {
        "congress": "Đại hội",
        "unit_name": "Chi bộ",
        "held_on": date(2025, 7, 5),
        "place": "Tân Phong",
        "election_title": "Bầu Bí thư",
        "round_number": 1,
        "rules_title": RULE_SETS["party-190-2024"].title,
        "round_input": round_input,
        "decisions": [],
        "read_at": None,
    }
    with pytest.raises(ValueError, match="not what counting the round gives"):
        minutes_pdf(**common, board=BOARD, result=forged)
    with pytest.raises(ValueError, match="exactly one chair"):
        minutes_pdf(**common, board=[m for m in BOARD if m["role"] == "member"], result=result)
    with pytest.raises(ValueError, match="verdict"):
        minutes_pdf(
            **{**common, "decisions": [{"number": 1, "verdict": "maybe", "reason": ""}]},
            board=BOARD,
            result=result,
        )
