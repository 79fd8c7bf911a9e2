"""The sending node's XMLDSig signature: signxml writes it, signxml and xmlsec1 check it.

Issue #5: "its XMLDSig verifies with xmlsec1"; tampering (a changed byte in the header
or in an attachment, a signature by another key) is detected; example or truncated
certificates are unverifiable; a foreign CA does not make a signature valid.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from lienthong.exchange import edxml
from lienthong.exchange.edxml.codes import DS, NS

from .edxml_pki import Party, Pki, make_pki
from .edxml_samples import sample_edoc, sample_status


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(params=["rsa_node", "ec_node"])
def node(request, pki) -> Party:
    """Each test runs with an RSA (RSA-SHA256) and an EC P-256 (ECDSA-SHA256) node key."""
    return getattr(pki, request.param)


def _signed(node: Party, **changes) -> bytes:
    return edxml.build_edoc(sample_edoc(**changes), signing_key=node.key, signing_chain=node.chain)


def _xmlsec1() -> str:
    """Debian's xmlsec1; skipped when missing on a developer machine, a failure under CI."""
    path = shutil.which("xmlsec1")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xmlsec1 is missing: CI must install Debian's xmlsec1")
        pytest.skip("xmlsec1 is not installed")
    return path


def _xmlsec1_verify(data: bytes, ca_pem: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    envelope = tmp_path / "envelope.edxml"
    envelope.write_bytes(data)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(ca_pem)
    return subprocess.run(
        [_xmlsec1(), "--verify", "--trusted-pem", str(ca), str(envelope)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _change_one_attachment_byte(data: bytes) -> bytes:
    """Change one base64 character in the middle of the second attachment."""
    matches = list(re.finditer(rb"ContentTransferEncoded>([A-Za-z0-9+/=]+)<", data))
    start, end = matches[1].span(1)
    middle = (start + end) // 2
    current = data[middle : middle + 1]
    other = b"B" if current != b"B" else b"C"
    return data[:middle] + other + data[middle + 1 :]


def test_a_signed_envelope_is_valid_and_read_from_what_was_signed(node, pki):
    """GIVEN an envelope built and signed with the node's key and chain
    WHEN its signature is checked, without and with the node's CA as trust, and it is parsed
    THEN it is valid both times, the report carries the node's certificate, and parse
    gives back the message exactly."""
    data = _signed(node)

    report = edxml.verify_signature(data)
    trusted = edxml.verify_signature(data, trusted=[pki.ca.certificate])
    parsed = edxml.parse(data)

    assert report.state == "valid", report.reason
    assert trusted.state == "valid", trusted.reason
    assert report.certificate_der == node.certificate.public_bytes(serialization.Encoding.DER)
    assert parsed.signature.state == "valid"
    assert parsed.message == sample_edoc()


def test_the_signature_sits_in_the_header_after_the_trace_and_covers_everything(node):
    """GIVEN a signed envelope WHEN its tree is read THEN the ds:Signature is the last child
    of edXMLHeader, right after TraceHeaderList, with one Reference URI="" (the whole
    document, attachments included) and the enveloped-signature transform."""
    root = etree.fromstring(_signed(node))
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    names = [etree.QName(child).localname for child in header]

    assert names == ["MessageHeader", "TraceHeaderList", "Signature"]
    assert etree.QName(header[-1]).namespace == DS
    (reference,) = header[-1].iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    assert reference.get("URI") == ""
    transforms = [t.get("Algorithm") for t in reference.iter(f"{{{DS}}}Transform")]
    assert "http://www.w3.org/2000/09/xmldsig#enveloped-signature" in transforms
    assert len(header[-1].findall(f".//{{{DS}}}X509Certificate")) == 2  # leaf and CA


def test_xmlsec1_verifies_a_signed_envelope_and_status(node, pki, tmp_path):
    """GIVEN a signed envelope and a signed status message
    WHEN `xmlsec1 --verify --trusted-pem CA` checks each
    THEN xmlsec1 accepts both (exit 0, "OK")."""
    envelope = _xmlsec1_verify(_signed(node), pki.pem(pki.ca.certificate), tmp_path)
    status = _xmlsec1_verify(
        edxml.build_status(sample_status(), signing_key=node.key, signing_chain=node.chain),
        pki.pem(pki.ca.certificate),
        tmp_path,
    )

    assert envelope.returncode == 0, envelope.stderr
    assert "OK" in envelope.stderr
    assert status.returncode == 0, status.stderr


def test_a_changed_byte_in_the_header_is_invalid(node, pki, tmp_path):
    """GIVEN a signed envelope whose CodeNumber 125 is changed to 126 (one byte)
    WHEN signxml (verify_signature, parse) and xmlsec1 check it
    THEN it is invalid (digest mismatch) for both, and parse does not call it valid."""
    data = _signed(node)
    tampered = data.replace(b"<edXML:CodeNumber>125<", b"<edXML:CodeNumber>126<")
    assert tampered != data and len(tampered) == len(data)

    report = edxml.verify_signature(tampered)

    assert report.state == "invalid"
    assert "digest" in report.reason
    assert edxml.parse(tampered).signature.state == "invalid"
    assert _xmlsec1_verify(tampered, pki.pem(pki.ca.certificate), tmp_path).returncode != 0


def test_a_changed_byte_in_an_attachment_is_invalid(node, pki, tmp_path):
    """GIVEN a signed envelope with one base64 character of an attachment changed
    WHEN it is checked THEN the signature is invalid: AttachmentEncoded is covered."""
    tampered = _change_one_attachment_byte(_signed(node))

    report = edxml.verify_signature(tampered)

    assert report.state == "invalid"
    assert "digest" in report.reason
    assert _xmlsec1_verify(tampered, pki.pem(pki.ca.certificate), tmp_path).returncode != 0


@pytest.mark.parametrize("other_name", ["foreign_node", "rsa_node"])
def test_a_signature_by_another_key_than_the_certificate_is_invalid(pki, other_name):
    """GIVEN an envelope signed by the EC node whose leaf certificate is then swapped for
    another node's certificate, EC or RSA (a forger presenting someone else's certificate)
    WHEN it is checked THEN the signature is invalid (value does not match the key)."""
    data = _signed(pki.ec_node)
    own = base64.b64encode(pki.ec_node.certificate.public_bytes(serialization.Encoding.DER))
    other_certificate = getattr(pki, other_name).certificate
    other = base64.b64encode(other_certificate.public_bytes(serialization.Encoding.DER))
    root = etree.fromstring(data)
    leaf = root.find(f".//{{{DS}}}X509Certificate")
    assert re.sub(r"\s+", "", leaf.text) == own.decode()
    leaf.text = other.decode()
    swapped = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    report = edxml.verify_signature(swapped)

    assert report.state == "invalid"
    assert "does not match" in report.reason


def test_the_builder_refuses_a_chain_that_is_not_the_keys(pki):
    """GIVEN the RSA node's key with the EC node's chain WHEN an envelope is built
    THEN it is refused before anything is signed."""
    with pytest.raises(edxml.EdxmlError, match="not the signing key"):
        edxml.build_edoc(
            sample_edoc(), signing_key=pki.rsa_node.key, signing_chain=pki.ec_node.chain
        )


def test_a_truncated_certificate_is_unverifiable(node):
    """GIVEN a signed envelope whose leaf certificate is cut short, as in the samples
    WHEN it is checked THEN it is unverifiable (not invalid, not valid)."""
    root = etree.fromstring(_signed(node))
    leaf = root.find(f".//{{{DS}}}X509Certificate")
    leaf.text = "MIIFqTCCBJG"
    truncated = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    report = edxml.verify_signature(truncated)

    assert report.state == "unverifiable"
    assert "truncated or unreadable" in report.reason


def test_a_missing_certificate_is_unverifiable(node):
    """GIVEN a signed envelope whose KeyInfo is removed WHEN it is checked
    THEN it is unverifiable: there is no certificate to check the signature with."""
    root = etree.fromstring(_signed(node))
    key_info = root.find(f".//{{{DS}}}KeyInfo")
    key_info.getparent().remove(key_info)
    stripped = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    report = edxml.verify_signature(stripped)

    assert report.state == "unverifiable"
    assert "no X.509 certificate" in report.reason


def test_a_foreign_ca_does_not_make_a_signature_valid(node, pki):
    """GIVEN a correctly signed envelope
    WHEN it is checked with only a foreign CA as trust, then with the node's own
    certificate as trust
    THEN the first is invalid (untrusted signer), the second valid."""
    data = _signed(node)

    foreign = edxml.verify_signature(data, trusted=[pki.foreign_ca.certificate])
    pinned = edxml.verify_signature(
        data, trusted=[node.certificate.public_bytes(serialization.Encoding.DER)]
    )

    assert foreign.state == "invalid"
    assert "not trusted" in foreign.reason
    assert pinned.state == "valid", pinned.reason


def test_a_self_made_chain_is_not_trusted(pki):
    """GIVEN an envelope signed by the foreign node, with its own chain
    WHEN it is checked against lienthong's CA THEN it is invalid; the math alone is valid."""
    data = edxml.build_edoc(
        sample_edoc(), signing_key=pki.foreign_node.key, signing_chain=pki.foreign_node.chain
    )

    assert edxml.verify_signature(data).state == "valid"
    assert edxml.verify_signature(data, trusted=[pki.ca.certificate]).state == "invalid"


def test_a_partial_reference_is_unverifiable(node):
    """GIVEN a signed envelope whose Reference is rewritten to point at one element
    WHEN it is checked THEN it is unverifiable: lienthong only accepts signatures over
    the whole envelope."""
    tampered = _signed(node).replace(b'Reference URI=""', b'Reference URI="#header"')

    report = edxml.verify_signature(tampered)

    assert report.state == "unverifiable"
    assert "whole envelope" in report.reason


def test_an_unsigned_envelope_has_an_absent_signature():
    """GIVEN an envelope built without a key WHEN it is checked THEN the state is absent."""
    data = edxml.build_edoc(sample_edoc())

    assert edxml.verify_signature(data).state == "absent"
    assert edxml.parse(data).signature.state == "absent"


def test_unreadable_input_is_unverifiable_not_an_exception():
    """GIVEN bytes that are not XML WHEN the signature is checked THEN the report says
    unverifiable with the reason; nothing is raised."""
    report = edxml.verify_signature(b"\x00\x01 not xml")

    assert report.state == "unverifiable"
    assert report.reason
