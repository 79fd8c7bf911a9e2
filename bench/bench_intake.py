"""Benchmark: digitisation intake against plain OCRmyPDF (issue #7 acceptance).

N full-page A4 letters scanned at 200 dpi (``scripts/letter_scans.py``, seeded: the same
pages every run) are read three times in the same run, in this order, ``--repeat`` times:

- **ocrmypdf_cli** (the issue's baseline): the ``ocrmypdf`` command line (the same PyPI
  OCRmyPDF lienthong uses) on each PNG with the options of lienthong's ``ocr`` step
  (``-l vie --output-type pdfa-2 --pdfa-backend internal --pdf-renderer sandwich
  --sidecar FILE --skip-text``), R processes at once, each ``--jobs max(1, cores // R)``;
- **lienthong**: ``lienthong import_scans DIR --register so-den.xlsx --jobs R`` on a fresh
  node (SQLite file, its own data directory), timed from the command's start to its exit:
  Django start-up, reading the spreadsheet, storing each original, preflight, conversion
  to PDF, OCR, storing the PDF/A, the document and its register entry, the database.
  Migrating and making the unit, clerk and register are not timed. Each repeat gets a new
  node (a re-run on the same one would skip the rows done);
- **ocrmypdf_api** (a stricter reference, not the target's): ``ocrmypdf.ocr`` with the same
  arguments in R forked processes that live for the whole box, so no page pays for a
  Python start-up, as in lienthong's readers.

The rate is pages per minute; the target is lienthong / ocrmypdf_cli ≥ 0.9. The character
error rate compares the text layer of every output PDF (``pdftotext -layout``: lienthong's
stored PDF/A, found through the node's database, and the baselines' PDFs) with the lines
the page was drawn from (``truth.json``), with ``letter_scans.cer``.

    .venv/bin/python bench/bench_intake.py               # 40 pages, a reader per core
    .venv/bin/python bench/bench_intake.py --quick       # 8 pages
    .venv/bin/python bench/bench_intake.py --repeat 2 --readers 2 --pages 40

Prints a summary and the JSON, and writes the JSON to ``var/bench/intake.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import multiprocessing
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIENTHONG = [sys.executable, "-m", "lienthong"]
OUT = ROOT / "var" / "bench" / "intake.json"
TARGET_RATIO = 0.9
USER = "vanthu.hoankiem"
#: The node's unit, clerk and incoming register (as tests/integration/test_import_scans.py).
SETUP = r"""
from lienthong.documents.choices import Direction
from lienthong.documents.models import Register
from lienthong.org.choices import RoleCode
from lienthong.org.tests.factories import UnitFactory, UserFactory, member
unit = UnitFactory(name="Đảng ủy phường Hoàn Kiếm")
member(UserFactory(username="vanthu.hoankiem"), unit, RoleCode.CLERK)
Register.objects.create(unit=unit, direction=Direction.INCOMING, name="Sổ văn bản đến")
print(unit.pk)
"""


def _scans() -> ModuleType:
    if "letter_scans" in sys.modules:
        return sys.modules["letter_scans"]
    spec = importlib.util.spec_from_file_location(
        "letter_scans", ROOT / "scripts" / "letter_scans.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["letter_scans"] = module
    spec.loader.exec_module(module)
    return module


def _pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _cer(truth: dict[str, list[str]], texts: dict[str, str]) -> dict[str, Any]:
    """Mean and max CER over the pages (a page without output counts as 1.0)."""
    cer = _scans().cer
    rates = {name: cer("\n".join(lines), texts.get(name, "")) for name, lines in truth.items()}
    worst = max(rates, key=rates.__getitem__)
    return {
        "mean": round(statistics.fmean(rates.values()), 4),
        "max": round(rates[worst], 4),
        "worst_page": worst,
        "pages_read": sum(name in texts for name in truth),
    }


def _rate(pages: int, seconds: float) -> float:
    return round(pages * 60 / seconds, 2)


# -- baseline -------------------------------------------------------------------------


def _stem(name: str) -> str:
    return name.replace("/", "_").removesuffix(".png")


def _cli_one(source: Path, work: Path, jobs: int) -> float:
    """One page through the ``ocrmypdf`` command line (a new process)."""
    started = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "ocrmypdf"),
            "-q",
            "-l",
            "vie",
            "--output-type",
            "pdfa-2",
            "--pdfa-backend",
            "internal",
            "--pdf-renderer",
            "sandwich",
            "--sidecar",
            str(work / f"{source.stem}.txt"),
            "--skip-text",
            "--jobs",
            str(jobs),
            str(source),
            str(work / f"{source.stem}.pdf"),
        ],
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def _api_one(source: Path, work: Path, jobs: int) -> float:
    """One page through ``ocrmypdf.ocr`` in this (pool) process, lienthong's arguments."""
    import ocrmypdf

    started = time.perf_counter()
    code = ocrmypdf.ocr(
        source,
        work / f"{source.stem}.pdf",
        language=["vie"],
        output_type="pdfa-2",
        pdfa_backend="internal",
        pdf_renderer="sandwich",
        sidecar=work / f"{source.stem}.txt",
        progress_bar=False,
        skip_text=True,
        jobs=jobs,
    )
    if code != ocrmypdf.ExitCode.ok:
        raise RuntimeError(f"ocrmypdf.ocr: {source.name}: {code!r}")
    return time.perf_counter() - started


