"""Benchmark: the public portal's throughput (issue #10 acceptance: "the portal home and
a document page at >= 300 requests/s on this machine (wrk or locust against
gunicorn/granian on loopback)").

The data: the demo of ``make demo`` as far as the portal shows it (``load_units``,
``load_demo``, the library's public publications of ``load_demo_library``, the
announcements of ``load_demo_portal``; without ``load_demo_documents`` no issued document
is published, so the document page is a public publication of the library, with its
PDF link). The server: gunicorn exactly as ``lienthong serve``
starts it (``serve.gunicorn_command``, 2 workers on 2 cores, access log discarded),
on 127.0.0.1. The load: Debian's ``wrk`` (2 threads, 32 connections, 20 s per URL, after
a 3 s warm-up) on the portal home, a public document's page and, as the baseline of the
same run, ``/healthz``: a small page that is never cached and asks the database and the
outbox every time, as an uncached portal page would. wrk shares the
2 cores with the server, as it would on a single-machine test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

PORT = 8191
THREADS, CONNECTIONS, SECONDS = 2, 32, 20


def _data() -> dict[str, str]:
    """Load the demo; return the paths to load (home, a document page)."""
    import contextlib
    import io

    from django.core.management import call_command

    for command in ("load_units", "load_demo", "load_demo_library", "load_demo_portal"):
        with contextlib.redirect_stderr(io.StringIO()):
            call_command(command, stdout=io.StringIO())
    from lienthong.portal.selectors import published_documents_public
    from lienthong.records.library.selectors import publications_public

    document = published_documents_public().order_by("pk").first()
    if document is not None:
        page = f"/cong-thong-tin/van-ban/{document.pk}/"
    else:
        publication = publications_public().order_by("pk").first()
        assert publication is not None, "the demo has no public document"
        page = f"/cong-thong-tin/van-kien/{publication.pk}/"
    return {"home": "/cong-thong-tin/", "document_page": page, "baseline_healthz": "/healthz"}


def _wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)

    def latency(pct: str) -> float:
        found = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        assert found is not None, out
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rate": rate,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def run() -> dict[str, dict[str, Any]]:
    """Serve the demo with gunicorn on loopback and drive it with wrk."""
    from lienthong.core.management.commands.serve import gunicorn_command

    if shutil.which("wrk") is None:
        raise SystemExit("bench_portal needs wrk (apt-get install wrk)")
    paths = _data()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "LIENTHONG_LOG_LEVEL": "warning"}
    server = subprocess.Popen(
        gunicorn_command(host="127.0.0.1", port=PORT, workers=2),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    results: dict[str, dict[str, Any]] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        for name, path in paths.items():
            with urllib.request.urlopen(f"{base}{path}", timeout=10) as answer:
                assert answer.status == 200, (name, answer.status)
            _wrk(f"{base}{path}", 3)  # warm-up: every worker fills its cache
            figures = _wrk(f"{base}{path}", SECONDS)
            results[f"{name}_rate"] = {"value": round(figures["rate"]), "unit": "requests/s"}
            results[f"{name}_p50"] = {"value": figures["p50"], "unit": "ms"}
            results[f"{name}_p99"] = {"value": figures["p99"], "unit": "ms"}
            results[f"{name}_errors"] = {
                "value": int(figures["errors"] + figures["socket_errors"]),
                "unit": "non-2xx responses or socket errors",
            }
    finally:
        import signal

        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    baseline = results["baseline_healthz_rate"]["value"]
    for name in ("home", "document_page"):
        results[f"{name}_vs_baseline"] = {
            "value": round(results[f"{name}_rate"]["value"] / baseline, 2),
            "unit": "x the /healthz rate",
        }
    slowest = min(results["home_rate"]["value"], results["document_page_rate"]["value"])
    results["target_met"] = {"value": str(slowest >= 300), "unit": ">= 300 requests/s"}
    results["paths"] = {"value": paths["document_page"], "unit": "document page measured"}
    print(f"python {sys.version.split()[0]}", file=sys.stderr)
    return results
