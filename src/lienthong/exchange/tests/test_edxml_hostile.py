"""Hostile input: each is refused with a one-line reason, quickly, without a crash.

Issue #5 tampering acceptance (the codec's part): a 0-byte body, malformed XML, an XML
bomb (billion laughs, external entity), a DOCTYPE, a zip bomb, oversized input.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from lienthong.exchange import edxml

from .edxml_pki import make_pki
from .edxml_samples import sample_edoc, sample_status

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope
 xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader><edXML:MessageHeader>
 <edXML:Subject>&xxe;</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader>
 </edXML:edXMLEnvelope></edXML>
"""


def _refused(data: bytes, fragment: str, **kwargs) -> edxml.EdxmlError:
    """Assert that parse and validate refuse ``data`` with a one-line reason."""
    with pytest.raises(edxml.EdxmlError) as caught:
        edxml.parse(data, **kwargs)
    reason = str(caught.value)
    assert fragment in reason
    assert "\n" not in reason and reason.strip() == reason
    if set(kwargs) <= {"max_bytes"}:  # validate has no zip allowances to lower
        problems = edxml.validate(data, **kwargs)
        assert problems, "validate must not call it valid"
    return caught.value


def _with_attachment_zip(packed: bytes) -> bytes:
    """The sample envelope (unsigned) whose first attachment's wire form is ``packed``."""
    data = edxml.build_edoc(sample_edoc())
    root = etree.fromstring(data)
    element = root.find(f".//{{{NS}}}ContentTransferEncoded")
    element.text = base64.b64encode(packed).decode("ascii")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zero_bytes_are_refused():
    """GIVEN an empty body WHEN it is parsed THEN it is refused as empty."""
    _refused(b"", "empty")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"hello, this is not XML", "no markup"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200) + b"<", "unexpected bytes"),
        ("<edXML/>".encode("utf-16"), "unexpected bytes"),
        (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><a></edXML>', "not well-formed"),
        (b"<edXML><unclosed", "not well-formed"),
    ],
    ids=["text", "binary", "utf16", "mismatched-tags", "truncated"],
)
def test_what_is_not_xml_is_refused(data, fragment):
    """GIVEN text, binary, UTF-16 or malformed XML WHEN it is parsed THEN it is refused."""
    _refused(data, fragment)


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM "http://example.invalid/x.dtd">'
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
        b"1212<!doctype edXML><edXML/>",
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "after-junk"],
)
def test_a_doctype_is_refused_outright(data):
    """GIVEN a billion-laughs bomb, an external entity on file:///etc/passwd, an external
    DTD, or a DOCTYPE behind stray bytes
    WHEN it is parsed, validated or its signature checked
    THEN it is refused for its DOCTYPE before any entity is expanded or fetched."""
    error = _refused(data, "DOCTYPE")
    assert "root:" not in str(error)
    report = edxml.verify_signature(data)
    assert report.state == "unverifiable"
    assert "DOCTYPE" in report.reason


def test_another_root_or_namespace_is_refused():
    """GIVEN XML with another root, and edXML in another namespace
    WHEN each is parsed THEN it is refused, naming what was found."""
    _refused(b"<html><body/></html>", "html")
    _refused(b'<edXML xmlns="urn:other"/>', "urn:other")


def test_deep_nesting_is_refused():
    """GIVEN 100,000 nested elements WHEN parsed THEN libxml2's depth limit refuses it."""
    depth = 100_000
    data = (
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
        + b"<a>" * depth
        + b"</a>" * depth
        + b"</edXML>"
    )
    _refused(data, "not well-formed")


def test_oversized_input_is_refused_before_parsing():
    """GIVEN an envelope larger than the cap WHEN it is parsed THEN it is refused for its size."""
    data = edxml.build_edoc(sample_edoc())

    _refused(data, "too large", max_bytes=len(data) - 1)
    assert edxml.DEFAULT_MAX_BYTES == 100 * 1024 * 1024


def test_a_zip_bomb_is_refused():
    """GIVEN an attachment whose zip holds 64 MiB of zeros (about 64 KiB packed)
    WHEN it is parsed THEN it is refused as a possible zip bomb, without inflating it."""
    bomb = _zip({"bomb.pdf": bytes(64 * 1024 * 1024)})
    assert len(bomb) < 200_000

    _refused(_with_attachment_zip(bomb), "zip bomb")


def test_a_zip_over_the_total_allowance_is_refused():
    """GIVEN an envelope whose attachments unzip to more than the allowance
    WHEN it is parsed with a 1 KB allowance THEN it is refused."""
    data = edxml.build_edoc(sample_edoc())

    _refused(data, "zip bomb", max_unzipped_bytes=1024)


def test_a_zip_lying_about_its_size_is_refused():
    """GIVEN a zip whose headers claim 100 bytes for a 3 MiB file
    WHEN it is parsed THEN reading stops at the claimed size and the damage is refused."""
    packed = bytearray(_zip({"a.pdf": b"%PDF" + bytes(3 * 1024 * 1024)}))
    # Patch the uncompressed size in the local header (offset 22) and the central
    # directory entry (offset 24 from its signature).
    struct.pack_into("<I", packed, 22, 100)
    central = packed.rfind(b"PK\x01\x02")
    struct.pack_into("<I", packed, central + 24, 100)

    _refused(_with_attachment_zip(bytes(packed)), "damaged")


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ({"../../etc/cron.d/evil": b"x"}, "climbs out"),
        ({"/etc/passwd": b"x"}, "climbs out"),
        ({"C:\\Windows\\evil.dll": b"x"}, "climbs out"),
        ({"a.pdf": b"x", "b.pdf": b"y"}, "holds 2 files"),
        ({}, "holds 0 files"),
    ],
    ids=["dot-dot", "absolute", "drive", "two-files", "empty"],
)
def test_zip_tricks_are_refused(entries, fragment):
    """GIVEN a zip with a path that climbs out, several files or none
    WHEN it is parsed THEN it is refused with the reason."""
    _refused(_with_attachment_zip(_zip(entries)), fragment)


