#!/usr/bin/env python3
"""Synthetic scans of marked paper ballots, with their ground truth (issue #6 scope 4).

The round's ballot is rendered by ``elections.ballots.ballot_pdf``, rasterised at a
random 150-300 dpi, marked as voters mark it (vote-rules.md §A1: a line through each
name not elected, or an X in one of two boxes), stamped in red at the top left, turned a
few degrees, blurred, noised and saved as JPEG or PNG. The truth says, for each name,
what a careful reader decides, and whether the counting board must look at the ballot
(a partial stroke, a small mark, a scribble beside the list: §A2).

    .venv/bin/python scripts/ballot_scans.py --out var/scans --count 200 --names 65 --seats 55
    .venv/bin/python scripts/ballot_scans.py --out var/scans --count 50 --names 9 --seats 9

The same ``--seed`` gives the same images. The tests and ``bench/bench_omr.py`` import
``generate`` from this file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thị Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Duyên", "Đức", "Giang", "Hằng", "Hùng", "Hương", "Khải"]

#: BGR colours of pens (black, blue ballpoint, dark blue) and of the red stamp.
PENS = [(25, 25, 25), (150, 60, 20), (110, 40, 30), (60, 60, 60)]
STAMP = (40, 40, 200)


@dataclass
class Scan:
    """One synthetic scan and what it holds."""

    image: bytes
    """The encoded image (JPEG or PNG)."""
    suffix: str
    """".jpg" or ".png"."""
    truth: dict[str, Any] = field(default_factory=dict)
    """``decisions`` (name: struck | kept | agree | disagree | both | none | unsure),
    ``review`` (the board must look), ``notes`` (why), ``dpi``, ``angle``, ``stamped``."""


def random_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct Vietnamese names, in ballot order (``collation.ballot_order``)."""
    from lienthong.elections.collation import ballot_order

    names: set[str] = set()
    while len(names) < count:
        names.add(f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}")
    return ballot_order(sorted(names))


