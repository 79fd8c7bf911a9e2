"""Interop with the field: every published sample read by ``lienthong edxml parse --json``.

Issue #5, first acceptance point: each envelope and status message of the national
platform's SDK (tests/fixtures/edxml/, warts included) is read with its header fields
right, or refused with a one-line reason; the example signatures are reported as
unverifiable (or absent), never as valid, never as a crash.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command
from django.utils import translation

from lienthong.exchange import edxml

from .edxml_pki import FIXTURES, fixture_bytes

VPCP = {"organ_id": "000.00.00.G22", "organ_name": "Văn phòng Chính phủ"}
NGHE_AN = {"organ_id": "000.00.00.H41", "organ_name": "UBND Tỉnh Nghệ An"}
THREE_RECIPIENTS = [
    NGHE_AN,
    {"organ_id": "000.00.00.H14", "organ_name": "UBND Tỉnh Cao Bằng"},
    {"organ_id": "000.00.00.G17", "organ_name": "Sở Thông tin truyền thông Hải Phòng"},
]
SUBJECT = "V/v kết nối, liên thông phần mềm quản lý văn bản"
ATTACHMENT = [
    {
        "name": "1896_QD-TTg_m_294779.doc",
        "content_type": "application/msword",  # declared application/zip: guessed from the name
        "size": 388347,
        "description": "1896_QD-TTg_m_294779.doc",
        "content_id": "cid:209",
    }
]
VPCP_DOCUMENT = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"


def _edoc(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "kind": "edoc",
        "from": [VPCP],
        "to": THREE_RECIPIENTS,
        "document_id": VPCP_DOCUMENT,
        "code_number": "7816",
        "code_notation": "VPCP-TTĐT",
        "promulgation_date": "2018-09-28",
        "due_date": "2018-09-28",
        "type_name": "Công văn",
        "subject": SUBJECT,
        "priority": 0,
        "steering_type": 1,
        "attachments": ATTACHMENT,
        "status_code": None,
        # The samples' <Signature> is outside the XMLDSig namespace, with a truncated
        # certificate: it cannot be checked.
        "signature": "unverifiable",
    }
    base.update(fields)
    return base


def _status(code: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "kind": "status",
        "from": [NGHE_AN],
        "to": [{"organ_id": "000.00.00.G22", "organ_name": ""}],
        "document_id": VPCP_DOCUMENT,
        "code_number": "7816",
        "code_notation": "VPCP-TTĐT",
        "promulgation_date": "2015-09-30",
        "due_date": None,
        "priority": None,
        "business_doc_type": None,
        "attachments": [],
        "status_code": code,
        "timestamp": "2015-09-20T11:08:36+07:00",
        "signature": "absent",
    }
    base.update(fields)
    return base


EXPECTED: dict[str, dict[str, object]] = {
    "edoc_new.edxml": _edoc(
        **{
            "from": [
                {
                    "organ_id": "002.00.20.H13",
                    "organ_name": "UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng",
                }
            ],
            # Not the 13-character form, as found in the field (vn-rules.md §3.8).
            "to": [
                {
                    "organ_id": "28.22.H17",
                    "organ_name": "UBND xã Hòa Sơn - UBND huyện Hòa Vang - Thành phố Đà Nẵng",
                }
            ],
            "code_number": "74fass22",
            "promulgation_date": "2019-01-16",
            "business_doc_type": 0,
        }
    ),
    "edoc_revocation.edxml": _edoc(business_doc_type=1),
    "edoc_update.edxml": _edoc(business_doc_type=2),
    "edoc_replacement.edxml": _edoc(business_doc_type=3),
    "status.edxml": _status(
        "01", promulgation_date="2018-09-28", timestamp="2018-09-28T17:25:11+07:00"
    ),
    "status_inbox_01.edxml": _status("01"),
    "status_rejection_02.edxml": _status("02"),
    "status_acceptance_03.edxml": _status("03"),
    "status_assignment_04.edxml": _status("04"),
    "status_processing_05.edxml": _status("05"),
    "status_finish_06.edxml": _status("06"),
    # The recall request goes the other way: from the sender to the recipient.
    "status_cancellation_13.edxml": _status(
        "13", **{"from": [VPCP], "to": [{"organ_id": "000.00.00.H41", "organ_name": ""}]}
    ),
    "status_change-acceptance_15.edxml": _status("15"),
    "status_change-rejection_16.edxml": _status("16"),
}

#: Files refused, with a fragment of the reason.
REFUSED = {
    # Undeclared namespace prefixes (xlink:href, edXML:AttachmentEncoded) and a JMeter
    # placeholder in place of the attachment: a test template, not well-formed XML.
    "edoc.edxml": "xlink",
}

ISSUE_KEYS = {
    "kind",
    "from",
    "to",
    "document_id",
    "code_number",
    "code_notation",
    "promulgation_date",
    "due_date",
    "type_name",
    "subject",
    "priority",
    "steering_type",
    "business_doc_type",
    "attachments",
    "status_code",
    "signature",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The command speaks the node's language; these tests read it in English."""
    with translation.override("en"):
        yield


