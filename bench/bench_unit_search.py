"""Benchmark: unit-tree search (search as you type) over the whole country.

``org.selectors.unit_search`` is timed for a superuser and for a provincial clerk (whose
scope is one province, resolved afresh for every query as on a real request) over about
200 realistic queries, with and without diacritics, whole and half-typed. Two baselines
run in the same process on the same data:

- ``naive_python``: every unit's name already in memory, folded and matched in Python at
  each query (what a hand-written search would do);
- ``icontains``: a plain ``name__icontains`` query, no folding; it is fast but misses
  every query typed without diacritics (see ``found_rate``).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

FIXED_QUERIES = (
    "tinh uy ha noi",
    "thanh uy ha noi",
    "thành ủy hà nội",
    "phường hoàn kiếm",
    "hoan kiem",
    "nghi loc",
    "xã nghi lộc",
    "ban to chuc",
    "ban tổ chức trung ương",
    "van phong trung uong",
    "ủy ban kiểm tra",
    "tuyen giao va dan van",
    "ban noi chinh tinh uy nghe an",
    "dac khu phu quoc",
    "đặc khu côn đảo",
    "cao bang",
    "ho chi minh",
    "thanh uy ho chi minh",
    "ben thanh",
    "phuong ba dinh",
    "xa an",
    "dang uy xa",
    "tinh uy thanh hoa",
    "ca mau",
    "lao cai",
)


def _percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def queries(seed: int = 2025) -> list[str]:
    """About 200 queries: a fixed list and forms derived from real unit names."""
    from lienthong.core.text import fold
    from lienthong.org.models import Unit

    rng = random.Random(seed)
    communes = list(
        Unit.objects.filter(kind="commune_committee").order_by("pk").values_list("name", flat=True)
    )
    others = list(
        Unit.objects.exclude(kind="commune_committee").order_by("pk").values_list("name", flat=True)
    )
    result = list(FIXED_QUERIES)
    for name in rng.sample(communes, 60):  # "phường hoàn kiếm": type and place, diacritics
        result.append(name.removeprefix("Đảng ủy ").lower())
    for name in rng.sample(communes, 50):  # "nghi loc": place only, no diacritics
        result.append(fold(name.split(" ", 3)[-1] if " khu " in name else name.split(" ", 3)[3]))
    for name in rng.sample(communes, 30):  # half-typed: "nghi lo"
        place = fold(name).split(" ", 3)[-1]
        result.append(place[: max(3, len(place) - 2)])
    for name in rng.sample(others, 40):  # committees and departments, folded
        result.append(fold(name))
    return result


def _time(run_query: Callable[[str], int], items: list[str]) -> tuple[list[float], int]:
    for query in items:  # warm-up pass: caches, query plans
        run_query(query)
    latencies: list[float] = []
    found = 0
    for query in items:
        started = time.perf_counter()
        count = run_query(query)
        latencies.append((time.perf_counter() - started) * 1000)
        found += int(count > 0)
    return latencies, found


def _summary(prefix: str, latencies: list[float], found: int, total: int) -> dict[str, Any]:
    return {
        f"{prefix}_p50": {"value": round(statistics.median(latencies), 2), "unit": "ms"},
        f"{prefix}_p95": {"value": round(_percentile(latencies, 95), 2), "unit": "ms"},
        f"{prefix}_found_rate": {"value": round(100 * found / total, 1), "unit": "%"},
    }


def run() -> dict[str, dict[str, Any]]:
    """Time the searches; return p50/p95 per series, hit rates and the ratio to baselines."""
    from lienthong.audit.actors import SystemActor
    from lienthong.core.text import fold, fold_terms
    from lienthong.org.choices import RoleCode
    from lienthong.org.loaders import units_load
    from lienthong.org.models import Role, Unit, User
    from lienthong.org.selectors import unit_search
    from lienthong.org.services import membership_create, user_create

    actor = SystemActor("bench")
    if Unit.objects.filter(source_key__startswith="vn:").count() < 3500:
        units_load(actor=actor)
    superuser = User.objects.filter(username="bench.super").first() or user_create(
        actor=actor, username="bench.super", full_name="Bench super", is_superuser=True
    )
    clerk = User.objects.filter(username="bench.clerk").first()
    if clerk is None:
        clerk = user_create(actor=actor, username="bench.clerk", full_name="Bench clerk")
        membership_create(
            actor=actor,
            user=clerk,
            unit=Unit.objects.get(source_key="vn:p:01"),
            role=Role.objects.get(code=RoleCode.CLERK),
        )
    items = queries()

    def as_user(user: Any) -> Callable[[str], int]:
        def search(query: str) -> int:
            user.__dict__.pop("_lienthong_scope_cache", None)  # a new request each time
            return len(unit_search(user=user, query=query))

        return search

    rows = list(Unit.objects.values_list("name", "short_name", "depth", "sort_order"))

    def naive(query: str) -> int:
        terms = fold_terms(query)
        hits = [r for r in rows if terms and all(t in fold(f"{r[0]} {r[1]}") for t in terms)]
        hits.sort(key=lambda r: (r[2], r[3], r[0]))
        return len(hits[:50])

    def icontains(query: str) -> int:
        qs = Unit.objects.filter(name__icontains=query.strip())
        return len(list(qs.order_by("depth", "sort_order", "name")[:50]))

    total = len(items)
    results: dict[str, dict[str, Any]] = {
        "units": {"value": Unit.objects.count(), "unit": "units"},
        "queries": {"value": total, "unit": "queries"},
    }
    series: dict[str, list[float]] = {}
    for prefix, fn in (
        ("superuser", as_user(superuser)),
        ("provincial_clerk", as_user(clerk)),
        ("baseline_naive_python", naive),
        ("baseline_icontains", icontains),
    ):
        latencies, found = _time(fn, items)
        series[prefix] = latencies
        results.update(_summary(prefix, latencies, found, total))
    ratio = statistics.median(series["baseline_naive_python"]) / statistics.median(
        series["superuser"]
    )
    results["naive_python_over_unit_search_p50"] = {"value": round(ratio, 1), "unit": "x"}
    return results
