"""The network directory: which node hosts which unit, and its certificates (issue #5, 2).

A province joins by one import:

1. the new node describes itself (``lienthong exchange_directory describe``): its code,
   name, address, network profile, its envelope (and TLS) certificates and the units it
   hosts, each with its exchange address and the stable key of the reference list
   (``source_key``) so every node finds the same unit in its own tree;
2. the central node adds the description (``… add-node FILE``) and publishes the
   directory, a CMS SignedData by its node-envelope key (``… publish``);
3. every node fetches or is handed the directory and imports it (``… import FILE`` or
   ``… fetch URL``): the signature must chain to the node's trust anchors and come from
   the node named by ``LIENTHONG_EXCHANGE_DIRECTORY_ISSUER``; an older serial is refused.

Importing changes only ``org.Node`` rows of other nodes, the units' hosting node and
``Peer``/``UnitAddress``: never this node's own row, never the shape of the unit tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.exchange.identity import local_node, node_identity, unit_address, unit_by_address
from lienthong.exchange.models import Peer, UnitAddress
from lienthong.org.choices import NetworkProfile
from lienthong.org.models import ORGAN_ID_VALIDATOR, Node, Unit

__all__ = [
    "DESCRIPTION_FORMAT",
    "DIRECTORY_FORMAT",
    "ImportReport",
    "directory_import",
    "directory_publish",
    "node_add",
    "node_describe",
    "published_path",
]

DESCRIPTION_FORMAT = "lienthong-node/1"
DIRECTORY_FORMAT = "lienthong-directory/1"


def published_path() -> Path:
    """Where the last directory published or imported here is kept (served on
    ``GET /exchange/v1/directory``)."""
    return Path(settings.DATA_DIR) / "exchange" / "directory.p7m"


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _tls_certificate_pem(node: Node) -> str:
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.models import Certificate

    query: Any = Certificate.objects.all()
    row = (
        query.valid_at()
        .filter(profile=CertificateProfile.NODE_TLS, holder_node=node)
        .order_by("-not_before")
        .first()
    )
    return str(row.pem) if row is not None else ""


def _units_of(node: Node, roots: list[Unit] | None = None) -> list[dict[str, str]]:
    query = Unit.objects.filter(node=node)
    if roots:
        condition = Q()
        for root in roots:
            condition |= Q(path__startswith=root.path)
        query = query.filter(condition)
    out = []
    for unit in query.select_related("node", "parent__node").order_by("path"):
        out.append(
            {
                "address": unit_address(unit),
                "source_key": unit.source_key or "",
                "name": unit.name,
                "parent": unit_address(unit.parent) if unit.parent is not None else "",
            }
        )
    return out


def node_describe(*, subtrees: list[str] | None = None) -> dict[str, Any]:
    """This node's description, for the central node to add to the directory.

    Args:
        subtrees: the units (by address or reference key) whose subtrees this node
            hosts; every unit of this node when None (a node that loaded the whole
            country's tree hosts only its own part of it).

    Raises:
        InvalidInput: a subtree root is not a unit of this node.
    """
    identity = node_identity()
    node = identity.node
    roots: list[Unit] | None = None
    if subtrees:
        roots = []
        for key in subtrees:
            unit = (
                unit_by_address(key, node=node)
                or Unit.objects.filter(source_key=key, node=node).first()
            )
            if unit is None:
                raise InvalidInput(_("No unit %(key)s on this node.") % {"key": key})
            roots.append(unit)
    return {
        "format": DESCRIPTION_FORMAT,
        "code": node.code,
        "name": node.name,
        "base_url": node.base_url or settings.PUBLIC_URL,
        "network_profile": node.network_profile,
        "envelope_certificate": _pem(identity.certificate),
        "encryption_certificate": _encryption_certificate_pem(node),
        "tls_certificate": _tls_certificate_pem(node),
        "units": _units_of(node, roots),
    }


def _encryption_certificate_pem(node: Node) -> str:
    from lienthong.exchange.crypto import encryption_certificate_pem

    return encryption_certificate_pem(node)


@dataclass
class ImportReport:
    """What an import changed."""

    nodes_created: int = 0
    nodes_updated: int = 0
    units_moved: int = 0
    units_created: int = 0
    units_unknown: list[str] = field(default_factory=list)
    serial: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "nodes_created": self.nodes_created,
            "nodes_updated": self.nodes_updated,
            "units_moved": self.units_moved,
            "units_created": self.units_created,
            "units_unknown": len(self.units_unknown),
        }


def _check_certificate(pem: str, what: str) -> str:
    if not pem:
        return ""
    try:
        x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError as exc:
        raise InvalidInput(
            _("The %(what)s certificate is not a PEM certificate.") % {"what": what}
        ) from exc
    return pem


def _valid_description(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise InvalidInput(_("A node entry is not an object."))
    code = str(entry.get("code") or "")
    try:
        ORGAN_ID_VALIDATOR(code)
    except Exception as exc:
        raise InvalidInput(_("Invalid node code %(code)r.") % {"code": code}) from exc
    profile = str(entry.get("network_profile") or "")
    if profile not in NetworkProfile.values:
        raise InvalidInput(
            _("Node %(code)s: unknown network profile %(p)r.") % {"code": code, "p": profile}
        )
    units = entry.get("units") or []
    if not isinstance(units, list) or not all(isinstance(u, dict) for u in units):
        raise InvalidInput(_("Node %(code)s: the unit list is malformed.") % {"code": code})
    return {
        "code": code,
        "name": str(entry.get("name") or code)[:200],
        "base_url": str(entry.get("base_url") or "")[:200],
        "network_profile": profile,
        "envelope_certificate": _check_certificate(
            str(entry.get("envelope_certificate") or ""), "envelope"
        ),
        "encryption_certificate": _check_certificate(
            str(entry.get("encryption_certificate") or ""), "encryption"
        ),
        "tls_certificate": _check_certificate(str(entry.get("tls_certificate") or ""), "TLS"),
        "units": units,
    }


def _match_unit(entry: dict[str, Any]) -> Unit | None:
    address = str(entry.get("address") or "")
    source_key = str(entry.get("source_key") or "")
    unit = Unit.objects.filter(organ_id=address).first() if address else None
    if unit is None and address:
        unit = Unit.objects.filter(exchange_address__address=address).first()
    if unit is None and source_key:
        unit = Unit.objects.filter(source_key=source_key).first()
    return unit


def _apply_node(description: dict[str, Any], *, serial: int, report: ImportReport) -> None:
    here = local_node()
    if description["code"] == here.code:
        return  # this node's own entry: nothing to learn about ourselves
    node = Node.objects.filter(code=description["code"]).first()
    if node is None:
        node = Node(code=description["code"], is_local=False)
        report.nodes_created += 1
    else:
        report.nodes_updated += 1
    node.name = description["name"]
    node.base_url = description["base_url"]
    node.network_profile = description["network_profile"]
    node.full_clean()
    node.save()
    Peer.objects.update_or_create(
        node=node,
        defaults={
            "envelope_certificate": description["envelope_certificate"],
            "encryption_certificate": description["encryption_certificate"],
            "tls_certificate": description["tls_certificate"],
            "directory_serial": serial,
        },
    )
    for entry in description["units"]:
        address = str(entry.get("address") or "")[:35]
        unit = _match_unit(entry)
        if unit is None:
            report.units_unknown.append(address)
            continue
        if unit.node_id != node.pk:
            Unit.objects.filter(pk=unit.pk).update(node=node)
            report.units_moved += 1
        if address and address != unit.organ_id:
            UnitAddress.objects.filter(address=address).exclude(unit=unit).delete()
            UnitAddress.objects.update_or_create(unit=unit, defaults={"address": address})


def node_add(*, actor: Actor, description: dict[str, Any]) -> ImportReport:
    """The central node adds (or updates) a node from its description."""
    if description.get("format") != DESCRIPTION_FORMAT:
        raise InvalidInput(_("This is not a lienthong node description."))
    valid = _valid_description(description)
    report = ImportReport()
    with transaction.atomic():
        _apply_node(valid, serial=0, report=report)
        record(actor=actor, verb="exchange.node_add", target=None, data=report.as_dict())
    return report


def _directory_content(serial: int) -> dict[str, Any]:
    here = local_node()
    nodes = [node_describe()]
    for peer in Peer.objects.select_related("node").exclude(node=here).order_by("node__code"):
        node = peer.node
        nodes.append(
            {
                "code": node.code,
                "name": node.name,
                "base_url": node.base_url,
                "network_profile": node.network_profile,
                "envelope_certificate": peer.envelope_certificate,
                "encryption_certificate": peer.encryption_certificate,
                "tls_certificate": peer.tls_certificate,
                "units": _units_of(node),
            }
        )
    for entry in nodes:
        entry.pop("format", None)
    return {
        "format": DIRECTORY_FORMAT,
        "serial": serial,
        "issuer": here.code,
        "issued_at": timezone.now().isoformat(),
        "nodes": nodes,
    }


def directory_publish(*, actor: Actor, serial: int | None = None) -> bytes:
    """Sign the directory as this node knows it (CMS SignedData, DER, content attached).

    The serial is one more than the last one published here unless given.
    """
    identity = node_identity()
    if serial is None:
        serial = int(timezone.now().timestamp())
    content = json.dumps(
        _directory_content(serial), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content)
    builder = builder.add_signer(identity.certificate, identity.key, hashes.SHA256())
    for extra in identity.chain[1:]:
        builder = builder.add_certificate(extra)
    signed = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    record(actor=actor, verb="exchange.directory_publish", target=None, data={"serial": serial})
    return signed


def _issuer_code(signer_der: bytes) -> str:
    cert = x509.load_der_x509_certificate(signer_der)
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    common_name = str(names[0].value) if names else ""
    # Node envelope certificates are named "<node name> (<node code>)" (trust ca init).
    if common_name.endswith(")") and "(" in common_name:
        return common_name.rsplit("(", 1)[1][:-1]
    return ""


def directory_import(*, actor: Actor, data: bytes) -> ImportReport:
    """Verify and apply a signed directory.

    Raises:
        InvalidInput: the signature is bad or untrusted, the signer is not the directory
            issuer, the serial is not newer than the one imported, the content is malformed.
    """
    from lienthong.trust.pades.certs import cms_certificates, cms_verify
    from lienthong.trust.revocation import revocation_evidence
    from lienthong.trust.validation import active_anchor_pems

    carried = cms_certificates(data)
    if carried:
        # The signer's CA publishes its CRL and OCSP on its own node: fetch them (or
        # reuse a cached answer) so the "hard-fail" revocation check has its evidence.
        revocation_evidence(
            carried, fetch=bool(getattr(settings, "EXCHANGE_FETCH_REVOCATION", True)), timeout=5.0
        )
    check = cms_verify(data=data, trust_anchor_pems=active_anchor_pems())
    if not check.ok or check.content is None or check.signer_der is None:
        raise InvalidInput(
            _("The directory's signature is not valid: %(reason)s") % {"reason": check.reason}
        )
    expected = str(getattr(settings, "EXCHANGE_DIRECTORY_ISSUER", "") or "")
    issuer = _issuer_code(check.signer_der)
    if expected and issuer != expected:
        raise InvalidInput(
            _("The directory is signed by node %(got)s, not by %(expected)s.")
            % {"got": issuer or "?", "expected": expected}
        )
    try:
        content = json.loads(check.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(_("The directory is not valid JSON.")) from exc
    if not isinstance(content, dict) or content.get("format") != DIRECTORY_FORMAT:
        raise InvalidInput(_("This is not a lienthong directory."))
    if content.get("issuer") != issuer:
        raise InvalidInput(_("The directory names another issuer than its signer."))
    serial = content.get("serial")
    if not isinstance(serial, int) or serial <= 0:
        raise InvalidInput(_("The directory has no valid serial number."))
    latest = max(Peer.objects.values_list("directory_serial", flat=True), default=0)
    if serial < latest:
        raise InvalidInput(
            _("This directory (version %(serial)s) is older than the one in use (%(latest)s).")
            % {"serial": serial, "latest": latest}
        )
    nodes = content.get("nodes")
    if not isinstance(nodes, list):
        raise InvalidInput(_("The directory lists no nodes."))
    descriptions = [_valid_description(entry) for entry in nodes]
    report = ImportReport(serial=serial)
    with transaction.atomic():
        for description in descriptions:
            _apply_node(description, serial=serial, report=report)
        record(actor=actor, verb="exchange.directory_import", target=None, data=report.as_dict())
    return report