def _parse_json(path, capsys) -> dict:
    call_command("edxml", "parse", str(path), "--json")
    return json.loads(capsys.readouterr().out)


def test_every_fixture_is_either_expected_or_refused():
    """GIVEN the fixtures folder WHEN it is listed THEN each file has its expectation here
    (a new sample cannot slip in untested)."""
    files = {path.name for path in FIXTURES.glob("*.edxml")}
    assert files == set(EXPECTED) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_fixture_is_read_with_its_header_fields(name, capsys):
    """GIVEN one of the platform's samples
    WHEN `lienthong edxml parse FILE --json` runs
    THEN the JSON has the issue's keys and the sender, recipients, number, notation,
    dates, type, subject, priority, business type and status code written in the file,
    and its signature is unverifiable (edoc) or absent (status), never valid."""
    report = _parse_json(FIXTURES / name, capsys)

    assert set(report) >= ISSUE_KEYS
    for key, value in EXPECTED[name].items():
        assert report[key] == value, key
    assert report["signature"] != "valid"


def test_the_samples_with_stray_bytes_are_read():
    """GIVEN edoc_new.edxml, which starts with "1212" before its XML declaration
    WHEN it is parsed THEN the stray bytes are skipped and the raw input is kept as given."""
    data = fixture_bytes("edoc_new.edxml")
    assert data.startswith(b"1212<?xml")

    parsed = edxml.parse(data)

    assert parsed.raw == data
    assert parsed.message.sender.organ_id == "002.00.20.H13"


def test_a_sample_attachment_is_unzipped():
    """GIVEN edoc_update.edxml, whose attachment is a zip in base64
    WHEN it is parsed THEN the attachment is the file inside the zip (an edXML file here)
    and the update's receiver list is read."""
    message = edxml.parse(fixture_bytes("edoc_update.edxml")).message
    assert isinstance(message, edxml.EdocMessage)

    (attachment,) = message.attachments
    assert attachment.data.startswith(b"<?xml")
    assert attachment.content_id == "cid:209"
    assert message.business.receivers == (("000.00.00.H41", 0), ("000.00.00.H14", 1))
    assert message.business.document_info_changed == 1


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_broken_fixture_is_refused_with_one_line(name, capsys):
    """GIVEN edoc.edxml (undeclared prefixes, a JMeter placeholder as attachment)
    WHEN `lienthong edxml parse FILE --json` runs
    THEN it stops with one line "edxml: FILE: reason", and prints no JSON."""
    path = FIXTURES / name
    with pytest.raises(CommandError) as caught:
        call_command("edxml", "parse", str(path), "--json")

    message = str(caught.value)
    assert message.startswith(f"edxml: {path}: ")
    assert REFUSED[name] in message
    assert "\n" not in message
    assert capsys.readouterr().out == ""


def test_the_sha1_sample_signature_is_unverifiable():
    """GIVEN edoc.edxml with its missing prefixes declared (its Signature is XMLDSig,
    rsa-sha1, with a real but unrelated VNPT certificate)
    WHEN its signature is checked, and it is parsed
    THEN the signature is unverifiable (SHA-1 is not accepted) with the certificate
    read, and parsing refuses the placeholder attachment as not base64."""
    root = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
    declared = (
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" '
        b'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink">'
    )
    data = fixture_bytes("edoc.edxml").replace(root, declared)

    report = edxml.verify_signature(data)

    assert report.state == "unverifiable"
    assert "rsa-sha1" in report.reason
    assert report.certificate_der is not None
    assert "VNPT" in x509.load_der_x509_certificate(report.certificate_der).issuer.rfc4514_string()
    with pytest.raises(edxml.EdxmlError, match="not valid base64"):
        edxml.parse(data)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_readable_fixtures_validate(name):
    """GIVEN a sample that parses WHEN it is validated THEN no problem is found (they
    follow the structure, lengths and code lists of §3.3-3.6)."""
    assert edxml.validate(fixture_bytes(name)) == []
