"""Helpers shared by the documents pages (not part of the public API)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from lienthong.core.errors import ApplicationError, NotFound
from lienthong.documents import selectors
from lienthong.documents.models import Document
from lienthong.org.models import User

__all__ = ["document_or_404", "fail", "may", "person", "verified"]


def person(request: HttpRequest) -> User:
    """The person of a request (the views are behind ``login_required``)."""
    return cast(User, request.user)


def document_or_404(request: HttpRequest, pk: Any, action: str = "view") -> Document:
    """The document ``pk`` if the person may ``action`` it, else 404 (STYLE habit 6)."""
    try:
        return selectors.document_get(user=request.user, pk=pk, action=action)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def may(user: Any, document: Document, action: str) -> bool:
    """Tell whether ``user`` may ``action`` the document (to show a button only)."""
    return selectors.document_list(user=user, action=action).filter(pk=document.pk).exists()


def verified(request: HttpRequest) -> bool:
    """Tell whether the session was verified by a second factor."""
    check = getattr(request.user, "is_verified", None)
    return bool(check()) if callable(check) else False


def fail(request: HttpRequest, exc: ApplicationError) -> None:
    """Show a service's refusal as an error message (nothing was changed)."""
    issues = exc.extra.get("issues") if isinstance(exc.extra, dict) else None
    if issues:
        messages.error(request, _("Not done: %(reason)s") % {"reason": " ".join(issues)})
    else:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.message})