def test_an_attachment_name_with_a_path_is_refused():
    """GIVEN an envelope whose AttachmentName is ../../x.pdf, and a message to build with
    a name holding a slash WHEN parsed or built THEN both are refused."""
    data = edxml.build_edoc(sample_edoc()).replace(
        b"<AttachmentName>125-TU-VP.pdf<", b"<AttachmentName>../../x.pdf<"
    )
    _refused(data, "is a path")
    attachment = sample_edoc().attachments[0]
    with pytest.raises(edxml.EdxmlError, match="is a path"):
        edxml.build_edoc(
            sample_edoc(attachments=(type(attachment)("a/b.pdf", "application/pdf", b"x"),))
        )


def test_an_attachment_that_is_not_base64_is_refused():
    """GIVEN an attachment whose text is not base64 WHEN parsed THEN it is refused."""
    data = edxml.build_edoc(sample_edoc())
    broken = re.sub(rb"(ContentTransferEncoded>)[^<]{8}", rb"\1$$$$$$$$", data, count=1)

    _refused(broken, "not valid base64")


def test_a_reserved_status_code_is_refused():
    """GIVEN a status message with code 07 (reserved, vn-rules.md §3.6)
    WHEN it is built, or a built 03 is rewritten to 07 and parsed
    THEN both are refused."""
    with pytest.raises(edxml.EdxmlError, match="reserved"):
        edxml.build_status(sample_status(status_code="07"))
    data = edxml.build_status(sample_status()).replace(
        b"<edXML:StatusCode>03<", b"<edXML:StatusCode>07<"
    )
    _refused(data, "reserved")


def test_text_xml_cannot_carry_is_refused_by_the_builder():
    """GIVEN a subject with a control character WHEN it is built THEN it is refused."""
    with pytest.raises(edxml.EdxmlError, match="cannot carry"):
        edxml.build_edoc(sample_edoc(subject="Trích yếu\x07"))


def test_an_attachment_beyond_libxml2s_text_node_limit_travels():
    """GIVEN an 8 MiB incompressible file (its base64 passes libxml2's 10 MB text-node
    limit) WHEN it is built into an envelope and parsed back
    THEN it arrives whole: the parser allows long text nodes (no DTD is ever read)."""
    data = os.urandom(8 * 1024 * 1024)
    big = edxml.Attachment("scan.pdf", "application/pdf", data)

    parsed = edxml.parse(edxml.build_edoc(sample_edoc(attachments=(big,))))

    assert parsed.message.attachments[0].data == data


def test_an_attachment_too_large_for_an_envelope_is_refused_by_the_builder(
    monkeypatch: pytest.MonkeyPatch,
):
    """GIVEN a cap on the encoded size of one attachment WHEN a larger file is built
    THEN the builder refuses it with the cap in the reason."""
    from lienthong.exchange.edxml import attachments

    monkeypatch.setattr(attachments, "MAX_ENCODED_CHARS", 1000)
    big = edxml.Attachment("scan.pdf", "application/pdf", os.urandom(4096))

    with pytest.raises(edxml.EdxmlError, match="1000"):
        edxml.build_edoc(sample_edoc(attachments=(big,)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_envelopes_never_crash_the_reader(data):
    """GIVEN a signed envelope or status message with random bytes changed, cut or inserted
    WHEN it is parsed, validated and its signature checked
    THEN parse returns or raises EdxmlError (nothing else), validate returns a list and
    verify_signature a report; a damaged signed message is never reported valid."""
    node = make_pki().ec_node
    original = data.draw(st.sampled_from(_signed_samples(node)))
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            damaged[position] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del damaged[position : position + data.draw(st.integers(1, 64))]
        else:
            damaged[position:position] = data.draw(st.binary(min_size=1, max_size=16))
    damaged_bytes = bytes(damaged)

    try:
        parsed = edxml.parse(damaged_bytes)
    except edxml.EdxmlError as exc:
        assert "\n" not in str(exc)
    else:
        if damaged_bytes != original:
            assert parsed.signature.state != "valid" or _same_signed_content(parsed, original)
    assert isinstance(edxml.validate(damaged_bytes), list)
    assert edxml.verify_signature(damaged_bytes).state in {
        "valid",
        "invalid",
        "unverifiable",
        "absent",
    }


@functools.cache
def _signed_samples(node) -> tuple[bytes, ...]:
    return (
        edxml.build_edoc(sample_edoc(), signing_key=node.key, signing_chain=node.chain),
        edxml.build_status(sample_status(), signing_key=node.key, signing_chain=node.chain),
    )


def _same_signed_content(parsed: edxml.ParsedMessage, original: bytes) -> bool:
    """A change that c14n ignores (white space between attributes, quote style) may leave
    the signature valid: then the message read must be the original one."""
    return parsed.message == edxml.parse(original).message
