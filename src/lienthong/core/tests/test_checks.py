"""``lienthong check --deploy`` refuses unsafe production settings (issue #2, scope 1)."""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.core.management.utils import get_random_secret_key
from django.test import override_settings

from lienthong.core.checks import check_production_settings

POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


def _databases_with_engine(settings: Any, engine: str) -> dict[str, Any]:
    """A copy of DATABASES where only the default ENGINE differs (the check never connects)."""
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"]["ENGINE"] = engine
    return databases


@pytest.fixture
def safe_settings(settings: Any) -> Iterator[Any]:
    """GIVEN settings a production node would have: no debug, an operator's long random key,
    explicit host names, HTTPS, PostgreSQL, the database task backend, SMTP mail."""
    settings.DEBUG = False
    settings.SECRET_KEY = get_random_secret_key() + get_random_secret_key()
    settings.SECRET_KEY_FROM_ENV = True
    settings.ALLOWED_HOSTS = ["vanphong.tinhuy.vn"]
    settings.SECURE_HTTPS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.TASK_BACKEND = "db"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.KEY_ENCRYPTION_KEY_FROM_ENV = True
    settings.PUBLIC_URL = "https://vanphong.tinhuy.vn"
    with warnings.catch_warnings():
        # Django warns that overriding DATABASES is "complex"; only ENGINE changes, and
        # the check reads it without connecting.
        warnings.simplefilter("ignore", UserWarning)
        with override_settings(DATABASES=_databases_with_engine(settings, POSTGRES)):
            yield settings


def _ids() -> set[str]:
    return {problem.id for problem in check_production_settings()}


def _check_deploy() -> str:
    """Run `lienthong check --deploy`; return what it printed (warnings), or raise."""
    out, err = StringIO(), StringIO()
    call_command("check", "--deploy", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_embedded_defaults_fail_the_deploy_check(settings: Any) -> None:
    """GIVEN the embedded defaults with debug on (a laptop demo)
    WHEN `lienthong check --deploy` runs
    THEN it fails (SystemCheckError, a non-zero exit) naming lienthong.E001, E002, E005, E006."""
    settings.DEBUG = True
    settings.SECRET_KEY_FROM_ENV = False
    settings.SECURE_HTTPS = False
    settings.TASK_BACKEND = "db"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        # The suite may run on PostgreSQL; the embedded default is SQLite.
        sqlite = _databases_with_engine(settings, SQLITE)
        with override_settings(DATABASES=sqlite), pytest.raises(SystemCheckError) as info:
            _check_deploy()
    reported = set(re.findall(r"lienthong\.E\d{3}", str(info.value)))
    assert {"lienthong.E001", "lienthong.E002", "lienthong.E005", "lienthong.E006"} <= reported


def test_safe_settings_pass_the_lienthong_checks(safe_settings: Any) -> None:
    """GIVEN production-safe settings WHEN `lienthong check --deploy` runs
    THEN it succeeds and reports no lienthong error."""
    output = _check_deploy()
    assert "lienthong.E" not in output
    assert _ids() == set()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"DEBUG": True}, "lienthong.E001"),
        ({"SECRET_KEY_FROM_ENV": False}, "lienthong.E002"),
        ({"SECRET_KEY": "short"}, "lienthong.E003"),
        ({"SECRET_KEY": "a" * 60}, "lienthong.E003"),
        ({"SECRET_KEY": "django-insecure-" + get_random_secret_key()}, "lienthong.E003"),
        ({"ALLOWED_HOSTS": ["*"]}, "lienthong.E004"),
        ({"SECURE_HTTPS": False}, "lienthong.E005"),
        ({"TASK_BACKEND": "immediate"}, "lienthong.E007"),
        ({"KEY_ENCRYPTION_KEY_FROM_ENV": False}, "lienthong.E008"),
        ({"PUBLIC_URL": "http://vanphong.tinhuy.vn"}, "lienthong.E009"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "lienthong.W001"),
    ],
)
def test_each_unsafe_setting_is_named(
    safe_settings: Any, change: dict[str, Any], expected: str
) -> None:
    """GIVEN production-safe settings but one unsafe value
    WHEN the production check runs THEN exactly that problem is reported."""
    for name, value in change.items():
        setattr(safe_settings, name, value)
    assert _ids() == {expected}


def test_sqlite_is_refused_in_production(safe_settings: Any, settings: Any) -> None:
    """GIVEN production-safe settings but the SQLite engine
    WHEN `lienthong check --deploy` runs THEN it fails with lienthong.E006."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sqlite = _databases_with_engine(settings, SQLITE)
        with override_settings(DATABASES=sqlite), pytest.raises(SystemCheckError) as info:
            _check_deploy()
    assert "lienthong.E006" in str(info.value)


def test_checks_are_silent_without_deploy(settings: Any) -> None:
    """GIVEN the embedded defaults WHEN `lienthong check` runs without --deploy
    THEN it passes: the production check only runs when asked."""
    settings.SECRET_KEY_FROM_ENV = False
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()