def _raster(pdf: bytes, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=dpi / 72)
        rgb = np.array(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        document.close()
    return cv2.cvtColor(rgb[:, :, :3], cv2.COLOR_RGB2BGR)


def _stroke(
    canvas: np.ndarray,
    points_mm: Sequence[tuple[float, float]],
    *,
    ppmm: float,
    width_mm: float,
    colour: tuple[int, int, int],
) -> None:
    points = np.array([(x * ppmm * 16, y * ppmm * 16) for x, y in points_mm], dtype=np.int32)
    thickness = max(1, round(width_mm * ppmm))
    cv2.polylines(
        canvas,
        [points],
        isClosed=False,
        color=colour,
        thickness=thickness,
        lineType=cv2.LINE_AA,
        shift=4,
    )


def _line(
    rng: random.Random,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    wave: float,
) -> list[tuple[float, float]]:
    """A hand-drawn line from ``start`` to ``end`` (mm): a slight bow, and waves of
    ``wave`` mm across it."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    steps = max(8, int(length * 2))
    period = rng.uniform(6, 25)
    phase = rng.uniform(0, 2 * math.pi)
    bow = rng.uniform(-0.4, 0.4)
    nx, ny = (-(y1 - y0) / length, (x1 - x0) / length) if length else (0.0, 1.0)
    points = []
    for i in range(steps + 1):
        t = i / steps
        off = wave * math.sin(2 * math.pi * t * length / period + phase) + bow * math.sin(
            math.pi * t
        )
        points.append((x0 + (x1 - x0) * t + nx * off, y0 + (y1 - y0) * t + ny * off))
    return points


def _scribble(rng: random.Random, x: float, y: float, length: float) -> list[tuple[float, float]]:
    """Something written by hand: a loopy line along ``length`` mm."""
    points = []
    steps = int(length * 3)
    for i in range(steps):
        t = i / 3
        points.append((x + t + 1.2 * math.sin(t * 2.1), y + 1.8 * math.sin(t * 1.3 + 0.5)))
    return points


class Generator:
    """Marks, stamps and scans one round's ballot again and again."""

    def __init__(
        self,
        *,
        names: Sequence[str],
        seats: int,
        pdf: bytes | None = None,
        congress: str = "Đại hội đại biểu Đảng bộ tỉnh lần thứ XX, nhiệm kỳ 2025-2030",
        election: str = "Bầu Ban Chấp hành Đảng bộ tỉnh khóa XX",
    ) -> None:
        from lienthong.elections.ballots import ballot_pdf
        from lienthong.elections.omr import SCALE, ballot_form

        self.names = list(names)
        self.seats = seats
        self.pdf = pdf or ballot_pdf(
            congress=congress, election=election, round_number=1, names=self.names, seats=seats
        )
        self.form = ballot_form(names=self.names, seats=seats, pdf=self.pdf)
        self.layout = self.form.layout
        # The printed names' extents (mm), as the reader measures them.
        self.text = [
            (line.text[0] / SCALE, line.text[1] / SCALE) if line.text else (0.0, 0.0)
            for line in self.form.lines
        ]
        self._pages: dict[int, np.ndarray] = {}

    def page(self, dpi: int) -> np.ndarray:
        if dpi not in self._pages:
            if len(self._pages) > 8:
                self._pages.clear()
            self._pages[dpi] = _raster(self.pdf, dpi)
        return self._pages[dpi].copy()

    def scan(self, rng: random.Random) -> Scan:
        """One marked, scanned ballot."""
        dpi = rng.randrange(150, 301, 5)
        ppmm = dpi / 25.4
        canvas = self.page(dpi)
        pen = rng.choice(PENS)
        notes: list[str] = []
        decisions = (
            self._mark_boxes(canvas, rng, ppmm, pen, notes)
            if self.layout.boxes
            else self._mark_strikes(canvas, rng, ppmm, pen, notes)
        )
        if rng.random() < 0.025:
            self._write(canvas, rng, ppmm, pen, notes)
        stamped = rng.random() < 0.97
        if stamped:
            stamp = self.layout.stamp
            cx = (stamp.x + stamp.w / 2 + rng.uniform(-3, 3)) * ppmm
            cy = (stamp.y + stamp.h / 2 + rng.uniform(-2, 2)) * ppmm
            radius = rng.uniform(11, 14) * ppmm
            for r, w in ((radius, 0.6), (radius * 0.72, 0.3)):
                cv2.circle(
                    canvas,
                    (int(cx), int(cy)),
                    int(r),
                    STAMP,
                    max(1, int(w * ppmm)),
                    cv2.LINE_AA,
                )
            cv2.circle(canvas, (int(cx), int(cy)), int(radius * 0.2), STAMP, -1, cv2.LINE_AA)
        for _ in range(rng.randint(0, 12)):
            # Dust on the glass.
            x = rng.uniform(0, canvas.shape[1])
            y = rng.uniform(0, canvas.shape[0])
            cv2.circle(
                canvas,
                (int(x), int(y)),
                max(1, int(rng.uniform(0.04, 0.12) * ppmm)),
                (40, 40, 40),
                -1,
            )
        angle = rng.uniform(-4, 4)
        image = self._scan_effects(canvas, rng, angle, ppmm)
        suffix = ".jpg" if rng.random() < 0.7 else ".png"
        if suffix == ".jpg":
            ok, encoded = cv2.imencode(
                suffix, image, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(45, 95)]
            )
        else:
            ok, encoded = cv2.imencode(suffix, image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        assert ok
        review = bool(notes) or any(d == "unsure" for d in decisions.values())
        truth = {
            "form": "boxes" if self.layout.boxes else "strike",
            "decisions": decisions,
            "review": review,
            "notes": notes,
            "dpi": dpi,
            "angle": round(angle, 2),
            "stamped": stamped,
        }
        return Scan(image=encoded.tobytes(), suffix=suffix, truth=truth)

    def _mark_strikes(
        self,
        canvas: np.ndarray,
        rng: random.Random,
        ppmm: float,
        pen: tuple[int, int, int],
        notes: list[str],
    ) -> dict[str, str]:
        n = len(self.names)
        low = max(0, n - self.seats - 2)
        count = rng.randint(low, min(n, n - self.seats + max(3, n // 6)))
        struck = set(rng.sample(range(n), count))
        decisions = {}
        partial = rng.randrange(n) if rng.random() < 0.04 else None
        kept_rows = [i for i in range(n) if i not in struck and i != partial]
        dot = rng.choice(kept_rows) if kept_rows and rng.random() < 0.02 else None
        width = rng.uniform(0.25, 1.1)
        for index, row in enumerate(self.layout.rows):
            t0, t1 = self.text[index]
            centre = row.rect.y + row.rect.h / 2
            swing = row.rect.h * 0.2
            wave = rng.uniform(0, min(0.8, row.rect.h * 0.08))
            if index == partial:
                share = rng.uniform(0.2, 0.7)
                span = (t1 - t0) * share
                where = rng.choice(["left", "right", "middle"])
                if where == "left":
                    a, b = t0 - rng.uniform(0.5, 3), t0 + span
                elif where == "right":
                    a, b = t1 - span, t1 + rng.uniform(0.5, 3)
                else:
                    a = t0 + (t1 - t0 - span) / 2
                    b = a + span
                a = max(a, row.rect.x + 0.5)
                b = min(b, row.rect.right - 0.5)
                points = _line(
                    rng,
                    (a, centre + rng.uniform(-swing, swing)),
                    (b, centre + rng.uniform(-swing, swing)),
                    wave=wave,
                )
                _stroke(canvas, points, ppmm=ppmm, width_mm=width, colour=pen)
                decisions[row.name] = "unsure"
                notes.append(f"line {row.number}: partial stroke ({share:.0%})")
                continue
            if index in struck:
                a = max(t0 - rng.uniform(0.6, 5), row.rect.x + 0.5)
                b = min(t1 + rng.uniform(0.6, 7), row.rect.right - 0.5)
                points = _line(
                    rng,
                    (a, centre + rng.uniform(-swing, swing)),
                    (b, centre + rng.uniform(-swing, swing)),
                    wave=wave,
                )
                _stroke(canvas, points, ppmm=ppmm, width_mm=width, colour=pen)
                decisions[row.name] = "struck"
            else:
                decisions[row.name] = "kept"
            if index == dot:
                # A tick beside a name: the board decides what it means.
                x = rng.uniform(t1 + 0.8, max(t1 + 1, min(t1 + 8, row.rect.right - 4)))
                y = centre + rng.uniform(-swing, swing)
                points = [(x, y), (x + 0.8, y + 1.0), (x + 2.4, y - 1.2)]
                _stroke(canvas, points, ppmm=ppmm, width_mm=width, colour=pen)
                decisions[row.name] = "unsure"
                notes.append(f"line {row.number}: a tick")
        return decisions

    def _mark_boxes(
        self,
        canvas: np.ndarray,
        rng: random.Random,
        ppmm: float,
        pen: tuple[int, int, int],
        notes: list[str],
    ) -> dict[str, str]:
        decisions = {}
        width = rng.uniform(0.25, 0.9)
        small = rng.randrange(len(self.names)) if rng.random() < 0.04 else None
        for index, row in enumerate(self.layout.rows):
            assert row.agree is not None and row.disagree is not None
            choice = rng.choices(["agree", "disagree", "both", "none"], [70, 20, 5, 5])[0]
            for box, marked in (
                (row.agree, choice in ("agree", "both")),
                (row.disagree, choice in ("disagree", "both")),
            ):
                if not marked:
                    continue
                m = rng.uniform(0.6, 1.6)
                left, right = (
                    box.x + m + rng.uniform(-0.4, 0.6),
                    box.right - m + rng.uniform(-0.6, 0.4),
                )
                top = box.y + rng.uniform(0.8, 1.6)
                bottom = box.bottom - rng.uniform(0.8, 1.6)
                wave = rng.uniform(0, 0.3)
                for start, end in (((left, top), (right, bottom)), ((right, top), (left, bottom))):
                    _stroke(
                        canvas,
                        _line(rng, start, end, wave=wave),
                        ppmm=ppmm,
                        width_mm=width,
                        colour=pen,
                    )
            decisions[row.name] = choice
            if index == small and choice != "both":
                # In an empty box: a dot or a dash where an X would go.
                box = row.agree if choice in ("disagree", "none") else row.disagree
                x = box.x + box.w / 2 + rng.uniform(-2, 2)
                y = box.y + box.h / 2 + rng.uniform(-1, 1)
                _stroke(canvas, [(x, y), (x + 1.2, y + 0.6)], ppmm=ppmm, width_mm=width, colour=pen)
                decisions[row.name] = "unsure"
                notes.append(f"line {row.number}: a small mark in a box")
        return decisions

    def _write(
        self,
        canvas: np.ndarray,
        rng: random.Random,
        ppmm: float,
        pen: tuple[int, int, int],
        notes: list[str],
    ) -> None:
        """Something written on the ballot besides the marks (a name, a word, a sign):
        below the list, beside a name or in the side margin. The board decides (§A2)."""
        layout = self.layout
        last = max(row.rect.bottom for row in layout.rows)
        room = layout.body.bottom - last
        width = rng.uniform(0.3, 0.6)
        where = rng.choice(["below", "beside", "margin"])
        if where == "below" and room > 12:
            x = rng.uniform(layout.body.x + 10, layout.body.right - 45)
            y = last + rng.uniform(4, room - 5)
            points = _scribble(rng, x, y, rng.uniform(15, 40))
        elif where == "margin":
            x = layout.width - rng.uniform(10, 8)
            y = rng.uniform(layout.body.y + 10, layout.body.bottom - 10)
            points = [(x + 1.5 * math.sin(t / 2), y + t / 2) for t in range(40)]
        else:
            index = rng.randrange(len(layout.rows))
            row = layout.rows[index]
            t1 = self.text[index][1]
            end = row.name_cell.right - 1
            x = min(t1 + rng.uniform(2, 6), end - 6)
            y = row.rect.y + row.rect.h / 2
            points = _scribble(rng, x, y, max(4.0, min(12.0, end - x - 2)))
            where = "beside"
        _stroke(canvas, points, ppmm=ppmm, width_mm=width, colour=pen)
        notes.append(f"written {where} the list")

    def _scan_effects(
        self, canvas: np.ndarray, rng: random.Random, angle: float, ppmm: float
    ) -> np.ndarray:
        # The scanner's glass is larger than the sheet: a margin of its white lid shows
        # around the page, so the corners stay in the picture when the sheet is turned.
        pad = round(rng.uniform(8, 15) * ppmm)
        canvas = cv2.copyMakeBorder(
            canvas, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(245, 245, 245)
        )
        height, width = canvas.shape[:2]
        centre = (width / 2 + rng.uniform(-3, 3) * ppmm, height / 2 + rng.uniform(-3, 3) * ppmm)
        matrix = cv2.getRotationMatrix2D(centre, angle, rng.uniform(0.985, 1.015))
        matrix[0, 2] += rng.uniform(-2, 2) * ppmm
        matrix[1, 2] += rng.uniform(-2, 2) * ppmm
        image = cv2.warpAffine(
            canvas, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(250, 250, 250)
        )
        blur = rng.uniform(0, 1.0) * ppmm / 8
        if blur > 0.3:
            image = cv2.GaussianBlur(image, (0, 0), blur)
        paper = rng.uniform(0.82, 1.0)
        ink = rng.uniform(0, 30)
        noisy = image.astype(np.float32) * (paper - ink / 255) + ink
        noise = np.random.default_rng(rng.getrandbits(32)).normal(
            0, rng.uniform(2, 10), noisy.shape[:2]
        )
        noisy += noise[:, :, None].astype(np.float32)
        image = np.clip(noisy, 0, 255).astype(np.uint8)
        if rng.random() < 0.4:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return image


def generate(
    *,
    names: Sequence[str],
    seats: int,
    count: int,
    seed: int = 0,
    pdf: bytes | None = None,
) -> Iterator[Scan]:
    """``count`` synthetic scans of one round's ballot, the same for the same ``seed``.

    Args:
        names: the names in ballot order.
        seats: how many to elect (as many names as seats: the box form).
        count: how many ballots.
        seed: the random seed.
        pdf: the ballot as printed; rendered by ``ballot_pdf`` when absent.
    """
    generator = Generator(names=names, seats=seats, pdf=pdf)
    rng = random.Random(seed)
    for _ in range(count):
        yield generator.scan(rng)


def main(argv: list[str] | None = None) -> int:
    """Write ``--count`` scans and ``truth.json`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the images")
    parser.add_argument("--count", type=int, default=100, help="how many ballots")
    parser.add_argument("--names", type=int, default=5, help="how many names on the ballot")
    parser.add_argument("--seats", type=int, default=3, help="how many to elect")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.config.settings")
    import django
    from tqdm import tqdm

    django.setup()
    names = random_names(args.names, random.Random(args.seed))
    args.out.mkdir(parents=True, exist_ok=True)
    generator = Generator(names=names, seats=args.seats)
    (args.out / "ballot.pdf").write_bytes(generator.pdf)
    rng = random.Random(args.seed)
    truth = {"names": names, "seats": args.seats, "seed": args.seed, "ballots": {}}
    for number in tqdm(range(1, args.count + 1), unit="ballot"):
        scan = generator.scan(rng)
        name = f"ballot-{number:05d}{scan.suffix}"
        (args.out / name).write_bytes(scan.image)
        truth["ballots"][name] = scan.truth
    (args.out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{args.count} scans and truth.json written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
