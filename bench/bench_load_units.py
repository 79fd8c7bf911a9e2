"""Benchmark: ``lienthong load_units`` on an empty tree, then the idempotent second run."""

from __future__ import annotations

import io
import json
import time
from typing import Any

from django.core.management import call_command


def _timed_load() -> tuple[float, dict[str, int]]:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("load_units", "--json", stdout=out, stderr=io.StringIO())
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(out.getvalue().strip().splitlines()[-1])


def run() -> dict[str, dict[str, Any]]:
    """Load the whole country twice; return the two durations and the counts."""
    from lienthong.org.models import Unit

    if Unit.objects.exists():
        raise RuntimeError("load_units must be benchmarked on an empty unit tree")
    first, first_counts = _timed_load()
    second, second_counts = _timed_load()
    assert second_counts["created"] == second_counts["updated"] == 0, second_counts
    return {
        "first_run": {"value": round(first, 2), "unit": "s"},
        "second_run": {"value": round(second, 2), "unit": "s"},
        "units_created": {"value": first_counts["created"], "unit": "units"},
        "units_per_second_first_run": {
            "value": round(first_counts["created"] / first),
            "unit": "units/s",
        },
    }
