"""The CRL and CA certificate endpoints (trust/pki_views.py), checked by openssl."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from django.utils import timezone

from lienthong.audit.actors import SystemActor
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile, RevocationReason
from lienthong.trust.models import RevocationList

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


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)


@needs_openssl
def test_openssl_verifies_the_crl_and_lists_the_revoked_serial(ca, client, tmp_path):
    """GIVEN a revoked certificate
    WHEN the CRL is downloaded
    THEN openssl verifies its signature with the issuing CA and lists the serial."""
    leaf = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.UNIT_SEAL,
        subject=services.SubjectSpec(common_name="Văn phòng"),
    )
    services.certificate_revoke(actor=ACTOR, certificate=leaf, reason=RevocationReason.SUPERSEDED)
    response = client.get("/trust/crl/thu.crl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    assert "max-age" in response["Cache-Control"]
    (tmp_path / "thu.crl").write_bytes(response.content)
    (tmp_path / "issuing.pem").write_text(ca.issuing.certificate.pem, encoding="ascii")
    result = _openssl(
        "crl",
        "-inform",
        "DER",
        "-in",
        "thu.crl",
        "-CAfile",
        "issuing.pem",
        "-noout",
        "-text",
        cwd=tmp_path,
    )
    assert "verify OK" in result.stderr + result.stdout
    assert leaf.serial_number.upper() in result.stdout.upper().replace(":", "")
    assert "Superseded" in result.stdout


@needs_openssl
def test_ca_certificate_endpoint_serves_der(ca, client, tmp_path):
    """GIVEN the root CA
    WHEN /trust/ca/<slug>.crt is fetched
    THEN openssl reads a certificate equal to the stored one."""
    response = client.get("/trust/ca/thu-root.crt")
    assert response["Content-Type"] == "application/pkix-cert"
    (tmp_path / "root.der").write_bytes(response.content)
    result = _openssl(
        "x509",
        "-inform",
        "DER",
        "-in",
        "root.der",
        "-noout",
        "-fingerprint",
        "-sha256",
        cwd=tmp_path,
    )
    assert ca.root.certificate.fingerprint_sha256.upper() in result.stdout.replace(":", "")


def test_expired_crl_is_regenerated_on_download(ca, client):
    """GIVEN a CRL whose next update has passed
    WHEN it is downloaded
    THEN a new CRL with the next number is published and served."""
    latest = RevocationList.objects.filter(authority=ca.issuing).latest()
    RevocationList.objects.filter(pk=latest.pk).update(
        next_update=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get("/trust/crl/thu.crl")
    crl = x509.load_der_x509_crl(response.content)
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == latest.number + 1
    assert crl.next_update_utc > timezone.now()


def test_fresh_crl_is_served_as_is(ca, client):
    """GIVEN a fresh CRL
    WHEN it is downloaded twice
    THEN no new CRL is published."""
    count = RevocationList.objects.count()
    client.get("/trust/crl/thu.crl")
    client.get("/trust/crl/thu.crl")
    assert RevocationList.objects.count() == count


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/trust/crl/nope.crl", 404),
        ("get", "/trust/ca/nope.crt", 404),
        ("post", "/trust/crl/thu.crl", 405),
        ("post", "/trust/ca/thu.crt", 405),
    ],
)
def test_bad_requests(ca, client, method, url, status):
    """GIVEN an unknown CA or a wrong method
    WHEN the endpoint is called
    THEN the answer is 404 or 405, never a server error."""
    assert getattr(client, method)(url).status_code == status
