"""The public PKI endpoints of the node: CRLs, CA certificates, OCSP and the TSA.

Anyone may call them, without logging in (validators in other organisations do): they
only publish what certificates already point to (CRL distribution points, AIA) and
answer RFC 6960 / RFC 3161 requests. They write no audit rows: they are high-volume
reads, counted in the logs only (issue #3, scope 2).
"""

from __future__ import annotations

import base64
import binascii
import logging

from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp as x509_ocsp
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from lienthong.trust.models import CertificateAuthority
from lienthong.trust.ocsp import ocsp_response, unsuccessful_response
from lienthong.trust.pades.timestamping import timestamp_response
from lienthong.trust.revocation import current_crl

__all__ = ["ca_certificate", "crl", "ocsp_get", "ocsp_post", "tsa"]

logger = logging.getLogger(__name__)

#: Requests larger than this are not OCSP or timestamp requests (they are a few hundred
#: bytes); refusing them early keeps the endpoints cheap.
MAX_REQUEST_BYTES = 16 * 1024

CRL_TYPE = "application/pkix-crl"
CERT_TYPE = "application/pkix-cert"
OCSP_TYPE = "application/ocsp-response"
TSA_TYPE = "application/timestamp-reply"


def _binary(body: bytes, content_type: str, *, max_age: int | None) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    if max_age is None:
        response["Cache-Control"] = "no-store"
    else:
        response["Cache-Control"] = f"public, max-age={max(0, max_age)}"
    return response


@login_not_required
@require_safe
def crl(request: HttpRequest, slug: str) -> HttpResponse:
    """``GET /trust/crl/<slug>.crl``: the CA's current CRL (DER)."""
    authority = get_object_or_404(CertificateAuthority, slug=slug)
    latest = current_crl(authority)
    if latest is None:
        raise Http404("no CRL")
    logger.info("crl %s: served #%s", slug, latest.number)
    # Caches may keep it until the next update, but not longer than an hour: a
    # revocation publishes a new CRL at once.
    remaining = int((latest.next_update - timezone.now()).total_seconds())
    return _binary(bytes(latest.der), CRL_TYPE, max_age=min(remaining, 3600))


@login_not_required
@require_safe
def ca_certificate(request: HttpRequest, slug: str) -> HttpResponse:
    """``GET /trust/ca/<slug>.crt``: the CA's certificate (DER), for AIA caIssuers."""
    authority = get_object_or_404(
        CertificateAuthority.objects.select_related("certificate"), slug=slug
    )
    der = authority.certificate.x509().public_bytes(serialization.Encoding.DER)
    return _binary(der, CERT_TYPE, max_age=86400)


def _ocsp(slug: str, request_der: bytes) -> bytes:
    authority = CertificateAuthority.objects.select_related("certificate", "key").filter(slug=slug)
    found = authority.first()
    if found is None:
        return unsuccessful_response(x509_ocsp.OCSPResponseStatus.UNAUTHORIZED)
    if len(request_der) > MAX_REQUEST_BYTES:
        return unsuccessful_response(x509_ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    return ocsp_response(request_der, found)


@login_not_required
@csrf_exempt
@require_POST
def ocsp_post(request: HttpRequest, slug: str) -> HttpResponse:
    """``POST /trust/ocsp/<slug>/`` with an ``application/ocsp-request`` body."""
    return _binary(_ocsp(slug, request.body), OCSP_TYPE, max_age=None)


@login_not_required
@require_safe
def ocsp_get(request: HttpRequest, slug: str, encoded: str) -> HttpResponse:
    """``GET /trust/ocsp/<slug>/<base64>``: the request in the URL (RFC 6960 appendix A.1).

    Such answers may be cached briefly (a few minutes), since the same URL asks the
    same question.
    """
    text = encoded.strip()
    try:
        der = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        try:
            der = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            der = b""
    return _binary(_ocsp(slug, der), OCSP_TYPE, max_age=300)


@login_not_required
@csrf_exempt
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    """``POST /trust/tsa/`` with an ``application/timestamp-query`` body (RFC 3161 §3.4)."""
    body = request.body if len(request.body) <= MAX_REQUEST_BYTES else b""
    return _binary(timestamp_response(body), TSA_TYPE, max_age=None)
