"""Node-to-node transport: ``POST /exchange/v1/envelopes`` over HTTPS with mutual TLS.

The client presents the node's TLS certificate (``LIENTHONG_EXCHANGE_TLS_CERT`` and
``…_KEY``) and trusts only the network's roots (``LIENTHONG_EXCHANGE_TLS_CA``); nginx
in front of the receiving node checks the client certificate (contrib/nginx). The body
is the signed edXML as is: the envelope's own signature is what the receiver trusts,
TLS protects the link.
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

from lienthong.org.models import Node

__all__ = ["ENVELOPES_PATH", "post_envelope", "probe", "tls_options"]

ENVELOPES_PATH = "/exchange/v1/envelopes"


def tls_options() -> dict[str, Any]:
    """The client TLS options of requests: our certificate and the roots we trust."""
    options: dict[str, Any] = {}
    cert = getattr(settings, "EXCHANGE_TLS_CERT", "")
    key = getattr(settings, "EXCHANGE_TLS_KEY", "")
    if cert and key:
        options["cert"] = (str(cert), str(key))
    ca = getattr(settings, "EXCHANGE_TLS_CA", "")
    options["verify"] = str(ca) if ca else True
    return options


def post_envelope(*, node: Node, data: bytes) -> None:
    """Deliver ``data`` to ``node``.

    Raises:
        DeliveryError: with ``permanent`` for a 4xx answer (the receiver refused the
            request itself; sending it again cannot help), else retryable.
    """
    from lienthong.exchange.services import DeliveryError

    if not node.base_url:
        raise DeliveryError(f"node {node.code} has no address in the directory")
    url = node.base_url.rstrip("/") + ENVELOPES_PATH
    timeout = float(getattr(settings, "EXCHANGE_HTTP_TIMEOUT_SECONDS", 30))
    try:
        response = requests.post(
            url,
            data=data,
            headers={"Content-Type": "application/xml; charset=utf-8"},
            timeout=timeout,
            allow_redirects=False,
            **tls_options(),
        )
    except requests.RequestException as exc:
        raise DeliveryError(f"{url}: {exc.__class__.__name__}: {exc}"[:500]) from exc
    if 200 <= response.status_code < 300:
        return
    reason = f"{url}: HTTP {response.status_code} {response.text[:200]}"
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    raise DeliveryError(reason, permanent=permanent)


def probe(*, node: Node, timeout: float = 3.0) -> bool:
    """Whether ``node`` answers ``GET /healthz`` with 200 (over the same TLS as delivery)."""
    if not node.base_url:
        return False
    try:
        response = requests.get(
            node.base_url.rstrip("/") + "/healthz",
            timeout=timeout,
            allow_redirects=False,
            **tls_options(),
        )
    except requests.RequestException:
        return False
    return response.status_code == 200
