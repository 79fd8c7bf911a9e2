"""Benchmark: counting a provincial congress round (issue #6 acceptance).

350 ballots, 55 seats, 65 candidates: each ballot keeps a random 40-55 of the names,
a few are invalid (too many kept, all crossed out, unstamped). The figure is the time of
``lienthong.elections.tally.count`` over the 350 ballot records (one record per paper
ballot, as double entry produces them), median of 20 runs; target under one second.
A plain loop that only adds up the kept names of the same ballots is timed in the same
run as the baseline.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

BALLOTS, SEATS, CANDIDATES, RUNS = 350, 55, 65, 20
TARGET_S = 1.0

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Duyên", "Đức", "Giang", "Hằng", "Hùng", "Hương", "Khai"]


def _round() -> Any:
    from lienthong.elections.tally import RULE_SETS, Ballot, Round

    rng = random.Random(190)
    names: list[str] = []
    while len(names) < CANDIDATES:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if name not in names:
            names.append(name)
    ballots = []
    for index in range(BALLOTS):
        if index % 50 == 0:
            ballots.append(Ballot(count=1, kept=tuple(names[: SEATS + 1])))  # too many
        elif index % 70 == 1:
            ballots.append(Ballot(count=1, kept=()))  # all crossed out
        elif index % 90 == 2:
            ballots.append(Ballot(count=1, kept=tuple(names[:SEATS]), stamped=False))
        else:
            ballots.append(Ballot(count=1, kept=tuple(rng.sample(names, rng.randint(40, SEATS)))))
    return Round(
        rules=RULE_SETS["party-190-2024"],
        body="delegates",
        election="committee",
        seats=SEATS,
        convened=360,
        deductions=(("absent-whole-congress-no-alternate", 4),),
        present=352,
        issued=350,
        received=350,
        candidates=tuple(names),
        ballots=tuple(ballots),
    )


def run() -> dict[str, dict[str, Any]]:
    """Count the round RUNS times; return the median and the plain-loop baseline."""
    from lienthong.elections.tally import count

    round_ = _round()
    times, loops = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = count(round_)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        totals: dict[str, int] = {}
        for ballot in round_.ballots:
            for name in ballot.kept or ():
                totals[name] = totals.get(name, 0) + 1
        loops.append(time.perf_counter() - started)
    median = statistics.median(times)
    return {
        "tally_round": {
            "value": f"{BALLOTS} ballots, {SEATS} seats",
            "unit": f"{CANDIDATES} candidates",
        },
        "tally_status": {"value": result.status, "unit": f"{len(result.elected)} elected"},
        "tally_median_ms": {"value": round(median * 1000, 2), "unit": "ms"},
        "tally_max_ms": {"value": round(max(times) * 1000, 2), "unit": "ms"},
        "tally_plain_loop_ms": {"value": round(statistics.median(loops) * 1000, 2), "unit": "ms"},
        "tally_target_ms": {"value": TARGET_S * 1000, "unit": "ms"},
    }
