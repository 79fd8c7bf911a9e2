"""Benchmark: reading 1,000 scanned ballots (issue #6 scope 4 acceptance).

1,000 synthetic scans from ``scripts/ballot_scans.py`` (seeded): strike-out ballots of 5
names for 3 seats (A5), 20 for 15 (A4) and 65 for 55 (A4, two columns), and ballots
with boxes of 1, 9 and 55 names; 150-300 dpi, turned up to 4 degrees, noised, JPEG or
PNG, with partial strokes, ticks and writing on some. Each is read by
``lienthong.elections.omr.read_ballot`` (decoding included) in this one process with
OpenCV on one thread, so the rate is per core.

A ballot is read right when the reading is certain and equals the truth, or unsure
when the truth sends it to the board. The target: at least 99.5 % read right and no
certain reading wrong. The review rate is the share of ballots the reader sends to
the board.
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: (names, seats, ballots): strike-out rounds, then rounds with boxes.
ROUNDS = ((5, 3, 250), (20, 15, 150), (65, 55, 250), (1, 1, 100), (9, 9, 100), (55, 55, 150))
SEED = 2026
TARGET_RIGHT = 99.5


def _scans_module() -> Any:
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


def run() -> dict[str, dict[str, Any]]:
    """Generate the scans, read each once, compare with the truth."""
    import cv2

    from lienthong.elections import omr

    scans_module = _scans_module()
    total = right = wrong = review = needless = needed = stamp_right = 0
    times: dict[str, list[float]] = {}
    generated = 0.0
    threads = cv2.getNumThreads()
    for number, (count, seats, ballots) in enumerate(ROUNDS):
        rng = random.Random(SEED + number)
        names = scans_module.random_names(count, rng)
        generator = scans_module.Generator(names=names, seats=seats)
        kind = f"{generator.layout.page}x{generator.layout.columns}"
        kind += " boxes" if generator.layout.boxes else " strike"
        for _ in range(ballots):
            started = time.perf_counter()
            scan = generator.scan(rng)
            generated += time.perf_counter() - started
            cv2.setNumThreads(1)
            started = time.perf_counter()
            reading = omr.read_ballot(scan.image, form=generator.form)
            times.setdefault(kind, []).append(time.perf_counter() - started)
            cv2.setNumThreads(threads)
            truth = scan.truth
            total += 1
            needed += truth["review"]
            review += not reading.certain
            stamp_right += reading.stamped == truth["stamped"]
            if reading.certain:
                read = {row.name: row.decision for row in reading.rows}
                if truth["review"] or read != truth["decisions"]:
                    wrong += 1
                    print(f"  wrong: {kind} {truth}", file=sys.stderr)
                else:
                    right += 1
            elif truth["review"]:
                right += 1
            else:
                needless += 1
                print(f"  needless review: {kind} {reading.reasons[:3]}", file=sys.stderr)
    every = [t for values in times.values() for t in values]
    metrics: dict[str, dict[str, Any]] = {
        "omr_ballots": {"value": total, "unit": "scans, 150-300 dpi"},
        "omr_read_right_pct": {"value": round(100 * right / total, 2), "unit": "%"},
        "omr_target_pct": {"value": TARGET_RIGHT, "unit": "% read right"},
        "omr_wrong_certain": {"value": wrong, "unit": "ballots (must be 0)"},
        "omr_review_rate_pct": {"value": round(100 * review / total, 2), "unit": "% to the board"},
        "omr_review_needed_pct": {
            "value": round(100 * needed / total, 2),
            "unit": "% the truth sends to the board",
        },
        "omr_needless_review": {"value": needless, "unit": "clear ballots sent to the board"},
        "omr_stamp_seen_right_pct": {"value": round(100 * stamp_right / total, 2), "unit": "%"},
        "omr_ballots_per_s_core": {"value": round(len(every) / sum(every), 2), "unit": "ballots/s"},
    }
    for kind, values in times.items():
        key = "omr_median_ms_" + kind.replace(" ", "_")
        metrics[key] = {"value": round(statistics.median(values) * 1000, 1), "unit": "ms"}
    metrics["omr_generation_s"] = {"value": round(generated, 1), "unit": "s (not timed above)"}
    return metrics
