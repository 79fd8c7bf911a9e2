#!/usr/bin/env python3
"""Synthetic scans of Vietnamese official letters, with their register (issue #7).

Each letter is rendered with Liberation Serif (metric-compatible with Times New Roman,
the font NĐ 30 and HD 36 prescribe) at 200 dpi (NĐ 30 Phụ lục I), turned a little,
noised as a flatbed scanner does, and saved as PNG (or TIFF/JPEG). ``box`` writes a
folder of them with the register spreadsheet ``import_scans`` reads, and the text each
page holds (``truth.json``) to measure the character error rate of the OCR.

    .venv/bin/python scripts/letter_scans.py --out var/box --count 300
    .venv/bin/python scripts/letter_scans.py --out var/box --count 30 --small

``--small`` renders A6 pages of a few lines (fast to read; for tests). The same
``--seed`` gives the same files. The tests and ``bench/bench_intake.py`` import ``scan``,
``letter`` and ``box`` from this file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

# The renderer and the error rate live in the package (the demo uses them too).
from lienthong.documents.intake.samples import FONT, cer, scan

__all__ = ["FONT", "box", "cer", "letter", "scan"]

HEADS = [
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "THÀNH ỦY HÀ NỘI", "TU"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "TỈNH ỦY BẮC NINH", "TU"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY GIA LÂM", "HU"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY XÃ ĐÔNG ANH", "ĐU"),
]
SUBJECTS = [
    "triển khai phần mềm quản lý văn bản điện tử",
    "tổng kết công tác văn thư lưu trữ năm",
    "chuẩn bị đại hội đảng bộ các cấp",
    "kiểm tra việc thực hiện quy chế làm việc",
    "số hóa tài liệu lưu trữ của cơ quan",
    "bảo đảm an toàn thông tin mạng diện rộng",
    "học tập, quán triệt nghị quyết của Trung ương",
    "rà soát, cập nhật hồ sơ đảng viên",
]
BODY = [
    "Ban Thường vụ đề nghị các đồng chí chỉ đạo thực hiện nghiêm túc,",
    "bảo đảm đúng tiến độ và báo cáo kết quả về Văn phòng trước ngày",
    "hai mươi của tháng cuối quý. Quá trình thực hiện nếu có vướng mắc,",
    "đề nghị phản ánh kịp thời để được hướng dẫn, giải quyết.",
    "Các cơ quan, đơn vị phối hợp chặt chẽ, phân công cán bộ theo dõi,",
    "đôn đốc và tổng hợp tình hình, tham mưu xử lý những việc phát sinh.",
]
KINDS = [("CV", "Công văn"), ("TB", "Thông báo"), ("KH", "Kế hoạch"), ("BC", "Báo cáo")]


def letter(seed: int, *, small: bool = False) -> dict[str, object]:
    """The register data and the text lines of one letter (the same seed, the same one)."""
    rng = random.Random(seed)
    party, body, code = rng.choice(HEADS)
    kind, kind_name = rng.choice(KINDS)
    number = seed + 1
    day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
    subject = f"V/v {rng.choice(SUBJECTS)}"
    lines = [party, body, f"Số {number:02d}-{kind}/{code}", subject]
    if small:
        lines += rng.sample(BODY, 2)
    else:
        place = body.split(" ", 2)[-1].title()
        lines[2] += f"          {place}, ngày {day.day} tháng {day.month} năm {day.year}"
        lines += ["Kính gửi: Các đảng ủy trực thuộc", *rng.sample(BODY, 5)]
    return {
        "number": number,
        "notation": f"{kind}/{code}",
        "kind": kind_name,
        "date": day,
        "issuer": body.title(),
        "subject": subject,
        "lines": lines,
    }


HEADER = [
    "Tệp",
    "Loại sổ",
    "Số",
    "Ký hiệu",
    "Ngày văn bản",
    "Loại văn bản",
    "Trích yếu",
    "Tác giả",
    "Số đến",
    "Ngày đến",
]


def box(out: Path, count: int, *, seed: int = 1, small: bool = False) -> Path:
    """Write ``count`` scanned letters under ``out/scans/`` (incoming, arrival numbers
    1..count of their years), ``out/so-den.xlsx`` naming them, and ``out/truth.json``.

    Returns:
        The spreadsheet's path.
    """
    from openpyxl import Workbook

    scans = out / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    truth: dict[str, list[str]] = {}
    for index in range(count):
        one = letter(seed * 100_000 + index, small=small)
        name = f"scans/{index + 1:04d}.png"
        path = out / name
        if not path.exists():
            angle = random.Random(index).uniform(-1.0, 1.0)
            lines = one["lines"]
            assert isinstance(lines, list)
            path.write_bytes(scan(lines, angle=angle, seed=index, small=small))
        day = one["date"]
        assert isinstance(day, dt.date)
        sheet.append(
            [
                name,
                "đến",
                one["number"],
                one["notation"],
                day.strftime("%d/%m/%Y"),
                one["kind"],
                one["subject"],
                one["issuer"],
                index + 1,
                (day + dt.timedelta(days=2)).strftime("%d/%m/%Y"),
            ]
        )
        truth[name] = list(one["lines"])  # type: ignore[call-overload]
    register = out / "so-den.xlsx"
    workbook.save(register)
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    return register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", action="store_true", help="A6 pages of a few lines")
    args = parser.parse_args(argv)
    register = box(args.out, args.count, seed=args.seed, small=args.small)
    print(f"{args.count} scans and {register}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