def baseline(box: Path, names: list[str], work: Path, readers: int, how: str) -> dict[str, Any]:
    """OCRmyPDF alone on every page, ``readers`` at once: ``cli`` runs the ``ocrmypdf``
    command (one process per page), ``api`` calls ``ocrmypdf.ocr`` in ``readers`` forked
    processes that live for the whole box (as lienthong's readers do)."""
    jobs = max(1, (os.cpu_count() or 1) // readers)
    work.mkdir(parents=True)
    # The same file names for both (the PNG's stem), under this run's own folder.
    sources = []
    for name in names:
        source = work / "in" / f"{_stem(name)}.png"
        source.parent.mkdir(exist_ok=True)
        source.symlink_to(box / name)
        sources.append(source)
    started = time.perf_counter()
    if how == "cli":
        with ThreadPoolExecutor(max_workers=readers) as threads:
            per_file = list(threads.map(lambda s: _cli_one(s, work, jobs), sources))
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=readers, mp_context=context) as processes:
            per_file = list(
                processes.map(_api_one, sources, [work] * len(sources), [jobs] * len(sources))
            )
    elapsed = time.perf_counter() - started
    texts = {}
    for name in names:
        pdf = work / f"{_stem(name)}.pdf"
        if pdf.exists():
            texts[name] = _pdf_text(pdf)
    return {
        "seconds": round(elapsed, 2),
        "pages_per_min": _rate(len(names), elapsed),
        "jobs_per_reader": jobs,
        "median_s_per_file": round(statistics.median(per_file), 2),
        "texts": texts,
    }


# -- lienthong ------------------------------------------------------------------------


class Node:
    """A fresh lienthong node in ``root``: SQLite file, data directory, environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "node.sqlite3"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
        self.env.update(
            {
                "LIENTHONG_DATA_DIR": str(root / "data"),
                "LIENTHONG_DATABASE_URL": f"sqlite:///{self.db}",
                "LIENTHONG_SECRET_KEY": "bench-intake-not-secret-" + "x" * 40,
                "LIENTHONG_LOG_LEVEL": "warning",
                "LIENTHONG_LANGUAGE": "en",
            }
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*LIENTHONG, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=False
        )

    def prepare(self) -> str:
        """Migrate and make the unit, its clerk and its incoming register; the unit's id."""
        self.root.mkdir(parents=True)
        for args in (("migrate", "--no-input", "-v", "0"), ("shell", "-c", SETUP)):
            done = self.run(*args)
            if done.returncode != 0:
                raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout.strip().splitlines()[-1]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as connection:
            return connection.execute(sql).fetchall()


def _when(value: str) -> float:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def lienthong(box: Path, register: Path, root: Path, readers: int) -> dict[str, Any]:
    """``import_scans`` of the box on a fresh node, timed end to end."""
    node = Node(root)
    unit = node.prepare()
    command = ["import_scans", str(box), "--register", str(register), "--unit", unit]
    command += ["--user", USER, "--jobs", str(readers), "--json"]
    wall = time.time()
    started = time.perf_counter()
    done = node.run(*command)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"import_scans failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    rows = node.query(
        "SELECT f.name, f.state, f.started_at, f.finished_at, s.storage_name "
        "FROM documents_intakefile f "
        "LEFT JOIN documents_documentfile d ON d.id = f.digitised_id AND d.kind = 'digitised' "
        "LEFT JOIN documents_storedfile s ON s.id = d.stored_id"
    )
    texts = {}
    reads = []
    for name, state, begun, finished, stored in rows:
        if state == "done" and stored:
            texts[name] = _pdf_text(root / "data" / "files" / stored)
        if begun and finished:
            reads.append((_when(begun), _when(finished)))
    breakdown = {}
    if reads:
        first = min(b for b, _ in reads)
        last = max(f for _, f in reads)
        breakdown = {
            "before_first_read_s": round(first - wall, 2),
            "reading_s": round(last - first, 2),
            "after_last_read_s": round(wall + elapsed - last, 2),
            "median_s_per_file": round(statistics.median(f - b for b, f in reads), 2),
        }
    return {
        "seconds": round(elapsed, 2),
        "pages_per_min": _rate(len(rows), elapsed),
        "states": dict(node.query("SELECT state, count(*) FROM documents_intakefile GROUP BY 1")),
        "breakdown": breakdown,
        "texts": texts,
    }


