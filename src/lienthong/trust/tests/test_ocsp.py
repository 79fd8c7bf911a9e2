"""The OCSP responder (trust/ocsp.py and its endpoints), checked by openssl."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from lienthong.audit.actors import SystemActor
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.models import Certificate
from lienthong.trust.ocsp import build_request, ocsp_response

ACTOR = SystemActor("test")

needs_openssl = pytest.mark.skipif(
    shutil.which("openssl") is None and os.environ.get("CI") != "true",
    reason="openssl is not installed (apt-get install openssl)",
)


@pytest.fixture
def ca(db: None, settings: pytest.FixtureRequest) -> services.CaSet:
    """GIVEN a node CA (EC keys, fast)."""
    settings.KEY_ALGORITHM = "ec-p256"  # type: ignore[attr-defined]
    return services.ca_init(actor=ACTOR, network_name="Mạng thử", slug="thu", algorithm="ec-p256")


@pytest.fixture
def leaf(ca: services.CaSet) -> Certificate:
    """GIVEN a person's signing certificate from the issuing CA."""
    return services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Nguyễn Văn A"),
    )


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)


def _files(ca: services.CaSet, leaf, tmp_path: Path) -> None:
    (tmp_path / "issuing.pem").write_text(ca.issuing.certificate.pem, encoding="ascii")
    (tmp_path / "leaf.pem").write_text(leaf.pem, encoding="ascii")
    (tmp_path / "chain.pem").write_text(
        ca.issuing.certificate.pem + ca.root.certificate.pem, encoding="ascii"
    )


def _ask(client, tmp_path: Path) -> str:
    made = _openssl(
        "ocsp", "-issuer", "issuing.pem", "-cert", "leaf.pem", "-reqout", "req.der", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    response = client.post(
        "/trust/ocsp/thu/",
        (tmp_path / "req.der").read_bytes(),
        content_type="application/ocsp-request",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ocsp-response"
    (tmp_path / "resp.der").write_bytes(response.content)
    # The request's nonce is checked against the answer (openssl rebuilds a request,
    # with a new nonce, as soon as -cert is given, hence two calls).
    nonce = _openssl(
        "ocsp", "-reqin", "req.der", "-respin", "resp.der", "-CAfile", "chain.pem", cwd=tmp_path
    )
    assert "Response verify OK" in nonce.stdout + nonce.stderr, nonce.stderr
    checked = _openssl(
        "ocsp",
        "-respin",
        "resp.der",
        "-CAfile",
        "chain.pem",
        "-no_nonce",
        "-issuer",
        "issuing.pem",
        "-cert",
        "leaf.pem",
        "-resp_text",
        cwd=tmp_path,
    )
    return checked.stdout + checked.stderr


@needs_openssl
def test_openssl_sees_good_then_revoked(ca, leaf, client, tmp_path):
    """GIVEN a valid certificate
    WHEN openssl asks the responder before and after the certificate is revoked
    THEN it reads "good", then "revoked" with the reason, and the signature verifies."""
    _files(ca, leaf, tmp_path)
    before = _ask(client, tmp_path)
    assert "Response verify OK" in before
    assert "leaf.pem: good" in before
    assert "Nonce" in before  # openssl sends a nonce by default; it comes back
    services.certificate_revoke(
        actor=ACTOR, certificate=leaf, reason=RevocationReason.KEY_COMPROMISE
    )
    after = _ask(client, tmp_path)
    assert "Response verify OK" in after
    assert "leaf.pem: revoked" in after
    assert "Reason: keyCompromise" in after


@needs_openssl
def test_openssl_live_server(transactional_db, ca, leaf, live_server, tmp_path):
    """GIVEN the responder served over HTTP
    WHEN ``openssl ocsp -url`` asks about the certificate
    THEN it reports "good" and "Response verify OK"."""
    _files(ca, leaf, tmp_path)
    result = _openssl(
        "ocsp",
        "-issuer",
        "issuing.pem",
        "-cert",
        "leaf.pem",
        "-url",
        f"{live_server.url}/trust/ocsp/thu/",
        "-CAfile",
        "chain.pem",
        "-resp_text",
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert "Response verify OK" in output
    assert "leaf.pem: good" in output


def test_get_form_answers_like_post(ca, leaf, client):
    """GIVEN a request encoded in the URL (RFC 6960 appendix A.1)
    WHEN it is fetched with GET
    THEN the answer is a signed "good" response that may be cached briefly."""
    der = build_request(leaf.x509(), ca.issuing.certificate.x509())
    encoded = quote(base64.b64encode(der).decode("ascii"), safe="")
    response = client.get(f"/trust/ocsp/thu/{encoded}")
    parsed = ocsp.load_der_ocsp_response(response.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert parsed.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize("body", [b"", b"garbage", b"\x30\x00"])
def test_malformed_request_gets_malformed_response(ca, client, body):
    """GIVEN a body that is not an OCSP request
    WHEN it is posted
    THEN the answer is the OCSP status malformedRequest, not a server error."""
    response = client.post("/trust/ocsp/thu/", body, content_type="application/ocsp-request")
    assert response.status_code == 200
    parsed = ocsp.load_der_ocsp_response(response.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_bad_base64_in_get_is_malformed(ca, client):
    """GIVEN a GET whose path is not base64
    WHEN it is fetched
    THEN the answer is malformedRequest."""
    response = client.get("/trust/ocsp/thu/%%%not-base64")
    parsed = ocsp.load_der_ocsp_response(response.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_unknown_serial_and_nonce(ca, leaf):
    """GIVEN a request for a serial this CA never issued, with a nonce
    WHEN it is answered in process
    THEN the status is "unknown" and the nonce is repeated."""
    issuer = ca.issuing.certificate.x509()
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            issuer_name_hash=ocsp.load_der_ocsp_request(
                build_request(leaf.x509(), issuer)
            ).issuer_name_hash,
            issuer_key_hash=ocsp.load_der_ocsp_request(
                build_request(leaf.x509(), issuer)
            ).issuer_key_hash,
            serial_number=12345,
            algorithm=hashes.SHA256(),
        )
        .add_extension(x509.OCSPNonce(b"0123456789abcdef"), critical=False)
        .build()
        .public_bytes(Encoding.DER)
    )
    parsed = ocsp.load_der_ocsp_response(ocsp_response(request, ca.issuing))
    assert parsed.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    nonce = parsed.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    assert nonce == b"0123456789abcdef"


def test_request_about_another_issuer_is_unauthorized(ca, leaf):
    """GIVEN a request about a certificate of the issuing CA
    WHEN it is sent to the root's responder
    THEN the root answers "unauthorized"."""
    der = build_request(leaf.x509(), ca.issuing.certificate.x509())
    parsed = ocsp.load_der_ocsp_response(ocsp_response(der, ca.root))
    assert parsed.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


def test_root_answers_for_the_issuing_ca_with_its_own_key(ca):
    """GIVEN the root (which has no delegated responder)
    WHEN it is asked about the issuing CA
    THEN it signs a "good" answer with its own key."""
    der = build_request(ca.issuing.certificate.x509(), ca.root.certificate.x509())
    parsed = ocsp.load_der_ocsp_response(ocsp_response(der, ca.root))
    assert parsed.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert parsed.certificates == []


def test_unknown_ca_slug(db, client):
    """GIVEN no CA with that code
    WHEN its responder is asked
    THEN the answer is "unauthorized"."""
    response = client.post("/trust/ocsp/nope/", b"x", content_type="application/ocsp-request")
    parsed = ocsp.load_der_ocsp_response(response.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
