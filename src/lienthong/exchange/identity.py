"""Who is who on the network: this node, its keys, the units' exchange addresses.

System reads (no person's scope): addressing and verification need the whole directory,
the way a post office needs every address (DESIGN.md; documents' recipient search notes
it). Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.db import models
from django.utils.translation import gettext as _

from lienthong.core.errors import InvalidInput
from lienthong.org.models import Node, Unit
from lienthong.trust.choices import CertificateProfile, KeyStorage
from lienthong.trust.errors import KeyUnavailable
from lienthong.trust.keys import PrivateKey, decrypt_private_key
from lienthong.trust.models import Certificate
from lienthong.trust.pades.context import chain_of

__all__ = [
    "NodeIdentity",
    "known_envelope_certificates",
    "local_node",
    "node_identity",
    "unit_address",
    "unit_by_address",
    "units_by_address",
]

#: Provisional address of a unit with no mã định danh yet: "<node code>.L<unit id>".
#: QĐ 20/2020 codes are given by the authorities; most Party bodies have none in the
#: package (vn-rules.md §3.8), so the node that hosts a unit names it until one is set.
_PROVISIONAL = re.compile(r"^(?P<node>[0-9A-Z.]+)\.L(?P<pk>[0-9]+)$")


def local_node() -> Node:
    """This node.

    Raises:
        InvalidInput: the node has not been set up (no ``org.Node`` with ``is_local``).
    """
    node = Node.objects.filter(is_local=True).first()
    if node is None:
        raise InvalidInput(_("This node is not set up yet (no local node)."))
    return node


def unit_address(unit: Unit) -> str:
    """The unit's address on the network: its mã định danh, or a provisional one."""
    if unit.organ_id:
        return str(unit.organ_id)
    if not unit.node.is_local:
        from lienthong.exchange.models import UnitAddress

        known = UnitAddress.objects.filter(unit=unit).values_list("address", flat=True).first()
        if known:
            return str(known)
    return f"{unit.node.code}.L{unit.pk}"


def unit_by_address(address: str, *, node: Node | None = None) -> Unit | None:
    """The unit with this address, hosted on ``node`` (any node when None).

    A provisional address ("<node>.L<id>") names a unit of *this* node by its id; any
    other is a mã định danh, or an address learnt from the directory.
    """
    address = (address or "").strip()
    if not address:
        return None
    # No ordering: each lookup is one indexed row, not a sort of the unit tree.
    query = Unit.objects.select_related("node").order_by()
    if node is not None:
        query = query.filter(node=node)
    match = _PROVISIONAL.match(address)
    if match is not None:
        unit = query.filter(
            pk=int(match["pk"]),
            node__code=match["node"],
            node__is_local=True,
            organ_id__isnull=True,
        ).first()
        if unit is not None:
            return unit
    unit = query.filter(organ_id=address).first()
    if unit is not None:
        return unit
    return query.filter(exchange_address__address=address).first()


def units_by_address(addresses: Iterable[str], *, node: Node | None = None) -> dict[str, Unit]:
    """``unit_by_address`` for many addresses in three queries (a fan-out's recipients).

    Returns the units found, by address; an address that names no unit is absent.
    """
    wanted = {(a or "").strip() for a in addresses} - {""}
    found: dict[str, Unit] = {}
    query = Unit.objects.select_related("node").order_by()
    if node is not None:
        query = query.filter(node=node)
    provisional: dict[int, str] = {}
    for address in wanted:
        match = _PROVISIONAL.match(address)
        if match is not None:
            provisional[int(match["pk"])] = address
    if provisional:
        for unit in query.filter(pk__in=provisional, node__is_local=True, organ_id__isnull=True):
            address = provisional[unit.pk]
            if _PROVISIONAL.match(address)["node"] == unit.node.code:  # type: ignore[index]
                found[address] = unit
    rest = wanted - set(found)
    if rest:
        for unit in query.filter(organ_id__in=rest):
            found[str(unit.organ_id)] = unit
        rest -= set(found)
    if rest:
        for unit in query.filter(exchange_address__address__in=rest).annotate(
            _address=models.F("exchange_address__address")
        ):
            found.setdefault(str(unit._address), unit)
    return found


@dataclass(frozen=True)
class NodeIdentity:
    """This node's envelope key and certificate chain (leaf first)."""

    node: Node
    key: PrivateKey
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]


def node_identity() -> NodeIdentity:
    """This node's envelope signing key and chain.

    Raises:
        InvalidInput: no valid node-envelope certificate with a key held by this node
            (run ``lienthong ca init``), or its key cannot be opened.
    """
    node = local_node()
    query: Any = Certificate.objects.all()
    certificate = (
        query.valid_at()
        .filter(
            profile=CertificateProfile.NODE_ENVELOPE,
            holder_node=node,
            key__storage=KeyStorage.ENCRYPTED,
        )
        .select_related("key", "issuer__certificate", "issuer__parent__certificate")
        .order_by("-not_before")
        .first()
    )
    if certificate is None or certificate.key is None or certificate.key.encrypted_pkcs8 is None:
        raise InvalidInput(
            _("This node has no node-envelope certificate: run `lienthong ca init` first.")
        )
    cached = _IDENTITIES.get(str(certificate.pem))
    if cached is not None:
        return NodeIdentity(node=node, key=cached.key, chain=cached.chain)
    try:
        # Opening the key is deliberately slow (PBKDF2): once per certificate and process,
        # not once per status message of a fan-out to thousands of units.
        key = decrypt_private_key(bytes(certificate.key.encrypted_pkcs8))
    except KeyUnavailable as exc:
        raise InvalidInput(
            _("The node's envelope key cannot be opened: %(error)s") % {"error": exc}
        ) from exc
    identity = NodeIdentity(
        node=node, key=key, chain=(certificate.x509(), *(ca.x509() for ca in chain_of(certificate)))
    )
    _IDENTITIES.clear()
    _IDENTITIES[str(certificate.pem)] = identity
    return identity


#: The node's opened envelope key, by certificate: the query above still runs every time,
#: so a revoked or renewed certificate is never used from here.
_IDENTITIES: dict[str, NodeIdentity] = {}


def known_envelope_certificates(node: Node) -> list[bytes]:
    """Every envelope certificate (DER) ``node`` is known to sign with, valid or not.

    For this node: all its node-envelope certificates, revoked and expired included, so
    that an envelope signed with a revoked one is refused *as revoked* by the chain
    check; for another node: the one the directory gave.
    """
    if node.is_local:
        query: Any = Certificate.objects.filter(
            profile=CertificateProfile.NODE_ENVELOPE, holder_node=node
        )
        return [row.x509().public_bytes(Encoding.DER) for row in query]
    peer = getattr(node, "peer", None)
    if peer is None or not peer.envelope_certificate:
        return []
    try:
        pem = peer.envelope_certificate.encode()
        return [x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)]
    except ValueError:
        return []
