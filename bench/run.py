"""Run lienthong's benchmarks on a throw-away database and record the figures.

Usage::

    .venv/bin/python bench/run.py                  # every benchmark
    .venv/bin/python bench/run.py unit_search      # some of them
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/lienthong_bench

By default the database is a fresh SQLite file ``var/bench/bench.sqlite3`` (removed and
migrated on every run) and the data directory is ``var/bench/``. With
``--database-url`` the database must be a throw-away one: it is flushed first.
The figures are printed as a table and written to ``var/bench/results.json``;
``docs/benchmarks.md`` quotes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
#: In the order they run (unit_search reuses the country load_units leaves behind).
BENCHMARKS = (
    "load_units",
    "unit_search",
    "signing",
    "search",
    "issue",
    "exchange",
    "tally",
    "omr",
    "probes",
    "dashboard",
    "members",
    "portal",
)


def machine() -> dict[str, Any]:
    """Describe the machine and the software the figures were measured on."""
    import django
    from django.db import connection

    cpu = ""
    ram_gb = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "sqlite": sqlite3.sqlite_version,
    }


def prepare(database_url: str | None) -> None:
    """Point lienthong at a throw-away database and data directory, then migrate."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["LIENTHONG_DATA_DIR"] = str(BENCH_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lienthong.config.settings"
    if database_url:
        os.environ["LIENTHONG_DATABASE_URL"] = database_url
    else:
        db = BENCH_DIR / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["LIENTHONG_DATABASE_URL"] = f"sqlite:///{db}"
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))

    import django

    django.setup()
    from django.core.management import call_command

    if database_url:
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run ({', '.join(BENCHMARKS)})")
    parser.add_argument("--database-url", help="a THROW-AWAY database (it is flushed)")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    started = time.perf_counter()
    prepare(args.database_url)
    results: dict[str, Any] = {"machine": machine(), "benchmarks": {}}
    for name in names:
        print(f"running {name}…", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench_{name}")
        results["benchmarks"][name] = module.run()

    rows = [("benchmark", "metric", "value", "unit")]
    for name, metrics in results["benchmarks"].items():
        for metric, figure in metrics.items():
            value = figure["value"]
            shown = f"{value:g}" if isinstance(value, int | float) else str(value)
            rows.append((name, metric, shown, figure["unit"]))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for number, row in enumerate(rows):
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * w for w in widths))
    m = results["machine"]
    print(
        f"\n{m['date']} · {m['nproc']} CPU ({m['cpu']}) · {m['ram_gb']} GB · "
        f"Python {m['python']} · {m['database']} (SQLite {m['sqlite']}) · "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    out = BENCH_DIR / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
