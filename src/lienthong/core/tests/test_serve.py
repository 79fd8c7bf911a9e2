"""``lienthong serve``: the web server and the task worker start, answer, and stop together."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

LIENTHONG = [sys.executable, "-m", "lienthong"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    """An environment that points lienthong at a throw-away embedded node."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env.update(
        {
            "LIENTHONG_DATA_DIR": str(data_dir),
            # Always SQLite here, even when the suite itself runs on PostgreSQL.
            "LIENTHONG_DATABASE_URL": f"sqlite:///{data_dir / 'node.sqlite3'}",
            "LIENTHONG_TASK_BACKEND": "db",
            "DJANGO_SETTINGS_MODULE": "lienthong.config.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _gone(pid: int) -> bool:
    """Tell whether no process is left in the process group led by ``pid``."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def migrated_node(tmp_path: Path) -> dict[str, str]:
    """GIVEN an embedded node whose database is migrated."""
    env = _env(tmp_path)
    subprocess.run([*LIENTHONG, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    return env


def test_serve_answers_healthz_and_stops_both_processes_on_sigterm(
    migrated_node: dict[str, str], tmp_path: Path
) -> None:
    """
    GIVEN a migrated embedded node
    WHEN `lienthong serve` starts on a free port, /healthz is polled, then SIGTERM is sent
    THEN /healthz answers 200, the banner names the URL and the children (the web
         server, the task worker and, with LIENTHONG_INTAKE_WORKERS=2, two workers of the
         intake queue: issue #7), the command exits with code 0 and none is left running.
    """
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [*LIENTHONG, "serve", "--port", str(port), "--workers", "1"],
            env={**migrated_node, "LIENTHONG_INTAKE_WORKERS": "2"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            status = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and serve.poll() is None:
                status = _status(f"http://127.0.0.1:{port}/healthz")
                if status == 200 and "Press Ctrl-C" in log.read_text(errors="replace"):
                    break
                time.sleep(0.3)
            assert status == 200, log.read_text(errors="replace")
            serve.send_signal(signal.SIGTERM)
            code = serve.wait(timeout=60)
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
    output = log.read_text(errors="replace")
    assert code == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    found = re.findall(r"(web server|task worker|intake worker \d): pid (\d+)", output)
    pids = {name: int(pid) for name, pid in found}
    assert set(pids) == {"web server", "task worker", "intake worker 1", "intake worker 2"}, output
    assert all(_gone(pid) for pid in pids.values()), pids
    assert "Shutting down: Master" in output
    assert _status(f"http://127.0.0.1:{port}/healthz") is None


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    """
    GIVEN a port another program already listens on
    WHEN `lienthong serve --port <that port>` runs
    THEN it exits with code 1 and a one-line reason, without a traceback.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*LIENTHONG, "serve", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    """
    GIVEN a fresh data directory whose database was never migrated
    WHEN `lienthong serve` runs
    THEN it exits with code 1 asking to run `lienthong migrate`, and starts nothing.
    """
    result = subprocess.run(
        [*LIENTHONG, "serve", "--port", str(_free_port())],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "lienthong migrate" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Starting gunicorn" not in result.stdout + result.stderr


@pytest.mark.parametrize("option", [["--workers", "0"], ["--port", "70000"]])
def test_serve_refuses_bad_options(tmp_path: Path, option: list[str]) -> None:
    """
    GIVEN an out-of-range --workers or --port
    WHEN `lienthong serve` runs
    THEN it exits with code 1 naming the option.
    """
    result = subprocess.run(
        [*LIENTHONG, "serve", *option],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert option[0] in result.stderr
