"""Benchmark: the probe sweep (issue #8 acceptance: "3,400 probes per minute sustained
by the workers on this machine").

3,400 HTTP probes, one per unit as for the whole country, point at 20 loopback HTTP
servers started here, in a process of their own, that answer after 20 ms as a unit across
the network would (no other address is ever probed). ``probing.probes_run`` checks
them all with ``INFRA_PROBE_THREADS`` (32) threads and records every result in the
database, as the task worker does, three sweeps in a row; the figure is probes per
minute. Baseline in the same run: the same checks one after another (one thread), on a
sample of 300, recorded the same way (one transaction for the lot).
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from typing import Any

PROBES = 3400
SERVERS = 20
SWEEPS = 3
BASELINE_SAMPLE = 300
#: Each answer waits this long, as a unit's server across the network would (a round
#: trip to a commune over MegaWAN or the Internet is tens of milliseconds; on loopback
#: it is nothing, and the threads would have no wait to overlap).
LATENCY_MS = 20


#: The loopback servers, in a process of their own so that answering does not compete
#: with the sweep for this interpreter's GIL (a unit's server is another machine).
SERVER_SCRIPT = r"""
import asyncio, sys

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

async def answer(reader, writer):
    try:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(LATENCY)
        writer.write(ANSWER)
        await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()

async def main(count):
    servers = [await asyncio.start_server(answer, "127.0.0.1", 0, backlog=1024)
               for _ in range(count)]
    print(" ".join(str(s.sockets[0].getsockname()[1]) for s in servers), flush=True)
    await asyncio.Event().wait()

LATENCY = float(sys.argv[2])
asyncio.run(main(int(sys.argv[1])))
"""


def _servers() -> tuple[subprocess.Popen[str], list[int]]:
    """Start ``SERVERS`` loopback HTTP servers in another process; their ports."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(SERVERS), str(LATENCY_MS / 1000)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ports = [int(port) for port in process.stdout.readline().split()]
    if len(ports) != SERVERS:
        process.kill()
        raise RuntimeError("the loopback servers did not start")
    return process, ports


def _probes(ports: list[int]) -> None:
    from lienthong.audit.actors import SystemActor
    from lienthong.infra.models import Probe
    from lienthong.org.choices import UnitKind, UnitLevel
    from lienthong.org.services import unit_create

    actor = SystemActor("bench")
    root = unit_create(
        actor=actor, name="Bench: Trung ương", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL
    )
    units = [
        unit_create(
            actor=actor,
            name=f"Bench: xã {n}",
            parent=root,
            kind=UnitKind.COMMUNE_COMMITTEE,
            level=UnitLevel.COMMUNE,
        )
        for n in range(PROBES)
    ]
    Probe.objects.bulk_create(
        Probe(
            unit=unit,
            name=f"probe {n}",
            kind="http",
            url=f"http://127.0.0.1:{ports[n % len(ports)]}/healthz",
            interval_seconds=60,
            timeout_seconds=2,
        )
        for n, unit in enumerate(units)
    )


def run() -> dict[str, dict[str, Any]]:
    """Three sweeps of 3,400 probes with 32 threads, and the one-thread baseline."""
    from django.conf import settings
    from django.utils import timezone

    from lienthong.infra.models import Probe, ProbeResult
    from lienthong.infra.probing import probe_check, probes_record, probes_run

    process, ports = _servers()
    try:
        _probes(ports)
        start = timezone.now()
        rates, failures = [], 0
        for sweep in range(SWEEPS):
            moment = start + dt.timedelta(seconds=60 * sweep)
            began = time.perf_counter()
            checked = probes_run(now=moment)
            seconds = time.perf_counter() - began
            rates.append(checked / seconds * 60)
            failures += ProbeResult.objects.filter(at=moment, ok=False).count()
        sample = list(Probe.objects.order_by("pk")[:BASELINE_SAMPLE])
        moment = start + dt.timedelta(seconds=60 * SWEEPS)
        began = time.perf_counter()
        checks = [probe_check(probe) for probe in sample]
        probes_record(checks=list(zip(sample, checks, strict=True)), at=moment)
        baseline = len(sample) / (time.perf_counter() - began) * 60
    finally:
        process.kill()
        process.wait()
    rate = statistics.median(rates)
    threads = int(getattr(settings, "INFRA_PROBE_THREADS", 32))
    return {
        "probe_sweep_per_min": {"value": round(rate), "unit": f"probes/min, {threads} threads"},
        "probe_sweeps": {
            "value": " / ".join(str(round(r)) for r in rates),
            "unit": f"probes/min, {SWEEPS} sweeps of {PROBES}",
        },
        "probe_failed_checks": {"value": failures, "unit": "checks"},
        "probe_one_thread_per_min": {
            "value": round(baseline),
            "unit": f"probes/min, {len(sample)} one after another",
        },
        "probe_ratio_threads_to_one": {"value": round(rate / baseline, 2), "unit": "x"},
        "probe_target_met": {"value": str(rate >= PROBES), "unit": f">= {PROBES}/min"},
    }
