"""``lienthong edxml parse FILE [--json]`` and ``lienthong edxml validate FILE [--json]``.

For operators: read an edXML envelope or status message (QCVN 102:2016) as lienthong
reads it, or list what in it is not as the standard wants. Nothing is stored.
A refused file ends with exit code 1 and one line ``edxml: FILE: reason`` on stderr.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from lienthong.exchange import edxml
from lienthong.exchange.edxml.codes import BUSINESS_DOC_TYPES, PRIORITIES, STEERING_TYPES


class Refusal(CommandError):
    """A refused file: printed as the bare line ``edxml: FILE: reason``."""


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _party(organization: edxml.Organization) -> dict[str, str]:
    return {"organ_id": organization.organ_id, "organ_name": organization.organ_name}


def _empty_report() -> dict[str, Any]:
    return {
        "kind": None,
        "from": [],
        "to": [],
        "document_id": None,
        "code_number": None,
        "code_notation": None,
        "promulgation_date": None,
        "due_date": None,
        "place": None,
        "type": None,
        "type_name": None,
        "subject": None,
        "content": None,
        "priority": None,
        "steering_type": None,
        "business_doc_type": None,
        "business_reason": None,
        "signer": None,
        "to_places": [],
        "response_for": [],
        "trace": [],
        "attachments": [],
        "status_code": None,
        "status_meaning": None,
        "description": None,
        "timestamp": None,
    }


def report_of(parsed: edxml.ParsedMessage) -> dict[str, Any]:
    """The JSON report of a parsed envelope (issue #5 scope 1 keys, and more)."""
    report = _empty_report()
    report["kind"] = parsed.kind
    message = parsed.message
    report["from"] = [_party(message.sender)]
    if isinstance(message, edxml.StatusMessage):
        response = message.response_for
        number, _slash, notation = response.code.partition("/")
        report.update(
            {
                # The status goes to the organisation named in ResponseFor (vn-rules.md §3.5).
                "to": [{"organ_id": response.organ_id, "organ_name": ""}]
                if response.organ_id
                else [],
                "document_id": response.document_id,
                "code_number": number,
                "code_notation": notation,
                "promulgation_date": _iso(response.promulgation_date),
                "status_code": message.status_code,
                "status_meaning": edxml.STATUS_CODES[message.status_code],
                "description": message.description,
                "timestamp": _iso(message.timestamp),
            }
        )
    else:
        report.update(
            {
                "to": [_party(recipient) for recipient in message.recipients],
                "document_id": message.document_id,
                "code_number": message.code_number,
                "code_notation": message.code_notation,
                "promulgation_date": _iso(message.promulgation_date),
                "due_date": _iso(message.due_date),
                "place": message.place,
                "type": message.type,
                "type_name": message.type_name,
                "subject": message.subject,
                "content": message.content,
                "priority": message.priority,
                "steering_type": message.steering_type,
                "business_doc_type": message.business.doc_type,
                "business_reason": message.business.reason,
                "signer": (
                    {
                        "competence": message.signer.competence,
                        "position": message.signer.position,
                        "full_name": message.signer.full_name,
                    }
                    if message.signer is not None
                    else None
                ),
                "to_places": list(message.to_places),
                "response_for": [
                    {
                        "organ_id": r.organ_id,
                        "code": r.code,
                        "promulgation_date": _iso(r.promulgation_date),
                        "document_id": r.document_id,
                    }
                    for r in message.response_for
                ],
                "trace": [
                    {"organ_id": organ_id, "timestamp": _iso(stamp)}
                    for organ_id, stamp in message.trace
                ],
                "attachments": [
                    {
                        "name": a.name,
                        "content_type": a.content_type,
                        "size": len(a.data),
                        "description": a.description,
                        "content_id": a.content_id,
                    }
                    for a in message.attachments
                ],
            }
        )
    report["signature"] = parsed.signature.state
    report["signature_reason"] = parsed.signature.reason
    return report


class Command(BaseCommand):
    help = "Read (parse) or check (validate) an edXML envelope or status message (QCVN 102:2016)."
    # A file reader: no database, no settings worth checking first.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="parse|validate")
        for name, text in (
            ("parse", "print the header fields, attachments and signature state"),
            ("validate", "list what does not follow the standard; exit 1 when anything does"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("file", help="the .edxml file")
            sub.add_argument("--json", action="store_true", help="print JSON")

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except Refusal as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            # One line, without Django's "CommandError: " prefix (issue #5 scope 1).
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Refusal(
                _("edxml: %(file)s: cannot be read (%(error)s)")
                % {"file": name, "error": exc.strerror or exc.__class__.__name__}
            ) from exc
        if options["action"] == "validate":
            self._validate(name, data, as_json=options["json"])
        else:
            self._parse(name, data, as_json=options["json"])

    def _parse(self, name: str, data: bytes, *, as_json: bool) -> None:
        try:
            parsed = edxml.parse(data)
        except edxml.EdxmlError as exc:
            raise Refusal(
                _("edxml: %(file)s: %(reason)s") % {"file": name, "reason": exc.translated()}
            ) from exc
        report = report_of(parsed)
        if as_json:
            self.stdout.write(json.dumps({"file": name, **report}, ensure_ascii=False, indent=2))
            return
        self._summary(name, parsed, report)

    def _summary(self, name: str, parsed: edxml.ParsedMessage, report: dict[str, Any]) -> None:
        def line(label: str, value: Any) -> None:
            if value not in (None, "", []):
                self.stdout.write(f"{label}: {value}")

        kind = _("document") if parsed.kind == "edoc" else _("status message")
        self.stdout.write(f"{name}: {kind}")
        line(pgettext("edxml", "From"), _people(report["from"]))
        line(pgettext("edxml", "To"), _people(report["to"]))
        line(pgettext("edxml", "Document id"), report["document_id"])
        number = "/".join(p for p in (report["code_number"], report["code_notation"]) if p)
        line(pgettext("edxml", "Number and notation"), number)
        line(pgettext("edxml", "Issued on"), report["promulgation_date"])
        line(pgettext("edxml", "Place"), report["place"])
        line(pgettext("edxml", "Type"), report["type_name"])
        line(pgettext("edxml", "Subject"), report["subject"])
        if report["priority"] is not None:
            line(
                pgettext("edxml", "Priority"),
                f"{report['priority']} ({PRIORITIES.get(report['priority'], '?')})",
            )
        if report["steering_type"] is not None:
            line(
                pgettext("edxml", "Steering type"),
                f"{report['steering_type']} ({STEERING_TYPES.get(report['steering_type'], '?')})",
            )
        line(pgettext("edxml", "Due date"), report["due_date"])
        if report["business_doc_type"] is not None:
            line(
                pgettext("edxml", "Business"),
                f"{report['business_doc_type']} "
                f"({BUSINESS_DOC_TYPES.get(report['business_doc_type'], '?')})",
            )
        if report["status_code"] is not None:
            line(
                pgettext("edxml", "Status"),
                f"{report['status_code']} ({report['status_meaning']})",
            )
            line(pgettext("edxml", "Description"), report["description"])
            line(pgettext("edxml", "Time"), report["timestamp"])
        for attachment in report["attachments"]:
            line(
                pgettext("edxml", "Attachment"),
                _("%(name)s (%(type)s, %(size)s bytes)")
                % {
                    "name": attachment["name"],
                    "type": attachment["content_type"],
                    "size": attachment["size"],
                },
            )
        states = {
            "valid": pgettext("signature state", "valid"),
            "invalid": pgettext("signature state", "invalid"),
            "unverifiable": pgettext("signature state", "unverifiable"),
            "absent": pgettext("signature state", "absent"),
        }
        line(
            pgettext("edxml", "Signature"),
            f"{states[parsed.signature.state]} ({parsed.signature.reason})",
        )

    def _validate(self, name: str, data: bytes, *, as_json: bool) -> None:
        problems = edxml.validate(data)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"file": name, "valid": not problems, "problems": [str(p) for p in problems]},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        elif problems:
            for problem in problems:
                text = problem.translated() if isinstance(problem, edxml.Problem) else problem
                self.stdout.write(f"- {text}")
        else:
            self.stdout.write(_("%(file)s: valid (QCVN 102:2016)") % {"file": name})
        if problems:
            raise Refusal(
                ngettext(
                    "edxml: %(file)s: %(count)s problem",
                    "edxml: %(file)s: %(count)s problems",
                    len(problems),
                )
                % {"file": name, "count": len(problems)}
            )


def _people(parties: list[dict[str, str]]) -> str:
    return "; ".join(f"{p['organ_id']} {p['organ_name']}".strip() for p in parties)
