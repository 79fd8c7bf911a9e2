"""The domain error hierarchy: services raise these, views and the CLI turn them into messages.

A service never lets ``KeyError`` or ``ValueError`` escape to a caller; it raises an
``ApplicationError`` whose message is fit to show a person (msgid in English, translated
in the UI).
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A user-facing error from a service.

    Args:
        message: a sentence for a person (already translated or a lazy string).
        extra: structured details (field errors, row numbers) for APIs and reports.
    """

    def __init__(self, message: Any, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.extra = extra or {}


class PermissionDenied(ApplicationError):
    """The actor may not do this."""


class NotFound(ApplicationError):
    """The object does not exist or is outside the actor's scope (both answer 404)."""


class Unavailable(ApplicationError):
    """A service this one depends on (file storage, another node) cannot answer now;
    the same request may succeed later (HTTP 503)."""


class InvalidInput(ApplicationError):
    """The input was rejected; ``extra`` may carry row-by-row errors."""
