"""The signed network directory (issue #5 scope 2): describe, add a node, publish, import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import InvalidInput
from lienthong.exchange import directory
from lienthong.exchange.identity import unit_address, unit_by_address
from lienthong.exchange.models import Peer, UnitAddress
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import Node, Unit
from lienthong.trust import services as trust
from lienthong.trust.choices import CertificateProfile
from lienthong.trust.tests.conftest import Pki, pki

__all__ = ["pki"]

ACTOR = SystemActor("test")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _remote_description(pki: Pki, world: Any) -> dict[str, Any]:
    """Node "HN" hosting Hà Nội's subtree: Hà Nội with a mã định danh, its communes
    with the provisional addresses the HN node gave them."""
    Unit.objects.filter(pk=world.province_a.pk).update(organ_id="000.00.01.H26")
    certificate = trust.certificate_issue(
        actor=ACTOR,
        authority=pki.cas.issuing,
        profile=CertificateProfile.NODE_ENVELOPE,
        subject=trust.SubjectSpec(common_name="Nút Hà Nội (HN)"),
    )
    return {
        "format": directory.DESCRIPTION_FORMAT,
        "code": "HN",
        "name": "Nút Hà Nội",
        "base_url": "https://hn.example.vn",
        "network_profile": NetworkProfile.DEDICATED,
        "envelope_certificate": certificate.pem,
        "encryption_certificate": "",
        "tls_certificate": "",
        "units": [
            {"address": "000.00.01.H26", "source_key": "", "name": "Tỉnh ủy Hà Nội"},
            {"address": "HN.L7", "source_key": "", "name": world.commune_a1.name, "x": 1},
            {"address": "HN.L9", "source_key": "", "name": "Không có ở đây"},
        ],
    }


def test_adding_a_node_moves_its_units_and_learns_their_addresses(pki: Pki, world: Any) -> None:
    """GIVEN the description of node HN (Hà Nội by its mã định danh, a commune by HN's
    provisional address which this node also knows by organ id for the test)
    WHEN the central node adds it
    THEN Hà Nội is hosted by HN, the peer's certificate is kept, and units it cannot
    match are counted, not invented."""
    description = _remote_description(pki, world)
    Unit.objects.filter(pk=world.commune_a1.pk).update(organ_id="HN.L7")

    report = directory.node_add(actor=ACTOR, description=description)

    node = Node.objects.get(code="HN")
    assert not node.is_local and node.network_profile == NetworkProfile.DEDICATED
    assert Peer.objects.get(node=node).envelope_certificate == description["envelope_certificate"]
    world.province_a.refresh_from_db()
    assert world.province_a.node == node
    assert report.units_moved == 2 and report.units_unknown == ["HN.L9"]
    assert unit_by_address("000.00.01.H26") == world.province_a


def test_a_published_directory_imports_and_a_tampered_one_is_refused(
    pki: Pki, world: Any, settings: Any
) -> None:
    """GIVEN a directory published by this node after adding HN
    WHEN it is imported (as another node would)
    THEN it applies; one changed byte, an unexpected issuer or an older serial is refused
    with a message and changes nothing."""
    directory.node_add(actor=ACTOR, description=_remote_description(pki, world))
    signed = directory.directory_publish(actor=ACTOR, serial=5)
    here = Node.objects.get(is_local=True)
    settings.EXCHANGE_DIRECTORY_ISSUER = here.code

    report = directory.directory_import(actor=ACTOR, data=signed)
    assert report.serial == 5 and report.nodes_updated == 1
    assert Peer.objects.get(node__code="HN").directory_serial == 5

    position = signed.find(b"hn.example.vn")
    assert position > 0
    tampered = signed[:position] + b"X" + signed[position + 1 :]
    with pytest.raises(InvalidInput, match="signature"):
        directory.directory_import(actor=ACTOR, data=tampered)

    settings.EXCHANGE_DIRECTORY_ISSUER = "OTHER"
    with pytest.raises(InvalidInput, match="not by OTHER"):
        directory.directory_import(actor=ACTOR, data=signed)

    settings.EXCHANGE_DIRECTORY_ISSUER = here.code
    older = directory.directory_publish(actor=ACTOR, serial=4)
    with pytest.raises(InvalidInput, match="older"):
        directory.directory_import(actor=ACTOR, data=older)
    assert Peer.objects.get(node__code="HN").directory_serial == 5


def test_a_provisional_address_learnt_from_the_directory_is_used_to_send(
    pki: Pki, world: Any
) -> None:
    """GIVEN a commune without a mã định danh hosted by HN, known to HN as "HN.L7"
    WHEN this node imports HN's description matching the commune by its reference key
    THEN this node addresses the commune as "HN.L7" and finds it by that address."""
    Unit.objects.filter(pk=world.commune_a2.pk).update(source_key="vn:commune:00004")
    description = _remote_description(pki, world)
    description["units"].append(
        {"address": "HN.L42", "source_key": "vn:commune:00004", "name": world.commune_a2.name}
    )

    directory.node_add(actor=ACTOR, description=description)

    world.commune_a2.refresh_from_db()
    assert UnitAddress.objects.get(unit=world.commune_a2).address == "HN.L42"
    assert unit_address(world.commune_a2) == "HN.L42"
    assert unit_by_address("HN.L42") == world.commune_a2


def test_the_command_describes_this_node_and_refuses_a_bad_file(
    pki: Pki, world: Any, tmp_path: Any
) -> None:
    """GIVEN this node with its certificates
    WHEN an operator runs ``exchange_directory describe`` and ``import`` of a bad file
    THEN the description is JSON with the node's code and units, and the bad file is
    refused with a one-line reason (CommandError, exit 1)."""
    out = StringIO()
    call_command("exchange_directory", "describe", stdout=out)
    described = json.loads(out.getvalue())
    here = Node.objects.get(is_local=True)
    assert described["code"] == here.code
    assert described["envelope_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert described["encryption_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert len(described["units"]) == Unit.objects.filter(node=here).count()

    bad = tmp_path / "directory.p7m"
    bad.write_bytes(b"not a signed directory")
    with pytest.raises(CommandError, match="signature"):
        call_command("exchange_directory", "import", str(bad))
