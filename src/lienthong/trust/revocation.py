"""Revocation evidence for validation, and the local cache that survives outages.

For a certificate issued by one of this node's CAs the evidence is made here: the
CA's current CRL and a fresh OCSP answer built in process (no HTTP). For a foreign
certificate the CRL and OCSP addresses written in it are fetched (5 s timeout) and kept
as ``RevocationCacheEntry`` rows; when the responder cannot be reached, the last cached
answer is used and its age is reported, so validation goes on and says how fresh its
evidence is (issue #3, scope 9).

The PAdES validator passes ``RevocationEvidence.crls`` and ``.ocsps`` to pyHanko's
``ValidationContext(crls=..., ocsps=...)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as x509_ocsp
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.actors import SystemActor
from lienthong.trust.models import CertificateAuthority, RevocationCacheEntry, RevocationList
from lienthong.trust.ocsp import build_request, ocsp_response
from lienthong.trust.services import crl_publish

__all__ = [
    "FETCH_TIMEOUT_SECONDS",
    "RevocationEvidence",
    "current_crl",
    "revocation_evidence",
]

logger = logging.getLogger(__name__)

#: How long a foreign CRL or OCSP responder may take to answer.
FETCH_TIMEOUT_SECONDS = 5.0
#: Larger answers are not CRLs we want to hold in memory.
_MAX_FETCH_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RevocationEvidence:
    """The CRLs and OCSP responses gathered for one chain, and how fresh they are."""

    crls: list[bytes]
    """DER CRLs, for ``ValidationContext(crls=...)``."""
    ocsps: list[bytes]
    """DER OCSP responses, for ``ValidationContext(ocsps=...)``."""
    notes: list[str]
    """What was made, fetched or taken from the cache, and how old it is."""
    freshest: dt.datetime | None
    """The most recent ``thisUpdate`` among the evidence (None when there is none)."""
    stale: bool
    """Some evidence is past its next update, or a certificate has no evidence at all."""


def current_crl(authority: CertificateAuthority) -> RevocationList | None:
    """The CA's newest CRL, published anew first when its next update has passed.

    System use (no user scope): CRLs are public. A CA whose key the node does not hold
    keeps its last CRL, even when expired.
    """
    latest = authority.revocation_lists.order_by("-number").first()
    if (latest is None or latest.next_update <= timezone.now()) and authority.can_issue:
        latest = crl_publish(actor=SystemActor("crl"), authority=authority)
    return latest


@dataclass
class _Collector:
    now: dt.datetime
    crls: list[bytes]
    ocsps: list[bytes]
    notes: list[str]
    this_updates: list[dt.datetime]
    stale: bool = False

    def add(
        self,
        kind: str,
        der: bytes,
        this_update: dt.datetime,
        next_update: dt.datetime | None,
    ) -> None:
        (self.crls if kind == RevocationCacheEntry.Kind.CRL else self.ocsps).append(der)
        self.this_updates.append(this_update)
        if next_update is not None and next_update < self.now:
            self.stale = True


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _load(cert: x509.Certificate | bytes) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    data = bytes(cert)
    if data.lstrip().startswith(b"-----"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _find_issuer(
    cert: x509.Certificate, chain: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    for candidate in chain:
        if candidate is not cert and _issued_by(cert, candidate):
            return candidate
    for authority in CertificateAuthority.objects.select_related("certificate"):
        candidate = authority.certificate.x509()
        if _issued_by(cert, candidate):
            return candidate
    return None


def _age(since: dt.datetime, now: dt.datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 120:
        return _("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d days") % {"n": minutes // (24 * 60)}


def _name(cert: x509.Certificate) -> str:
    common = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(common[0].value) if common else cert.subject.rfc4514_string()


def _ours(cert: x509.Certificate, issuer: x509.Certificate, out: _Collector) -> bool:
    authority = (
        CertificateAuthority.objects.select_related("certificate", "key")
        .filter(certificate__fingerprint_sha256=_fingerprint(issuer))
        .first()
    )
    if authority is None:
        return False
    crl = current_crl(authority)
    if crl is not None:
        out.add(RevocationCacheEntry.Kind.CRL, bytes(crl.der), crl.this_update, crl.next_update)
    answer = ocsp_response(build_request(cert, issuer), authority, now=out.now)
    parsed = x509_ocsp.load_der_ocsp_response(answer)
    if parsed.response_status == x509_ocsp.OCSPResponseStatus.SUCCESSFUL:
        out.add(
            RevocationCacheEntry.Kind.OCSP,
            answer,
            parsed.this_update_utc,
            parsed.next_update_utc,
        )
    if crl is None and parsed.response_status != x509_ocsp.OCSPResponseStatus.SUCCESSFUL:
        out.stale = True
        out.notes.append(_("No revocation data for %(cert)s.") % {"cert": _name(cert)})
    else:
        out.notes.append(
            _("Revocation data for %(cert)s made by this node's CA %(ca)s.")
            % {"cert": _name(cert), "ca": authority.name}
        )
    return True


def _http(url: str, *, body: bytes | None, content_type: str | None, timeout: float) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP address: {url}")
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        data: bytes = reply.read(_MAX_FETCH_BYTES + 1)
    if len(data) > _MAX_FETCH_BYTES:
        raise ValueError("answer too large")
    return data


def _parse_crl(data: bytes, issuer: x509.Certificate) -> x509.CertificateRevocationList:
    crl = (
        x509.load_pem_x509_crl(data)
        if data.lstrip().startswith(b"-----")
        else x509.load_der_x509_crl(data)
    )
    if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        raise ValueError("the CRL is not signed by the certificate's issuer")
    return crl


def _urls(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    crl_urls: list[str] = []
    ocsp_urls: list[str] = []
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        for point in points:
            for name in point.full_name or []:
                if isinstance(name, x509.UniformResourceIdentifier):
                    crl_urls.append(name.value)
    except x509.ExtensionNotFound:
        pass
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        for description in access:
            if description.access_method == x509.oid.AuthorityInformationAccessOID.OCSP and (
                isinstance(description.access_location, x509.UniformResourceIdentifier)
            ):
                ocsp_urls.append(description.access_location.value)
    except x509.ExtensionNotFound:
        pass
    return crl_urls, ocsp_urls


def _fetch_one(
    *,
    kind: str,
    url: str,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    out: _Collector,
    fetch: bool,
    reuse_within: dt.timedelta | None,
    timeout: float,
) -> bool:
    issuer_fp = _fingerprint(issuer)
    serial = format(cert.serial_number, "x") if kind == RevocationCacheEntry.Kind.OCSP else ""
    cached = (
        RevocationCacheEntry.objects.filter(
            kind=kind, issuer_fingerprint=issuer_fp, serial_number=serial, url=url
        )
        .order_by("-fetched_at")
        .first()
    )
    what = _("CRL") if kind == RevocationCacheEntry.Kind.CRL else _("OCSP response")
    if (
        cached is not None
        and reuse_within is not None
        and cached.fetched_at >= out.now - reuse_within
    ):
        out.add(kind, bytes(cached.der), cached.this_update, cached.next_update)
        out.notes.append(
            _("%(what)s for %(cert)s from the local cache (fetched %(age)s ago).")
            % {"what": what, "cert": _name(cert), "age": _age(cached.fetched_at, out.now)}
        )
        return True
    error = _("fetching is turned off")
    if fetch:
        try:
            if kind == RevocationCacheEntry.Kind.CRL:
                der = _http(url, body=None, content_type=None, timeout=timeout)
                crl = _parse_crl(der, issuer)
                der = crl.public_bytes(serialization.Encoding.DER)
                this_update, next_update = crl.last_update_utc, crl.next_update_utc
            else:
                der = _http(
                    url,
                    body=build_request(cert, issuer),
                    content_type="application/ocsp-request",
                    timeout=timeout,
                )
                parsed = x509_ocsp.load_der_ocsp_response(der)
                if parsed.response_status != x509_ocsp.OCSPResponseStatus.SUCCESSFUL:
                    raise ValueError(f"OCSP status {parsed.response_status.name}")
                this_update, next_update = parsed.this_update_utc, parsed.next_update_utc
        except (OSError, ValueError, urllib.error.URLError) as exc:
            logger.info("revocation: %s %s unreachable: %s", kind, url, exc)
            error = str(exc) or exc.__class__.__name__
        else:
            RevocationCacheEntry.objects.create(
                kind=kind,
                url=url,
                issuer_fingerprint=issuer_fp,
                serial_number=serial,
                der=der,
                fetched_at=out.now,
                this_update=this_update,
                next_update=next_update,
            )
            out.add(kind, der, this_update, next_update)
            out.notes.append(
                _("%(what)s for %(cert)s fetched from %(url)s.")
                % {"what": what, "cert": _name(cert), "url": url}
            )
            return True
    if cached is None:
        out.notes.append(
            _("%(what)s for %(cert)s unavailable (%(error)s) and not in the local cache.")
            % {"what": what, "cert": _name(cert), "error": error}
        )
        return False
    out.add(kind, bytes(cached.der), cached.this_update, cached.next_update)
    expired = cached.next_update is not None and cached.next_update < out.now
    out.notes.append(
        _(
            "%(what)s for %(cert)s unavailable (%(error)s); using the copy fetched "
            "%(age)s ago%(expired)s."
        )
        % {
            "what": what,
            "cert": _name(cert),
            "error": error,
            "age": _age(cached.fetched_at, out.now),
            "expired": _(", past its next update") if expired else "",
        }
    )
    return True


def revocation_evidence(
    chain: Sequence[x509.Certificate | bytes],
    *,
    fetch: bool = True,
    reuse_within: dt.timedelta | None = dt.timedelta(minutes=5),
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> RevocationEvidence:
    """Gather CRLs and OCSP responses for every certificate of ``chain`` below its root.

    System use (no user scope): the evidence is public data.

    Args:
        chain: the certificates (cryptography objects, DER or PEM), any order; issuers
            missing from it are looked up among the node's CAs.
        fetch: fetch foreign CRLs and OCSP answers over HTTP (turn off in tests and on
            nodes without outside access: only the cache is used then).
        reuse_within: a cached foreign answer younger than this is used without
            fetching (None: always try to fetch first).
        timeout: seconds to wait for each foreign server.

    Returns:
        The evidence, with notes on where each piece came from and how old it is.
    """
    certs = [_load(item) for item in chain]
    out = _Collector(now=timezone.now(), crls=[], ocsps=[], notes=[], this_updates=[])
    for cert in certs:
        if cert.subject == cert.issuer and _issued_by(cert, cert):
            continue  # a root: trusted as an anchor, not checked for revocation
        issuer = _find_issuer(cert, certs)
        if issuer is None:
            out.stale = True
            out.notes.append(_("The issuer of %(cert)s is unknown.") % {"cert": _name(cert)})
            continue
        if _ours(cert, issuer, out):
            continue
        crl_urls, ocsp_urls = _urls(cert)
        found = False
        for kind, urls in (
            (RevocationCacheEntry.Kind.OCSP, ocsp_urls),
            (RevocationCacheEntry.Kind.CRL, crl_urls),
        ):
            for url in urls:
                found |= _fetch_one(
                    kind=kind,
                    url=url,
                    cert=cert,
                    issuer=issuer,
                    out=out,
                    fetch=fetch,
                    reuse_within=reuse_within,
                    timeout=timeout,
                )
        if not found:
            out.stale = True
            if not crl_urls and not ocsp_urls:
                out.notes.append(
                    _("%(cert)s names no CRL or OCSP address.") % {"cert": _name(cert)}
                )
    return RevocationEvidence(
        crls=out.crls,
        ocsps=out.ocsps,
        notes=out.notes,
        freshest=max(out.this_updates) if out.this_updates else None,
        stale=out.stale,
    )
