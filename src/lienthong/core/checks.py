"""Production checks: ``lienthong check --deploy`` refuses unsafe settings.

Django's own deploy checks are warnings; these are errors, so the command exits non-zero
and an installer cannot miss them (issue #2, scope 1).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

_WEAK_KEYS = ("django-insecure", "changeme", "secret", "lienthong")


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    """Refuse debug mode, weak or generated keys, open hosts, plain HTTP, and an S3 file
    storage without bucket, credentials or TLS."""
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
    problems.extend(_file_storage_problems())
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "filebased.EmailBackend")):
        problems.append(
            Warning(
                "E-mail is written to a file or the console, not sent.",
                hint="Set LIENTHONG_EMAIL_URL=smtp://…",
                id="lienthong.W001",
            )
        )
    return problems


def _is_loopback(host: str) -> bool:
    host = host.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _file_storage_problems() -> list[Error | Warning]:
    """With ``LIENTHONG_FILE_STORAGE=s3``: a bucket, credentials, TLS to the endpoint.

    Plain HTTP is accepted only to this machine (a MinIO beside the node); anywhere else
    the content of documents and the credentials would travel in clear.
    """
    if getattr(settings, "FILE_STORAGE", "local") != "s3":
        return []
    problems: list[Error | Warning] = []
    if not str(getattr(settings, "FILE_STORAGE_S3_BUCKET", "")).strip():
        problems.append(
            Error(
                "LIENTHONG_FILE_STORAGE=s3 but LIENTHONG_FILE_STORAGE_S3_BUCKET is empty.",
                hint="Name the bucket (it must exist) that holds the node's files.",
                id="lienthong.E010",
            )
        )
    key_id = str(getattr(settings, "FILE_STORAGE_S3_ACCESS_KEY_ID", "")).strip()
    secret = str(getattr(settings, "FILE_STORAGE_S3_SECRET_ACCESS_KEY", "")).strip()
    if not (key_id and secret):
        problems.append(
            Error(
                "The S3 file storage has no credentials (access key id and secret key).",
                hint="Set LIENTHONG_FILE_STORAGE_S3_ACCESS_KEY_ID and "
                "LIENTHONG_FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE (a file outside the "
                "repository and the backups).",
                id="lienthong.E011",
            )
        )
    endpoint = str(getattr(settings, "FILE_STORAGE_S3_ENDPOINT_URL", "")).strip()
    parts = urlsplit(endpoint)
    loopback = bool(endpoint) and _is_loopback(parts.hostname or "")
    if endpoint and (parts.scheme not in ("http", "https") or not parts.hostname):
        problems.append(
            Error(
                f"LIENTHONG_FILE_STORAGE_S3_ENDPOINT_URL is not an http(s) URL: {endpoint!r}.",
                hint="Give the endpoint as https://host[:port].",
                id="lienthong.E012",
            )
        )
    elif parts.scheme == "http" and not loopback:
        problems.append(
            Error(
                "LIENTHONG_FILE_STORAGE_S3_ENDPOINT_URL is plain HTTP to another machine: "
                "documents and credentials would travel in clear.",
                hint="Serve the S3 endpoint over TLS (https://…); plain HTTP only to 127.0.0.1.",
                id="lienthong.E012",
            )
        )
    if not getattr(settings, "FILE_STORAGE_S3_VERIFY_TLS", True) and not loopback:
        problems.append(
            Error(
                "LIENTHONG_FILE_STORAGE_S3_VERIFY_TLS is off: anyone in the path could pose "
                "as the file storage.",
                hint="Turn it on; for a private CA set LIENTHONG_FILE_STORAGE_S3_CA_BUNDLE.",
                id="lienthong.E013",
            )
        )
    bundle = str(getattr(settings, "FILE_STORAGE_S3_CA_BUNDLE", "")).strip()
    if bundle and not Path(bundle).is_file():
        problems.append(
            Error(
                f"LIENTHONG_FILE_STORAGE_S3_CA_BUNDLE is not a file: {bundle}.",
                hint="Give the path of the PEM file of the CA that issued the endpoint's "
                "certificate.",
                id="lienthong.E014",
            )
        )
    return problems
