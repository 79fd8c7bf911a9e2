"""The RFC 3161 timestamp authority (trust/pades/timestamping.py), checked by openssl."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives.serialization import Encoding

from lienthong.audit.actors import SystemActor
from lienthong.audit.models import AuditEvent
from lienthong.trust import services
from lienthong.trust.errors import TrustError
from lienthong.trust.pades import timestamping

ACTOR = SystemActor("test")

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(
    OPENSSL is None and os.environ.get("CI") != "true",
    reason="openssl is not installed (apt-get install openssl)",
)


@pytest.fixture
def ca(db: None, settings: pytest.FixtureRequest) -> services.CaSet:
    """GIVEN a node CA (EC keys, fast)."""
    settings.KEY_ALGORITHM = "ec-p256"  # type: ignore[attr-defined]
    return services.ca_init(actor=ACTOR, network_name="Mạng thử", slug="thu", algorithm="ec-p256")


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)


def _chain(ca: services.CaSet, path: Path) -> Path:
    path.write_text(ca.issuing.certificate.pem + ca.root.certificate.pem, encoding="ascii")
    return path


@needs_openssl
def test_openssl_verifies_a_token_from_the_endpoint(ca, client, tmp_path):
    """GIVEN a query made by openssl (SHA-256, nonce, certReq)
    WHEN it is posted to /trust/tsa/
    THEN the reply is a timestamp-reply that ``openssl ts -verify`` accepts."""
    data = tmp_path / "data.txt"
    data.write_text("Công văn số 12/CV-UBND", encoding="utf-8")
    query = _openssl(
        "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "q.tsq", cwd=tmp_path
    )
    assert query.returncode == 0, query.stderr
    response = client.post(
        "/trust/tsa/",
        (tmp_path / "q.tsq").read_bytes(),
        content_type="application/timestamp-query",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    (tmp_path / "reply.tsr").write_bytes(response.content)
    _chain(ca, tmp_path / "chain.pem")
    verify = _openssl(
        "ts",
        "-verify",
        "-data",
        "data.txt",
        "-in",
        "reply.tsr",
        "-CAfile",
        "chain.pem",
        cwd=tmp_path,
    )
    assert "Verification: OK" in verify.stdout, verify.stdout + verify.stderr
    text = _openssl("ts", "-reply", "-in", "reply.tsr", "-text", cwd=tmp_path).stdout
    assert "Status: Granted." in text
    assert "Nonce: 0x" in text
    assert timestamping.TSA_POLICY_OID in text


@needs_openssl
def test_token_without_cert_request_carries_no_certificates(ca, client, tmp_path):
    """GIVEN a query without -cert (certReq false)
    WHEN it is answered
    THEN the token holds no certificates, and verifies when openssl is given the TSA
    certificate separately."""
    (tmp_path / "d").write_bytes(b"abc")
    _openssl("ts", "-query", "-data", "d", "-sha256", "-out", "q.tsq", cwd=tmp_path)
    response = client.post(
        "/trust/tsa/", (tmp_path / "q.tsq").read_bytes(), content_type="application/timestamp-query"
    )
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["time_stamp_token"]["content"]["certificates"].native is None
    (tmp_path / "r.tsr").write_bytes(response.content)
    (tmp_path / "tsa.pem").write_text(ca.tsa.pem, encoding="ascii")
    _chain(ca, tmp_path / "chain.pem")
    verify = _openssl(
        "ts",
        "-verify",
        "-data",
        "d",
        "-in",
        "r.tsr",
        "-CAfile",
        "chain.pem",
        "-untrusted",
        "tsa.pem",
        cwd=tmp_path,
    )
    assert "Verification: OK" in verify.stdout, verify.stdout + verify.stderr


@needs_openssl
@pytest.mark.parametrize("body", [b"", b"not a request", b"\x30\x03\x02\x01\x01"])
def test_bad_query_gets_a_rejection_not_an_error(ca, client, tmp_path, body):
    """GIVEN a body that is not a TimeStampReq
    WHEN it is posted
    THEN the answer is an RFC 3161 rejection (HTTP 200), readable by openssl."""
    response = client.post("/trust/tsa/", body, content_type="application/timestamp-query")
    assert response.status_code == 200
    (tmp_path / "r.tsr").write_bytes(response.content)
    text = _openssl("ts", "-reply", "-in", "r.tsr", "-text", cwd=tmp_path).stdout
    assert "Status: Rejected" in text


def test_unknown_algorithm_and_foreign_policy_are_rejected(ca):
    """GIVEN requests with an MD5 imprint, a wrong-length imprint, or another policy
    WHEN they are answered in process
    THEN each gets a rejection naming the failure."""
    md5 = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "md5"},
                "hashed_message": b"1" * 16,
            },
        }
    ).dump()
    short = timestamping.make_request(b"1" * 20)
    policy = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": b"1" * 32,
            },
            "req_policy": "1.2.3.4",
        }
    ).dump()
    answers = [
        timestamping.response_status(timestamping.timestamp_response(request))
        for request in (md5, short, policy)
    ]
    assert answers == [
        ("rejection", {"bad_alg"}),
        ("rejection", {"bad_data_format"}),
        ("rejection", {"unaccepted_policy"}),
    ]


def test_get_is_not_allowed(ca, client):
    """GIVEN the TSA endpoint
    WHEN it is fetched with GET
    THEN the answer is 405."""
    assert client.get("/trust/tsa/").status_code == 405


def test_node_without_tsa_rejects_with_system_failure(db):
    """GIVEN a node where `ca init` never ran
    WHEN a timestamp is asked
    THEN the answer is a rejection (systemFailure), not an exception."""
    answer = timestamping.timestamp_response(timestamping.make_request(b"\x00" * 32))
    assert timestamping.response_status(answer) == ("rejection", {"system_failure"})


def test_in_process_token_verifies_and_names_its_imprint(ca):
    """GIVEN a digest stamped in process
    WHEN the token is verified
    THEN its imprint, TSA certificate and time come back, and no audit row was written."""
    before = AuditEvent.objects.count()
    digest = bytes(range(32))
    token = timestamping.token_from_response(
        timestamping.timestamp_response(timestamping.make_request(digest))
    )
    info = timestamping.verify_token(token, imprint=digest)
    assert info.imprint == digest
    assert info.signer_der == ca.tsa.x509().public_bytes(Encoding.DER)
    assert AuditEvent.objects.count() == before


def test_tampered_token_fails_verification(ca):
    """GIVEN a token whose stamped content was changed after signing
    WHEN it is verified
    THEN verification fails."""
    digest = b"\x11" * 32
    token = bytearray(
        timestamping.token_from_response(
            timestamping.timestamp_response(timestamping.make_request(digest))
        )
    )
    index = bytes(token).find(digest)
    token[index] ^= 0xFF
    with pytest.raises(TrustError):
        timestamping.verify_token(bytes(token))