# -- the run --------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    ram_gib = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    tesseract = subprocess.run(
        ["tesseract", "--version"], capture_output=True, text=True, check=False
    ).stdout.split("\n", 1)[0]
    ocrmypdf = subprocess.run(
        [str(BIN / "ocrmypdf"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "ram_gib": ram_gib,
        "python": platform.python_version(),
        "ocrmypdf": ocrmypdf,
        "tesseract": tesseract,
    }


#: In the order they run in each repeat: the issue's baseline, lienthong, and the
#: stricter reference (OCRmyPDF's Python API in warm processes).
KINDS = ("ocrmypdf_cli", "lienthong", "ocrmypdf_api")


def run(pages: int, readers: int, repeat: int, *, keep: bool = False) -> dict[str, Any]:
    """Generate the box, then the three series alternately, ``repeat`` times."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        box = tmp / "box"
        started = time.perf_counter()
        register = _scans().box(box, pages)
        generated = time.perf_counter() - started
        truth = json.loads((box / "truth.json").read_text("utf-8"))
        names = sorted(truth)
        runs: list[dict[str, Any]] = []
        for number in range(1, repeat + 1):
            for kind in KINDS:
                print(f"  {kind} {number}/{repeat}…", file=sys.stderr, flush=True)
                load = os.getloadavg()[0]
                where = tmp / f"{kind}-{number}"
                if kind == "lienthong":
                    result = lienthong(box, register, where, readers)
                else:
                    result = baseline(box, names, where, readers, kind.removeprefix("ocrmypdf_"))
                texts = result.pop("texts")
                result["cer"] = _cer(truth, texts)
                result["load_before"] = round(load, 2)
                result["load_after"] = round(os.getloadavg()[0], 2)
                runs.append({"kind": kind, "repeat": number, **result})
                print(
                    f"    {result['pages_per_min']} pages/min, {result['seconds']} s, "
                    f"CER {result['cer']['mean']}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    def total(kind: str) -> dict[str, Any]:
        mine = [r for r in runs if r["kind"] == kind]
        seconds = sum(r["seconds"] for r in mine)
        return {
            "pages_per_min": _rate(pages * len(mine), seconds),
            "cer_mean": round(statistics.fmean(r["cer"]["mean"] for r in mine), 4),
            "cer_max": max(r["cer"]["max"] for r in mine),
        }

    def seconds(kind: str, number: int) -> float:
        return next(r["seconds"] for r in runs if r["kind"] == kind and r["repeat"] == number)

    series = {kind: total(kind) for kind in KINDS}
    ours = series["lienthong"]["pages_per_min"]
    ratio = round(ours / series["ocrmypdf_cli"]["pages_per_min"], 3)
    return {
        "machine": machine(),
        "pages": pages,
        "page": "A4, 200 dpi, PNG, grey, turned up to 1 degree, noised",
        "readers": readers,
        "repeat": repeat,
        "generation_s": round(generated, 1),
        **series,
        "ratio": ratio,
        "ratio_per_repeat": [
            round(seconds("ocrmypdf_cli", n) / seconds("lienthong", n), 3)
            for n in range(1, repeat + 1)
        ],
        "target_ratio": TARGET_RATIO,
        "target_met": ratio >= TARGET_RATIO,
        "ratio_to_api": round(ours / series["ocrmypdf_api"]["pages_per_min"], 3),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40, help="letters in the box (40)")
    parser.add_argument("--quick", action="store_true", help="8 pages")
    parser.add_argument(
        "--readers",
        type=int,
        default=os.cpu_count() or 1,
        help="files read at once, both ways (default: the machine's cores)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="baseline + lienthong pairs (1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, default=OUT, help="the JSON file written")
    args = parser.parse_args(argv)
    pages = 8 if args.quick else args.pages
    if shutil.which("pdftotext") is None:
        parser.error("pdftotext (poppler-utils) is needed to read the text layers")

    started = time.perf_counter()
    print(f"bench_intake: {pages} pages, {args.readers} readers…", file=sys.stderr, flush=True)
    result = run(pages, args.readers, args.repeat, keep=args.keep)
    result["total_s"] = round(time.perf_counter() - started, 1)

    m = result["machine"]
    verdict = "met" if result["target_met"] else "NOT met"
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{pages} pages, {args.readers} readers, {args.repeat} repeat(s)")
    labels = {
        "ocrmypdf_cli": "ocrmypdf command",
        "lienthong": "lienthong import_scans",
        "ocrmypdf_api": "ocrmypdf.ocr, warm pool",
    }
    for kind, label in labels.items():
        one = result[kind]
        print(
            f"  {label:24} {one['pages_per_min']:7.2f} pages/min   "
            f"CER mean {one['cer_mean']:.4f} max {one['cer_max']:.4f}"
        )
    print(
        f"  ratio lienthong / ocrmypdf command {result['ratio']:.3f} "
        f"(target ≥ {TARGET_RATIO}: {verdict}); "
        f"lienthong / ocrmypdf.ocr {result['ratio_to_api']:.3f}\n"
        f"{m['date']} · {m['nproc']} CPU ({m['cpu']}) · {m['ram_gib']} GiB · "
        f"OCRmyPDF {m['ocrmypdf']} · {result['total_s']:.0f} s in all"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
