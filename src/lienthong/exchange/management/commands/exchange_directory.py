"""``lienthong exchange_directory``: describe this node, add nodes, publish and import the
signed network directory (issue #5 scope 2; see lienthong/exchange/directory.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import ApplicationError
from lienthong.exchange.directory import published_path

ACTOR = SystemActor("exchange_directory")


def _read(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from exc


def _write(path: str | None, data: bytes) -> None:
    if not path or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from exc


class Command(BaseCommand):
    help = (
        "The network directory. describe: print this node's description (JSON) for the "
        "central node; add-node FILE: (central) add or update a node from its description; "
        "publish [OUT]: (central) sign the directory (CMS, DER); import FILE / fetch URL: "
        "verify and apply a signed directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        describe = sub.add_parser("describe", help="print this node's description (JSON)")
        describe.add_argument(
            "--subtree",
            action="append",
            default=[],
            metavar="UNIT",
            help="a unit (address or reference key) whose subtree this node hosts; repeat",
        )
        add = sub.add_parser("add-node", help="add or update a node from its description")
        add.add_argument("file", help="the node's description (JSON), or - for stdin")
        publish = sub.add_parser("publish", help="sign and write the directory")
        publish.add_argument("out", nargs="?", help="output file (default: the served copy)")
        load = sub.add_parser("import", help="verify and apply a signed directory")
        load.add_argument("file", help="the signed directory, or - for stdin")
        fetch = sub.add_parser("fetch", help="download, verify and apply a signed directory")
        fetch.add_argument("url", help="e.g. https://tw.example.vn/exchange/v1/directory")
        for each in (add, load, fetch):
            each.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args: Any, **options: Any) -> None:
        from lienthong.exchange import directory

        action = options["action"]
        try:
            if action == "describe":
                text = json.dumps(
                    directory.node_describe(subtrees=options["subtree"] or None),
                    ensure_ascii=False,
                    indent=2,
                )
                self.stdout.write(text)
                return
            if action == "add-node":
                try:
                    description = json.loads(_read(options["file"]).decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise CommandError(f"{options['file']}: not a JSON description") from exc
                report = directory.node_add(actor=ACTOR, description=description)
            elif action == "publish":
                data = directory.directory_publish(actor=ACTOR)
                _write(options.get("out") or str(published_path()), data)
                if options.get("out") in (None, ""):
                    self.stdout.write(f"published {published_path()}")
                return
            else:
                data = _read(options["file"]) if action == "import" else self._fetch(options["url"])
                report = directory.directory_import(actor=ACTOR, data=data)
                _write(str(published_path()), data)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        summary = report.as_dict()
        if options.get("json"):
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))

    def _fetch(self, url: str) -> bytes:
        from lienthong.exchange.transport import tls_options

        try:
            response = requests.get(url, timeout=30, allow_redirects=False, **tls_options())
        except requests.RequestException as exc:
            raise CommandError(f"{url}: {exc}") from exc
        if response.status_code != 200:
            raise CommandError(f"{url}: HTTP {response.status_code}")
        return response.content
