"""Small template helpers of the page shell."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context: dict[str, Any], *prefixes: str) -> SafeString:
    """Mark a navigation link as the current page.

    Renders `` aria-current="page"`` when the resolved URL name of the request equals
    one of ``prefixes`` or, for a prefix ending in ``-``, starts with it.

    Args:
        context: the template context (its ``request`` is read).
        *prefixes: URL names (``"home"``) or name prefixes (``"unit-"``).

    Returns:
        The attribute, or an empty string.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    for prefix in prefixes:
        if name == prefix or (prefix.endswith("-") and name.startswith(prefix)):
            return format_html(' aria-current="{}"', "page")
    return mark_safe("")


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], permission: str) -> bool:
    """Whether the page's person holds ``permission`` in some unit (the role engine):
    ``{% can "elections.view_congress" as may_count %}`` to show a menu entry."""
    from lienthong.core.permissions import user_can

    request = context.get("request")
    return bool(request is not None and user_can(request.user, permission))
