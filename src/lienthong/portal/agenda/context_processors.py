"""The unread-notification count in the page header (issue #10 scope 5).

Registered in ``settings.TEMPLATES`` (core's base.html cannot import portal). Lazy: the
one COUNT query runs only when a template reads ``UNREAD_NOTIFICATIONS``, and only for
a logged-in person.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _count(request: HttpRequest) -> int:
    from lienthong.portal.agenda.selectors import unread_count

    return unread_count(user=request.user)


def notifications(request: HttpRequest) -> dict[str, Any]:
    """``UNREAD_NOTIFICATIONS``: how many unread notifications the person has."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"UNREAD_NOTIFICATIONS": SimpleLazyObject(lambda: _count(request))}
