"""The node-to-node endpoint ``POST /exchange/v1/envelopes`` (DESIGN.md contracts).

The transport peer is the node whose client certificate nginx verified and forwarded
(``LIENTHONG_EXCHANGE_CLIENT_CERT_HEADER``, trusted only from ``…_TRUSTED_PROXIES``);
without it the envelope's own signature still decides, and the sender's node is the
one the directory names for the sending unit.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from lienthong.exchange.choices import StatusCode
from lienthong.exchange.services import inbound_receive

__all__ = ["directory", "envelopes"]


@csrf_exempt  # machine-to-machine: authenticated by the envelope signature (and mTLS)
@require_POST
def envelopes(request: HttpRequest) -> JsonResponse:
    """Receive one envelope; 202 with the status, or 400/413 when nothing can be kept.

    The body is read from the stream with the envelope cap (not ``request.body``, which
    Django limits to ``DATA_UPLOAD_MAX_MEMORY_SIZE``, far below a scanned document).
    """
    limit = int(getattr(settings, "EXCHANGE_MAX_ENVELOPE_MB", 100)) * 1024 * 1024
    data = request.read(limit + 1)
    outcome = inbound_receive(data=data, transport_node=None)
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
