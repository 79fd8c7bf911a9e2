"""Revocation evidence and the local cache (trust/revocation.py)."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from django.utils import timezone, translation

from lienthong.audit.actors import SystemActor
from lienthong.trust import services
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.models import RevocationCacheEntry
from lienthong.trust.revocation import revocation_evidence

ACTOR = SystemActor("test")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The notes are checked in English (the vi catalogue translates them)."""
    with translation.override("en"):
        yield


@pytest.fixture
def ca(db: None, settings: pytest.FixtureRequest) -> services.CaSet:
    """GIVEN a node CA (EC keys, fast)."""
    settings.KEY_ALGORITHM = "ec-p256"  # type: ignore[attr-defined]
    return services.ca_init(actor=ACTOR, network_name="Mạng thử", slug="thu", algorithm="ec-p256")


class _Server:
    """A loopback HTTP server the test starts and stops (no outside network)."""

    def __init__(self) -> None:
        self.body = b""
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[_Server]:
    """GIVEN a loopback HTTP server."""
    running = _Server()
    yield running
    if running.thread.is_alive():
        running.stop()


def _foreign(port: int, *, next_update: dt.timedelta = dt.timedelta(days=1)):
    """A foreign root, a leaf pointing at a CRL on the loopback server, and that CRL."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Foreign Root")])
    now = timezone.now()
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=9))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    url = f"http://127.0.0.1:{port}/foreign.crl"
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Foreign Leaf")]))
        .issuer_name(name)
        .public_key(leaf_key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=9))
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(name)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + next_update)
        .sign(key, hashes.SHA256())
    )
    return root, leaf, crl.public_bytes(serialization.Encoding.DER)


def test_foreign_crl_is_fetched_cached_and_used_when_the_server_is_down(db, server):
    """GIVEN a foreign certificate whose CRL is served on a loopback address
    WHEN evidence is gathered, the server stops, and evidence is gathered again
    THEN the first call fetches and caches the CRL, the second falls back to the cached
    copy, says so with its age, and is not stale (the CRL is still current)."""
    root, leaf, crl = _foreign(server.port)
    server.body = crl
    first = revocation_evidence([leaf, root], reuse_within=None)
    assert first.crls == [crl]
    assert server.hits == 1
    assert RevocationCacheEntry.objects.filter(kind="crl").count() == 1
    assert not first.stale
    assert any("fetched from" in note for note in first.notes)

    server.stop()
    second = revocation_evidence([leaf, root], reuse_within=None, timeout=2)
    assert second.crls == [crl]
    assert not second.stale
    assert any("using the copy fetched" in note for note in second.notes)
    assert second.freshest == first.freshest


def test_cached_crl_past_its_next_update_is_stale(db, server):
    """GIVEN a cached foreign CRL whose next update has passed, and the server down
    WHEN evidence is gathered
    THEN the cached CRL is still used, but the evidence is marked stale."""
    root, leaf, crl = _foreign(server.port)
    server.body = crl
    revocation_evidence([leaf, root], reuse_within=None)
    RevocationCacheEntry.objects.update(next_update=timezone.now() - dt.timedelta(hours=1))
    server.stop()
    evidence = revocation_evidence([leaf, root], reuse_within=None, timeout=2)
    assert evidence.crls == [crl]
    assert evidence.stale
    assert any("past its next update" in note for note in evidence.notes)


def test_recent_cache_is_reused_without_fetching(db, server):
    """GIVEN a CRL fetched a moment ago
    WHEN evidence is gathered again within the reuse window
    THEN the server is not asked again."""
    root, leaf, crl = _foreign(server.port)
    server.body = crl
    revocation_evidence([leaf, root], reuse_within=None)
    evidence = revocation_evidence([leaf, root], reuse_within=dt.timedelta(minutes=5))
    assert server.hits == 1
    assert evidence.crls == [crl]


def test_nothing_reachable_and_nothing_cached_is_stale(db, server):
    """GIVEN a foreign certificate whose CRL server is down and nothing cached
    WHEN evidence is gathered
    THEN there is no evidence, it is stale, and the note says why."""
    root, leaf, _ = _foreign(server.port)
    server.stop()
    evidence = revocation_evidence([leaf, root], reuse_within=None, timeout=2)
    assert evidence.crls == [] and evidence.ocsps == []
    assert evidence.stale
    assert evidence.freshest is None


def test_forged_crl_is_not_accepted(db, server):
    """GIVEN a server answering with a CRL signed by another key
    WHEN evidence is gathered
    THEN the CRL is not used nor cached."""
    root, leaf, _ = _foreign(server.port)
    _, _, other = _foreign(server.port)
    server.body = other
    evidence = revocation_evidence([leaf, root], reuse_within=None)
    assert evidence.crls == []
    assert not RevocationCacheEntry.objects.exists()


def test_own_certificates_get_crl_and_fresh_ocsp_in_process(ca, server):
    """GIVEN a certificate of this node's CA, revoked
    WHEN evidence is gathered with fetching turned off
    THEN the CA's current CRL and an in-process OCSP answer saying "revoked" come back,
    and the issuing CA is covered by the root's CRL and OCSP answer."""
    leaf = services.certificate_issue(
        actor=ACTOR,
        authority=ca.issuing,
        profile=CertificateProfile.PERSON_SIGNING,
        subject=services.SubjectSpec(common_name="Lê Thị B"),
    )
    services.certificate_revoke(actor=ACTOR, certificate=leaf)
    evidence = revocation_evidence(
        [leaf.x509(), ca.issuing.certificate.pem.encode(), ca.root.certificate.x509()],
        fetch=False,
    )
    assert len(evidence.crls) == 2 and len(evidence.ocsps) == 2
    statuses = [ocsp.load_der_ocsp_response(der).certificate_status for der in evidence.ocsps]
    assert statuses == [ocsp.OCSPCertStatus.REVOKED, ocsp.OCSPCertStatus.GOOD]
    crl = x509.load_der_x509_crl(evidence.crls[0])
    assert crl.get_revoked_certificate_by_serial_number(int(leaf.serial_number, 16))
    assert not evidence.stale
    assert evidence.freshest is not None
    assert not RevocationCacheEntry.objects.exists()
