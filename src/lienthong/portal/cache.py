"""The public pages' cache (issue #10 scope 1: "fast and light on a phone").

Every public GET page is cached for ``PORTAL_CACHE_SECONDS`` (60 s) by Django's own
``cache_page``, which keys by URL and by the active language. Its key prefix carries
the **portal version**, a counter kept in Django's cache (``portal:version``): every
service that changes what the public sees (publishing or withdrawing an announcement,
publishing or unpublishing a document) bumps it once its transaction commits, so the
next request reads under a new prefix and a published announcement shows at once. The
old entries simply expire.

With several web servers the cache must be shared (``LIENTHONG_REDIS_URL``): the
process-local cache of the embedded mode (one web process) holds the counter per
process.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control, cache_page

__all__ = ["PORTAL_CACHE_SECONDS", "VERSION_KEY", "portal_cached", "portal_version", "version_bump"]

#: How long a public page is cached, here and in the visitor's browser.
PORTAL_CACHE_SECONDS = 60
#: The cache key of the portal version.
VERSION_KEY = "portal:version"

View = Callable[..., HttpResponse]


def portal_version() -> int:
    """The current portal version (started from the clock when the cache has none, so a
    lost counter never comes back to a number whose pages may still be cached)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = int(time.time() * 1000)
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no counter yet (or evicted): start one past any earlier value
        cache.set(VERSION_KEY, int(time.time() * 1000) + 1, timeout=None)


def version_bump() -> None:
    """Make every cached public page stale once the current transaction commits."""
    transaction.on_commit(_bump)


@functools.lru_cache(maxsize=256)
def _cached_view(view: View, prefix: str) -> View:
    return cache_page(PORTAL_CACHE_SECONDS, key_prefix=prefix)(view)


def portal_cached(view: View) -> View:
    """Cache a public page under the current portal version, and tell browsers and
    proxies they may keep it for a minute (``Cache-Control: public, max-age=60``)."""
    headed = cache_control(public=True, max_age=PORTAL_CACHE_SECONDS)(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _cached_view(headed, f"portal.{portal_version()}")(request, *args, **kwargs)

    return wrapper
