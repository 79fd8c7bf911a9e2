"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lienthong import __version__


def node(request: HttpRequest) -> dict[str, Any]:
    """Name the node in the page header and footer."""
    return {
        "NODE_NAME": settings.NODE_NAME,
        "NODE_PROFILE": settings.NETWORK_PROFILE,
        "LIENTHONG_VERSION": __version__,
    }
