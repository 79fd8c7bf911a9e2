"""``POST /exchange/v1/envelopes`` against tampered and hostile input (issue #5 acceptance).

Every bad envelope is answered with a clear 02 reason (kept in quarantine where it could
be stored) or an HTTP 4xx, nothing is registered, and the server stays healthy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lienthong.audit.actors import SystemActor
from lienthong.documents.services import files
from lienthong.documents.tests.workflow_helpers import Office, office, pki, storage
from lienthong.exchange.choices import InboundState
from lienthong.exchange.models import Envelope, InboundMessage, InboxItem
from lienthong.exchange.services.inbound import _VALIDATED
from lienthong.exchange.tests.test_edxml_hostile import BILLION_LAUGHS, EXTERNAL_ENTITY
from lienthong.exchange.tests.test_local_flow import _issue
from lienthong.org.models import Unit

__all__ = ["office", "pki", "storage"]

URL = "/exchange/v1/envelopes"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def envelope(office: Office, world: Any) -> bytes:
    """GIVEN a document issued by Tỉnh ủy Hà Nội to Hoàn Kiếm: its signed envelope."""
    document = _issue(office, [world.commune_a1])
    return files.file_read(Envelope.objects.get(document=document).payload)


def _post(data: bytes) -> Any:
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(URL, data=data, content_type="application/xml")


def _nothing_registered() -> None:
    assert not InboxItem.objects.exists()


def test_a_good_envelope_is_accepted_once_and_a_replay_changes_nothing(
    envelope: bytes, world: Any
) -> None:
    """GIVEN a valid envelope WHEN it is posted twice
    THEN the first answer is 202 "01", the second 202 "01" marked duplicate, one inbox item."""
    first = _post(envelope)
    second = _post(envelope)

    assert first.status_code == 202 and first.json()["status"] == "01"
    assert second.status_code == 202 and second.json()["duplicate"] is True
    assert InboxItem.objects.filter(unit=world.commune_a1).count() == 1


def _flip(data: bytes, marker: bytes) -> bytes:
    """One byte changed a little after ``marker`` (a letter for another letter)."""
    position = data.index(marker) + len(marker) + 2
    replacement = b"B" if data[position : position + 1] != b"B" else b"C"
    return data[:position] + replacement + data[position + 1 :]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda d: _flip(d, b"Subject>"), "signature"),
        (lambda d: _flip(d, b"ContentTransferEncoded>"), "signature|damaged"),
        (lambda d: d.replace(b"</edXML:Subject>", b"</edXML:Subjec>", 1), ""),
        (lambda _d: BILLION_LAUGHS, "DOCTYPE"),
        (lambda _d: EXTERNAL_ENTITY, "DOCTYPE"),
    ],
    ids=["header-byte", "attachment-byte", "malformed-xml", "billion-laughs", "external-entity"],
)
def test_a_tampered_or_hostile_envelope_is_quarantined_with_its_reason(
    envelope: bytes, tamper: Any, reason: str
) -> None:
    """GIVEN a valid envelope changed on the way (or a hostile XML document)
    WHEN it is posted
    THEN the answer is 02 with a reason, the envelope is in quarantine, nothing is
    registered, and /healthz still answers 200."""
    response = _post(tamper(envelope))

    body = response.json()
    assert response.status_code == 202 and body["status"] == "02"
    assert any(fragment.lower() in body["reason"].lower() for fragment in reason.split("|"))
    assert InboundMessage.objects.get(pk=body["message"]).state == InboundState.QUARANTINED
    _nothing_registered()
    assert Client().get("/healthz").status_code == 200


def test_an_empty_body_is_a_400_and_nothing_is_kept(envelope: bytes) -> None:
    """GIVEN a 0-byte body WHEN it is posted THEN 400 with a reason; nothing is stored."""
    response = _post(b"")

    assert response.status_code == 400 and "empty" in response.json()["reason"]
    assert not InboundMessage.objects.exists()


def test_an_unknown_sender_is_refused(envelope: bytes, world: Any) -> None:
    """GIVEN an envelope whose sending unit this node does not know (its address changed)
    WHEN it is posted THEN 02 "unknown sender", in quarantine, nothing registered."""
    Unit.objects.filter(pk=world.province_a.pk).update(organ_id="999.99.99.H99")

    body = _post(envelope).json()

    assert body["status"] == "02" and "Unknown sender" in body["reason"]
    _nothing_registered()


def test_an_envelope_signed_with_a_revoked_node_certificate_is_refused(
    envelope: bytes, office: Office
) -> None:
    """GIVEN the node's envelope certificate revoked after the envelope was signed
    WHEN the envelope is posted THEN 02 with the revocation as reason, nothing registered."""
    from lienthong.trust import services as trust

    _VALIDATED.clear()
    trust.certificate_revoke(
        actor=SystemActor("test"), certificate=office.pki.cas.node, reason="key_compromise"
    )

    body = _post(envelope).json()

    assert body["status"] == "02" and "revoked" in body["reason"]
    _nothing_registered()


def test_an_oversized_body_is_a_413(envelope: bytes, settings: Any) -> None:
    """GIVEN an envelope cap of 1 MB WHEN 2 MB are posted THEN 413, nothing stored."""
    settings.EXCHANGE_MAX_ENVELOPE_MB = 1

    response = _post(b"<" + b"x" * (2 * 1024 * 1024))

    assert response.status_code == 413
    assert not InboundMessage.objects.exists()


def _tls_pem(name: str) -> str:
    import datetime as dt
    from urllib.parse import quote

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return quote(cert.public_bytes(serialization.Encoding.PEM).decode())


def test_with_mutual_tls_the_peer_is_the_node_of_the_client_certificate(
    envelope: bytes, world: Any, settings: Any
) -> None:
    """GIVEN nginx forwarding the verified client certificate (EXCHANGE_CLIENT_CERT_HEADER)
    WHEN envelopes come without it, from an untrusted address, with a certificate of no
    node, with another node's certificate, and with the sending node's own
    THEN the first three are 403 and kept nowhere, the fourth is quarantined (the sender
    is not that node's), and only the last is accepted."""
    from lienthong.exchange.identity import local_node
    from lienthong.exchange.models import Peer
    from lienthong.org.choices import NetworkProfile
    from lienthong.org.models import Node

    settings.EXCHANGE_CLIENT_CERT_HEADER = "X-SSL-Client-Cert"
    ours, theirs, stranger = _tls_pem("A"), _tls_pem("Z"), _tls_pem("?")
    Peer.objects.create(node=local_node(), tls_certificate=_unquoted(ours))
    other = Node.objects.create(code="Z", name="Nút Z", network_profile=NetworkProfile.DEDICATED)
    Peer.objects.create(node=other, tls_certificate=_unquoted(theirs))

    def post(cert: str | None, address: str = "127.0.0.1") -> Any:
        headers = {"HTTP_X_SSL_CLIENT_CERT": cert} if cert is not None else {}
        return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address).post(
            URL, data=envelope, content_type="application/xml", **headers
        )

    assert post(None).status_code == 403
    assert post(ours, address="10.0.0.9").status_code == 403
    assert post(stranger).status_code == 403
    assert not InboundMessage.objects.exists()

    wrong = post(theirs)
    assert wrong.status_code == 202 and wrong.json()["status"] == "02"
    assert "belongs to node" in wrong.json()["reason"]
    _nothing_registered()

    right = post(ours)
    assert right.status_code == 202 and right.json()["status"] == "01"
    assert InboxItem.objects.filter(unit=world.commune_a1).count() == 1


def _unquoted(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)
