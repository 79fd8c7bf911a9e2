#!/usr/bin/env python3
"""Run two or three lienthong nodes on one machine, on loopback (issue #5 scope 7).

Each node has its own data directory, database, node code, port and CA; the first is
the central node that signs the network directory. Used by the integration tests and
the exchange benchmark, and by a developer who wants to watch documents travel:

    .venv/bin/python scripts/nodes.py setup --root var/nodes          # A (central), B, C
    .venv/bin/python scripts/nodes.py start --root var/nodes          # lienthong serve, each node
    .venv/bin/python scripts/nodes.py env B --root var/nodes          # export lines for B
    .venv/bin/python scripts/nodes.py stop --root var/nodes

``setup`` is, for every node: ``migrate``; ``load_units`` of the central level and
two provinces (Hà Nội, Nghệ An); ``ca init`` (each node its own root: the nodes then
trust each other's roots by ``ca import-anchor``, as separate provinces would before a
national root exists); then the directory: B describes the Hà Nội subtree and C the
Nghệ An subtree, A adds them and publishes, B and C import what A signed. Plain HTTP on
loopback (the envelope is signed and its attachments encrypted end to end; production
puts nginx with mutual TLS in front, docs/admin/exchange.md).

With ``--database-url postgres://…/{code}`` each node gets its own PostgreSQL
database (``{code}`` is replaced by the node's code in lower case; the databases are
created, and dropped first when they exist).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIENTHONG = str(Path(sys.executable).with_name("lienthong"))

#: (code, name, provincial subtree it hosts: the package's province code or None).
NODES: tuple[tuple[str, str, int | None], ...] = (
    ("A", "Nút Trung ương (thử)", None),
    ("B", "Nút Hà Nội (thử)", 1),
    ("C", "Nút Nghệ An (thử)", 40),
)
PROVINCES = (1, 40)


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    province: int | None
    port: int
    root: Path
    database_url: str

    @property
    def data_dir(self) -> Path:
        return self.root / self.code

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in list(env):
            if name.startswith("LIENTHONG_"):
                del env[name]
        env.update(
            {
                "LIENTHONG_DATA_DIR": str(self.data_dir),
                "LIENTHONG_DATABASE_URL": self.database_url,
                "LIENTHONG_NODE_CODE": self.code,
                "LIENTHONG_NODE_NAME": self.name,
                "LIENTHONG_PUBLIC_URL": self.url,
                "LIENTHONG_NETWORK_PROFILE": "dedicated",
                "LIENTHONG_SECRET_KEY": f"loopback-{self.code}-not-secret-" + "x" * 40,
                "LIENTHONG_KEY_ENCRYPTION_KEY": f"loopback-key-{self.code}",
                "LIENTHONG_EXCHANGE_DIRECTORY_ISSUER": "A",
                "LIENTHONG_EXCHANGE_SWEEP_SECONDS": os.environ.get(
                    "LIENTHONG_EXCHANGE_SWEEP_SECONDS", "2"
                ),
                "LIENTHONG_EXCHANGE_RETRY_BASE_SECONDS": os.environ.get(
                    "LIENTHONG_EXCHANGE_RETRY_BASE_SECONDS", "1"
                ),
                "LIENTHONG_EXCHANGE_RETRY_MAX_SECONDS": os.environ.get(
                    "LIENTHONG_EXCHANGE_RETRY_MAX_SECONDS", "5"
                ),
                "LIENTHONG_EXCHANGE_RETRY_LIMIT": os.environ.get(
                    "LIENTHONG_EXCHANGE_RETRY_LIMIT", "1000"
                ),
                "LIENTHONG_DOCUMENT_SIGNATURE_LEVEL": "B-T",
                "LIENTHONG_LOG_LEVEL": "warning",
            }
        )
        return env


def nodes(root: Path, count: int, base_port: int, database_url: str) -> list[Node]:
    out = []
    for index, (code, name, province) in enumerate(NODES[:count]):
        if database_url:
            url = database_url.replace("{code}", code.lower())
        else:
            url = f"sqlite:///{root / code / 'lienthong.sqlite3'}"
        out.append(Node(code, name, province, base_port + index, root, url))
    return out


def run(node: Node, *args: str, capture: bool = False, stdin: bytes | None = None) -> str:
    result = subprocess.run(
        [LIENTHONG, *args],
        env=node.env(),
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout.decode(errors="replace")[-2000:])
        sys.stderr.write(result.stderr.decode(errors="replace")[-4000:])
        raise SystemExit(f"nodes: {node.code}: lienthong {' '.join(args)} failed")
    return result.stdout.decode("utf-8") if capture else ""


def _recreate_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    base, _sep, name = url.rpartition("/")
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup(all_nodes: list[Node]) -> None:
    """Prepare every node from nothing (an existing root is wiped first)."""
    for node in all_nodes:
        if node.data_dir.exists():
            shutil.rmtree(node.data_dir)
        node.data_dir.mkdir(parents=True)
        _recreate_database(node.database_url)
        say(f"{node.code}: migrate, units, CA")
        run(node, "migrate", "--no-input", "-v", "0")
        wanted = [n.province for n in all_nodes if n.province is not None] or list(PROVINCES)
        provinces = [arg for code in wanted for arg in ("--province", str(code))]
        run(node, "load_units", "--json", *provinces)
        run(node, "ca", "init", "--name", f"Mạng thử {node.code}", "--slug", node.code.lower())
    for node in all_nodes:
        run(node, "ca", "export-root", "--out", str(node.root / f"{node.code}-root.pem"))
    for node in all_nodes:
        for other in all_nodes:
            if other.code != node.code:
                pem = str(node.root / f"{other.code}-root.pem")
                run(node, "ca", "import-anchor", "--name", f"Gốc nút {other.code}", pem)
    central, *others = all_nodes
    directory = central.root / "directory.p7m"
    for node in others:
        assert node.province is not None
        description = run(
            node,
            "exchange_directory",
            "describe",
            "--subtree",
            f"vn:p:{node.province:02d}",
            capture=True,
        )
        run(central, "exchange_directory", "add-node", "-", stdin=description.encode("utf-8"))
    run(central, "exchange_directory", "publish", str(directory))
    run(central, "exchange_directory", "publish")
    # The others check the directory's signer against the central CA's CRL, which the
    # central node serves: it runs while they import.
    start([central])
    try:
        for node in others:
            run(node, "exchange_directory", "import", str(directory))
    finally:
        stop([central])
    say("ready: " + ", ".join(f"{n.code} {n.url}" for n in all_nodes))


def _pid_file(node: Node) -> Path:
    return node.data_dir / "serve.pid"


def start(all_nodes: list[Node], *, workers: int = 1) -> None:
    """Start ``lienthong serve`` for every node and wait for /healthz."""
    for node in all_nodes:
        log = (node.data_dir / "serve.log").open("ab")
        process = subprocess.Popen(
            [LIENTHONG, "serve", "--port", str(node.port), "--workers", str(workers)],
            env=node.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _pid_file(node).write_text(str(process.pid))
    for node in all_nodes:
        wait_healthy(node)
    say("running: " + ", ".join(f"{n.code} {n.url}" for n in all_nodes))


def wait_healthy(node: Node, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{node.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"nodes: {node.code} did not answer /healthz within {timeout:.0f} s")


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (``lienthong serve`` starts its children in process
    groups of their own, so a SIGKILL of its group alone would orphan them)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        children = Path(f"/proc/{parent}/task/{parent}/children")
        try:
            kids = [int(p) for p in children.read_text().split()]
        except OSError:
            kids = []
        found.extend(kids)
        pending.extend(kids)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        if state.read_text().split(") ", 1)[1].startswith("Z"):
            return False  # a zombie waiting for its parent: gone for our purpose
    return True


def stop(all_nodes: list[Node], *, sig: int = signal.SIGTERM) -> None:
    """Stop the nodes started by ``start``.

    SIGTERM goes to ``lienthong serve``, which stops its children cleanly; SIGKILL (a
    crash) goes to every process of the node at once, as a power cut would.
    """
    for node in all_nodes:
        pid_file = _pid_file(node)
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        targets = [pid, *_descendants(pid)] if sig == signal.SIGKILL else [pid]
        for target in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(target, sig)
        deadline = time.monotonic() + 40
        everyone = [pid, *_descendants(pid)] if sig != signal.SIGKILL else targets
        while time.monotonic() < deadline and any(_alive(p) for p in everyone):
            time.sleep(0.2)
        pid_file.unlink(missing_ok=True)


def say(text: str) -> None:
    print(f"[nodes] {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("setup", "start", "stop", "kill", "env", "status"))
    parser.add_argument("node", nargs="?", help="the node, for env")
    parser.add_argument("--root", default=str(ROOT / "var" / "nodes"), type=Path)
    parser.add_argument("--count", type=int, default=3, choices=(2, 3))
    parser.add_argument("--base-port", type=int, default=8101)
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL URL template with {code}, e.g. postgres://postgres@127.0.0.1/lt_{code}",
    )
    options = parser.parse_args(argv)
    root = options.root.resolve()
    all_nodes = nodes(root, options.count, options.base_port, options.database_url)
    if options.action == "setup":
        setup(all_nodes)
    elif options.action == "start":
        start(all_nodes)
    elif options.action == "stop":
        stop(all_nodes)
    elif options.action == "kill":
        stop(all_nodes, sig=signal.SIGKILL)
    elif options.action == "env":
        node = next((n for n in all_nodes if n.code == (options.node or "").upper()), None)
        if node is None:
            raise SystemExit("nodes: name the node: A, B or C")
        for name, value in node.env().items():
            if name.startswith("LIENTHONG_"):
                print(f"export {name}={json.dumps(value)}")
    else:
        for node in all_nodes:
            state = "running" if _pid_file(node).exists() else "stopped"
            print(f"{node.code} {node.url} {state} {node.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
