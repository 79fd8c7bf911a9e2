"""Production checks: ``lienthong check --deploy`` refuses unsafe settings.

Django's own deploy checks are warnings; these are errors, so the command exits non-zero
and an installer cannot miss them (issue #2, scope 1).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

_WEAK_KEYS = ("django-insecure", "changeme", "secret", "lienthong")


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    """Refuse debug mode, weak or generated keys, open hosts, and plain HTTP."""
    problems: list[Error | Warning] = []
    if settings.DEBUG:
        problems.append(
            Error("LIENTHONG_DEBUG is on.", hint="Unset it in production.", id="lienthong.E001")
        )
    key = settings.SECRET_KEY
    if not settings.SECRET_KEY_FROM_ENV:
        problems.append(
            Error(
                "The secret key was generated into the data directory (embedded mode).",
                hint="Set LIENTHONG_SECRET_KEY or LIENTHONG_SECRET_KEY_FILE.",
                id="lienthong.E002",
            )
        )
    elif len(key) < 50 or len(set(key)) < 5 or key.lower().startswith(_WEAK_KEYS):
        problems.append(
            Error(
                "LIENTHONG_SECRET_KEY is too short or guessable.",
                hint="Use `lienthong generate_secret_key` (50+ random characters).",
                id="lienthong.E003",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "LIENTHONG_ALLOWED_HOSTS contains '*'.",
                hint="List the node's host names.",
                id="lienthong.E004",
            )
        )
    if not settings.SECURE_HTTPS:
        problems.append(
            Error(
                "LIENTHONG_HTTPS is off: sessions and passwords would travel in clear.",
                hint="Serve the node over TLS and set LIENTHONG_HTTPS=true.",
                id="lienthong.E005",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append(
            Error(
                "The database is SQLite (embedded mode).",
                hint="Use PostgreSQL in production: LIENTHONG_DATABASE_URL=postgres://…",
                id="lienthong.E006",
            )
        )
    if settings.TASK_BACKEND == "immediate":
        problems.append(
            Error(
                "LIENTHONG_TASK_BACKEND=immediate runs background work inside web requests.",
                hint="Use db or rq.",
                id="lienthong.E007",
            )
        )
    if not getattr(settings, "KEY_ENCRYPTION_KEY_FROM_ENV", True):
        problems.append(
            Error(
                "The key-encryption key of the CA and seal keys was generated into the data "
                "directory (embedded mode).",
                hint="Set LIENTHONG_KEY_ENCRYPTION_KEY_FILE to a file outside the data "
                "directory and the backups of the database.",
                id="lienthong.E008",
            )
        )
    if not str(getattr(settings, "PUBLIC_URL", "https://")).startswith("https://"):
        problems.append(
            Error(
                "LIENTHONG_PUBLIC_URL is not https: certificates would point validators at "
                "plain-HTTP addresses of this node.",
                hint="Set LIENTHONG_PUBLIC_URL=https://<the node's host name>.",
                id="lienthong.E009",
            )
        )
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "filebased.EmailBackend")):
        problems.append(
            Warning(
                "E-mail is written to a file or the console, not sent.",
                hint="Set LIENTHONG_EMAIL_URL=smtp://…",
                id="lienthong.W001",
            )
        )
    return problems
