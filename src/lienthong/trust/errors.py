"""The trust error hierarchy (STYLE habit 20): callers never see KeyError or ValueError."""

from __future__ import annotations

from lienthong.core.errors import ApplicationError


class TrustError(ApplicationError):
    """Any failure of the trust services."""


class KeyUnavailable(TrustError):
    """The private key cannot be used (missing, wrong passphrase, token absent)."""


class CertificateError(TrustError):
    """A certificate cannot be issued, renewed or revoked as asked."""


class SigningError(TrustError):
    """A PDF could not be signed."""


class ValidationFailure(TrustError):
    """A file could not be validated at all (not a PDF, unreadable)."""
