"""``lienthong serve``: run the node — the WSGI server (gunicorn) and the task worker.

This is what ``make demo`` ends with, and a simple way to run a small node without a
process manager. It supervises two child processes:

* gunicorn serving ``lienthong.config.wsgi:application`` (2 workers by default: SQLite
  in WAL mode lets several processes read while one writes; access log to stdout);
* ``lienthong worker`` (the task worker of the configured backend).

SIGINT (Ctrl-C) and SIGTERM are forwarded to both children, and the command waits for
them to stop before it exits with code 0. If one child dies on its own, the other is
stopped and the command exits with code 1 naming the child: nothing is restarted
silently (a process manager such as systemd does restarts, docs/admin/index.md).

Each child runs in its own process group, so Ctrl-C in a terminal reaches only this
supervisor, which forwards it once (the database worker treats a second signal as
"kill the running task").
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

#: The WSGI entry point gunicorn serves.
WSGI_APP = "lienthong.config.wsgi:application"
#: Seconds a child gets to stop after the signal before it is killed.
STOP_TIMEOUT = 30.0
#: Seconds gunicorn gives a request in flight when it is asked to stop.
GRACEFUL_TIMEOUT = 10
#: Seconds the supervisor waits for the web server to accept connections.
READY_TIMEOUT = 60.0
_POLL = 0.2


@dataclass
class Child:
    """A supervised child process."""

    name: str
    """What the banner and the error messages call it."""
    process: subprocess.Popen[bytes]
    """The running process (leader of its own process group)."""
    stopped: bool = field(default=False)
    """Whether it has exited and been reaped."""


def gunicorn_command(*, host: str, port: int, workers: int) -> list[str]:
    """Build the gunicorn command line for this node.

    Args:
        host: the address to bind (IPv4, IPv6 or a host name).
        port: the TCP port.
        workers: how many gunicorn worker processes.

    Returns:
        The argument vector, run with the same Python interpreter as this command.
    """
    bind_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APP,
        "--bind",
        f"{bind_host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT),
        "--timeout",
        "60",
        "--log-level",
        "info",
    ]


def worker_command(queue: str = "default") -> list[str]:
    """Build the command line of a task worker (``lienthong worker --queue QUEUE``)."""
    return [sys.executable, "-m", "lienthong", "worker", "--queue", queue]


def connect_host(host: str) -> str:
    """Return the address a local client uses to reach a server bound to ``host``."""
    if host in {"", "0.0.0.0"}:
        return "127.0.0.1"
    if host in {"::", "[::]"}:
        return "::1"
    return host.strip("[]")


def port_is_free(host: str, port: int) -> bool:
    """Tell whether ``host:port`` can be bound now (nothing else listens there)."""
    address = host.strip("[]") or "0.0.0.0"
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


def is_listening(host: str, port: int) -> bool:
    """Tell whether a server accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((connect_host(host), port), timeout=0.5):
            return True
    except OSError:
        return False


def unapplied_migrations() -> int:
    """Count the migrations not yet applied to the default database."""
    connection = connections["default"]
    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    finally:
        connection.close()


class Command(BaseCommand):
    help = (
        "Serve this node: the gunicorn web server and the task worker, until Ctrl-C or "
        "SIGTERM. Run `lienthong migrate` first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare --host, --port, --workers and --no-worker."""
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="TCP port (8000)")
        parser.add_argument(
            "--workers", type=int, default=2, help="web server processes (2; 1 to 32)"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the task worker (it runs elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Check, start both children, supervise them, stop them on a signal."""
        host: str = options["host"]
        port: int = options["port"]
        workers: int = options["workers"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, got {port}.")
        if not 1 <= workers <= 32:
            raise CommandError(f"--workers must be between 1 and 32, got {workers}.")
        if not port_is_free(host, port):
            raise CommandError(
                f"{host}:{port} is already in use (is another lienthong running?). "
                "Stop it or choose another --port."
            )
        pending = unapplied_migrations()
        if pending:
            raise CommandError(
                f"The database has {pending} unapplied migration(s): run `lienthong migrate` first."
            )
        # WhiteNoise warns on every process start when STATIC_ROOT is missing.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        with_worker = not options["no_worker"] and settings.TASK_BACKEND != "immediate"
        exit_code = self._supervise(host=host, port=port, workers=workers, worker=with_worker)
        if exit_code:
            raise SystemExit(exit_code)

    # --- supervision --------------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> Child:
        sys.stdout.flush()
        process = subprocess.Popen(command, process_group=0)  # own group: see module doc
        return Child(name=name, process=process)

    def _supervise(self, *, host: str, port: int, workers: int, worker: bool) -> int:
        received: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            received.append(signum)

        previous = {
            signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)
        }
        children: list[Child] = []
        try:
            children.append(
                self._start("web server", gunicorn_command(host=host, port=port, workers=workers))
            )
            if worker:
                children.append(self._start("task worker", worker_command()))
                # Reading scans (OCR) on their own queue: INTAKE_WORKERS at once (issue #7).
                for number in range(int(getattr(settings, "INTAKE_WORKERS", 1))):
                    children.append(
                        self._start(f"intake worker {number + 1}", worker_command("intake"))
                    )
            return self._watch(children, received=received, host=host, port=port, worker=worker)
        finally:
            self._stop(children, signum=received[0] if received else signal.SIGTERM)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _watch(
        self, children: list[Child], *, received: list[int], host: str, port: int, worker: bool
    ) -> int:
        ready = False
        started = time.monotonic()
        while not received:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    child.stopped = True
                    self.stderr.write(
                        f"lienthong serve: the {child.name} (pid {child.process.pid}) exited "
                        f"with code {code}; stopping the node."
                    )
                    return 1
            if not ready:
                if is_listening(host, port):
                    ready = True
                    self._banner(children, host=host, port=port, worker=worker)
                elif time.monotonic() - started > READY_TIMEOUT:
                    self.stderr.write(
                        f"lienthong serve: the web server did not listen on {host}:{port} "
                        f"within {READY_TIMEOUT:.0f} s; stopping the node."
                    )
                    return 1
            time.sleep(_POLL)
        name = signal.Signals(received[0]).name
        self.stdout.write(f"lienthong serve: {name} received, stopping.")
        return 0

    def _banner(self, children: list[Child], *, host: str, port: int, worker: bool) -> None:
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        lines = [
            "",
            "=" * 64,
            f"  lienthong is serving {settings.NODE_NAME}",
            f"  Open http://{shown}:{port}/ in a browser.",
        ]
        lines += [f"  {child.name}: pid {child.process.pid}" for child in children]
        if not worker:
            lines.append("  task worker: not started here (--no-worker or immediate backend)")
        lines += ["  Press Ctrl-C to stop.", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _stop(self, children: list[Child], *, signum: int) -> None:
        forwarded = signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT
        for child in children:
            if child.process.poll() is None:
                # The leader only: gunicorn's master stops its own workers gracefully.
                _signal(child.process.pid, forwarded)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(
                    f"lienthong serve: the {child.name} did not stop in {STOP_TIMEOUT:.0f} s; "
                    "killing it."
                )
                _signal(child.process.pid, signal.SIGKILL, group=True)
                child.process.wait()
            child.stopped = True


def _signal(pid: int, signum: int, *, group: bool = False) -> None:
    """Send ``signum`` to a child, or to its whole process group (its own workers too)."""
    try:
        if group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass
