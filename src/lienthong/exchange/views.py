"""The node-to-node endpoint ``POST /exchange/v1/envelopes`` (DESIGN.md contracts).

The transport peer is the node whose client certificate nginx verified and forwarded
(``LIENTHONG_EXCHANGE_CLIENT_CERT_HEADER``, trusted only from ``…_TRUSTED_PROXIES``);
without it the envelope's own signature still decides, and the sender's node is the
one the directory names for the sending unit.
"""

from __future__ import annotations

from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.hashes import SHA256
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from lienthong.exchange.choices import StatusCode
from lienthong.exchange.models import Peer
from lienthong.exchange.services import inbound_receive
from lienthong.org.models import Node

__all__ = ["directory", "envelopes"]


def _transport_node(request: HttpRequest) -> tuple[Node | None, str]:
    """(the node whose TLS client certificate nginx verified, "") or (None, why not).

    Off (None, "") unless ``EXCHANGE_CLIENT_CERT_HEADER`` is set.
    """
    header = str(getattr(settings, "EXCHANGE_CLIENT_CERT_HEADER", "") or "")
    if not header:
        return None, ""
    if request.META.get("REMOTE_ADDR", "") not in set(
        getattr(settings, "EXCHANGE_TRUSTED_PROXIES", ())
    ):
        return None, "client certificate required: connect through the node's TLS proxy"
    raw = unquote(request.headers.get(header, "") or "").strip()
    if not raw:
        return None, "client certificate required"
    try:
        presented = x509.load_pem_x509_certificate(raw.encode("ascii")).fingerprint(SHA256())
    except ValueError:
        return None, "the client certificate cannot be read"
    for peer in Peer.objects.exclude(tls_certificate="").select_related("node"):
        try:
            known = x509.load_pem_x509_certificate(peer.tls_certificate.encode("ascii"))
        except ValueError:
            continue
        if known.fingerprint(SHA256()) == presented:
            return peer.node, ""
    return None, "the client certificate is not that of a node in the directory"


@csrf_exempt  # machine-to-machine: authenticated by the envelope signature (and mTLS)
@require_POST
def envelopes(request: HttpRequest) -> JsonResponse:
    """Receive one envelope; 202 with the status, or 400/413 when nothing can be kept.

    The body is read from the stream with the envelope cap (not ``request.body``, which
    Django limits to ``DATA_UPLOAD_MAX_MEMORY_SIZE``, far below a scanned document).
    """
    transport_node, problem = _transport_node(request)
    if problem:
        return JsonResponse({"status": StatusCode.REFUSED, "reason": problem}, status=403)
    limit = int(getattr(settings, "EXCHANGE_MAX_ENVELOPE_MB", 100)) * 1024 * 1024
    data = request.read(limit + 1)
    outcome = inbound_receive(data=data, transport_node=transport_node)
    body = {
        "status": outcome.code,
        "reason": outcome.reason,
        "message": str(outcome.message.pk) if outcome.message is not None else None,
        "duplicate": outcome.duplicate,
    }
    if outcome.message is None and outcome.code == StatusCode.REFUSED:
        status = 413 if len(data) > limit else 400
        return JsonResponse(body, status=status)
    return JsonResponse(body, status=202)


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """The signed directory this node last published or imported (public data, signed)."""
    from lienthong.exchange.directory import published_path

    path = published_path()
    if not path.is_file():
        return JsonResponse({"error": "no directory published on this node"}, status=404)
    response = HttpResponse(path.read_bytes(), content_type="application/pkcs7-mime")
    response["Content-Disposition"] = 'attachment; filename="directory.p7m"'
    return response
