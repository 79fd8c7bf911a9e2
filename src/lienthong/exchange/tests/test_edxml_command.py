"""``lienthong edxml parse|validate``: the operator's view of the codec.

Exit 0 on success; exit 1 with the one line ``edxml: FILE: reason`` on a refused file
(no traceback); ``validate`` lists the problems and exits 1 when there are any. The
commands speak the node's language: these tests read them in English.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from lienthong.exchange import edxml

from .edxml_pki import FIXTURES, make_pki
from .edxml_samples import RECIPIENTS, sample_edoc, sample_status


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_parse_prints_a_readable_summary(tmp_path, capsys):
    """GIVEN a signed envelope WHEN `edxml parse FILE` runs without --json
    THEN it prints the sender, recipients, number, subject, files and signature state."""
    node = make_pki().ec_node
    path = _write(
        tmp_path,
        "doc.edxml",
        edxml.build_edoc(sample_edoc(), signing_key=node.key, signing_chain=node.chain),
    )

    call_command("edxml", "parse", str(path))
    out = capsys.readouterr().out

    assert "000.00.00.H26 Thành ủy Hà Nội" in out
    assert "000.00.00.H41 UBND Tỉnh Nghệ An; 000.00.00.H14 UBND Tỉnh Cao Bằng" in out
    assert "125/TU-VP" in out
    assert "V/v tổ chức Hội nghị" in out
    assert "125-TU-VP.pdf (application/pdf," in out
    assert "Signed by" in out


def test_parse_json_of_a_signed_envelope(tmp_path, capsys):
    """GIVEN a signed envelope and a signed status message
    WHEN `edxml parse FILE --json` runs on each
    THEN the JSON has the issue's values: ISO dates, priority as int, the status code as
    two digits, attachments with sizes, signature "valid"."""
    node = make_pki().rsa_node
    doc = _write(
        tmp_path,
        "doc.edxml",
        edxml.build_edoc(sample_edoc(), signing_key=node.key, signing_chain=node.chain),
    )
    status = _write(
        tmp_path,
        "status.edxml",
        edxml.build_status(sample_status(), signing_key=node.key, signing_chain=node.chain),
    )

    call_command("edxml", "parse", str(doc), "--json")
    report = json.loads(capsys.readouterr().out)
    call_command("edxml", "parse", str(status), "--json")
    status_report = json.loads(capsys.readouterr().out)

    assert report["kind"] == "edoc"
    assert report["from"] == [{"organ_id": "000.00.00.H26", "organ_name": "Thành ủy Hà Nội"}]
    assert [r["organ_id"] for r in report["to"]] == ["000.00.00.H41", "000.00.00.H14"]
    assert report["promulgation_date"] == "2025-03-14"
    assert report["due_date"] == "2025-03-28"
    assert report["priority"] == 1
    assert report["steering_type"] == 1
    assert report["business_doc_type"] == 0
    assert report["attachments"][0]["size"] == len(sample_edoc().attachments[0].data)
    assert report["signature"] == "valid"
    assert status_report["kind"] == "status"
    assert status_report["status_code"] == "03"
    assert status_report["to"] == [{"organ_id": "000.00.00.H26", "organ_name": ""}]
    assert status_report["timestamp"] == "2025-03-14T10:00:00+07:00"
    assert status_report["signature"] == "valid"


def test_validate_a_good_file(capsys):
    """GIVEN a platform sample that follows the standard WHEN `edxml validate FILE` runs
    THEN it says valid and returns normally (exit 0)."""
    call_command("edxml", "validate", str(FIXTURES / "status_inbox_01.edxml"))

    assert "valid" in capsys.readouterr().out


def test_validate_lists_the_problems_and_fails(tmp_path, capsys):
    """GIVEN an envelope with a duplicate recipient, priority 7 and a 12-digit number
    WHEN `edxml validate FILE` runs, as text and as JSON
    THEN each problem is listed and the command ends with "edxml: FILE: N problems"."""
    message = sample_edoc(
        recipients=(*RECIPIENTS, RECIPIENTS[0]), priority=7, code_number="123456789012"
    )
    path = _write(tmp_path, "bad.edxml", edxml.build_edoc(message))

    with pytest.raises(CommandError, match=r"^edxml: .*bad\.edxml: 3 problems$"):
        call_command("edxml", "validate", str(path))
    out = capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("edxml", "validate", str(path), "--json")
    report = json.loads(capsys.readouterr().out)

    assert "000.00.00.H41 is listed more than once" in out
    assert "Priority must be one of 0, 1, 2, 3, 4, not 7" in out
    assert "CodeNumber is longer than 11 characters" in out
    assert report["valid"] is False
    assert len(report["problems"]) == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "The envelope is empty (0 bytes)."),
        (b"<html/>", "The root element is html (namespace none), not edXML"),
    ],
    ids=["empty", "html"],
)
def test_a_refused_file_ends_with_one_line(tmp_path, capsys, content, reason):
    """GIVEN an empty file, or HTML WHEN `edxml parse FILE --json` runs
    THEN it stops with "edxml: FILE: reason" and prints nothing on stdout."""
    path = _write(tmp_path, "in.edxml", content)

    with pytest.raises(CommandError) as caught:
        call_command("edxml", "parse", str(path), "--json")

    assert str(caught.value).startswith(f"edxml: {path}: {reason}")
    assert capsys.readouterr().out == ""


def test_a_missing_file_is_refused(tmp_path):
    """GIVEN a path to nothing WHEN `edxml validate` runs THEN it says it cannot be read."""
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("edxml", "validate", str(tmp_path / "nothing.edxml"))


def test_the_console_script_prints_one_line_and_exits_1(tmp_path):
    """GIVEN a 0-byte file
    WHEN `lienthong edxml parse FILE` runs as a process
    THEN it exits 1 with exactly one line on stderr, "edxml: FILE: reason", no traceback."""
    path = _write(tmp_path, "empty.edxml", b"")

    done = subprocess.run(
        [sys.executable, "-m", "lienthong", "edxml", "parse", str(path)],
        env={**os.environ, "LIENTHONG_LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"edxml: {path}: The envelope is empty (0 bytes)."]


def test_validate_finds_what_the_standard_forbids():
    """GIVEN envelopes that break one rule each of vn-rules.md §3.3-3.6
    WHEN they are validated THEN each problem is named."""
    future = sample_edoc(promulgation_date=sample_edoc().promulgation_date.replace(year=2999))
    cases = {
        "in the future": future,
        "is not an organisation id": sample_edoc(
            sender=replace(sample_edoc().sender, organ_id="h26 hà nội")
        ),
        "Subject is empty": sample_edoc(subject=""),
        "DocumentType/Type must be one of 1, 2, not 3": sample_edoc(type=3),
        "SteeringType must be one of 0, 1, 2, not 5": sample_edoc(steering_type=5),
        "BussinessDocType must be one of 0, 1, 2, 3, not 4": sample_edoc(
            business=edxml.Business(doc_type=4)
        ),
        "must name the documents it replaces": sample_edoc(business=edxml.Business(doc_type=3)),
        "The document has no recipient": sample_edoc(recipients=()),
        "TraceHeader is missing": sample_edoc(trace=()),
    }
    for fragment, message in cases.items():
        problems = edxml.validate(edxml.build_edoc(message))
        assert any(fragment in problem for problem in problems), (fragment, problems)
    reserved = edxml.build_status(sample_status()).replace(
        b"<edXML:StatusCode>03<", b"<edXML:StatusCode>09<"
    )
    assert any("StatusCode must be one of" in p for p in edxml.validate(reserved))


def test_validate_problems_can_be_translated():
    """GIVEN a problem found by validate WHEN it is translated THEN it is still one line
    with its values (the English msgid serves until the catalogue has it)."""
    (problem,) = edxml.validate(edxml.build_edoc(sample_edoc(priority=9)))

    assert isinstance(problem, edxml.Problem)
    assert "9" in problem.translated()
    assert "\n" not in problem.translated()
