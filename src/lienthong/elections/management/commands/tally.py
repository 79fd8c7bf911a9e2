"""``lienthong tally FILE.json [--json]``: count one round from a file, for auditors.

The input and output forms are issue #6's (``lienthong.elections.tally``). Anyone can
re-run the count of a published round and compare. A file that cannot be counted ends
with exit code 1 and one line ``tally: FILE: reason`` on stderr; nothing is stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from lienthong.elections.tally import TallyInputError, count, result_to_json, round_from_json


class Command(BaseCommand):
    help = (
        "Count one round of a Party election from a JSON file (rules party-190-2024 or "
        "party-244-2014) and print the result; --json prints it as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the round, as JSON ('-' reads standard input)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="FILE is an evidence package (ZIP): check its manifest, count its round "
            "again and compare, check its journal",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if options["verify"]:
            self._verify(name, as_json=options["json"])
            return
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
            result = count(round_from_json(json.loads(text)))
        except OSError as exc:
            self._refuse(name, f"cannot read it: {exc.strerror or exc}")
        except UnicodeDecodeError:
            self._refuse(name, "not UTF-8 text")
        except json.JSONDecodeError as exc:
            self._refuse(name, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        except TallyInputError as exc:
            self._refuse(name, str(exc))
        output = result_to_json(result)
        if options["json"]:
            self.stdout.write(json.dumps(output, ensure_ascii=False))
            return
        self.stdout.write(self._text(output))

    def _verify(self, name: str, *, as_json: bool) -> None:
        from lienthong.elections.evidence import MAX_PACKAGE_BYTES, verify_package

        try:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_PACKAGE_BYTES + 1)
        except OSError as exc:
            self._refuse(name, f"cannot read it: {exc.strerror or exc}")
        check = verify_package(data)
        if as_json:
            self.stdout.write(
                json.dumps({"ok": check.ok, "problems": check.problems}, ensure_ascii=False)
            )
        elif check.ok:
            self.stdout.write(f"{name}: intact; counting it again gives the published result")
        if not check.ok:
            self._refuse(name, "; ".join(check.problems))

    def _refuse(self, name: str, reason: str) -> NoReturn:
        sys.stderr.write(f"tally: {name}: {reason}\n")
        sys.stderr.flush()
        raise SystemExit(1)

    @staticmethod
    def _text(output: dict[str, Any]) -> str:
        lines = [
            f"base {output['base']}, received {output['received']}, "
            f"valid {output['valid']}, invalid {output['invalid']}",
        ]
        for reason, number in output["invalid_by_reason"].items():
            if number:
                lines.append(f"  invalid, {reason.replace('_', ' ')}: {number}")
        for c in output["candidates"]:
            mark = "*" if c["elected"] else " "
            lines.append(
                f"{mark} {c['name']:<30} {c['votes']:>6}  {c['percent_of_base']:>6} % of base"
                f"  {c['percent_of_valid']:>6} % of valid"
            )
        lines.append(f"status: {output['status']}")
        if output.get("alternates"):
            lines.append("alternates, in order: " + ", ".join(output["alternates"]))
        if output["tie"]:
            lines.append(
                f"tie for {output['tie']['seats']} seat(s) among: "
                + ", ".join(output["tie"]["candidates"])
            )
        if output["shortfall"]:
            lines.append(f"seats not filled: {output['shortfall']}")
        return "\n".join(lines)
