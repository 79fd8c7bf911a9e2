"""The settings module read from ``LIENTHONG_*`` variables (issue #2, scope 1).

Settings are read once, at import; each case here imports them in a fresh Python process
with a controlled environment and reads back what it needs as JSON.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

_PROBE = """
import json
from lienthong.config import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(s.DATABASES["default"]["NAME"]),
    "SECRET_KEY": s.SECRET_KEY,
    "SECRET_KEY_FROM_ENV": s.SECRET_KEY_FROM_ENV,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "TASKS": s.TASKS,
    "LANGUAGE_CODE": s.LANGUAGE_CODE,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "NODE_NAME": s.NODE_NAME,
    "DATA_DIR": str(s.DATA_DIR),
}))
"""


def _run(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with only these LIENTHONG_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env.setdefault("LIENTHONG_DATA_DIR", str(tmp_path / "var"))
    env.update({f"LIENTHONG_{name}": value for name, value in variables.items()})
    return subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=False
    )


def _settings(tmp_path: Path, **variables: str) -> dict[str, Any]:
    result = _run(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_embedded_defaults_are_safe(tmp_path: Path) -> None:
    """GIVEN no LIENTHONG_* variable but a data directory
    WHEN the settings load
    THEN no debug, SQLite inside the data directory, a generated private key file,
    local hosts only, Vietnamese, the database task backend."""
    values = _settings(tmp_path)
    data_dir = tmp_path / "var"
    assert values["DEBUG"] is False
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DB_NAME"] == str(data_dir / "lienthong.sqlite3")
    key_file = data_dir / "secret_key"
    assert values["SECRET_KEY"] == key_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert values["SECRET_KEY_FROM_ENV"] is False
    assert "*" not in values["ALLOWED_HOSTS"]
    assert values["LANGUAGE_CODE"] == "vi"
    assert values["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert values["SESSION_COOKIE_SECURE"] is False


def test_generated_key_is_kept_between_starts(tmp_path: Path) -> None:
    """GIVEN the embedded mode WHEN the settings load twice THEN the same secret key."""
    assert _settings(tmp_path)["SECRET_KEY"] == _settings(tmp_path)["SECRET_KEY"]


def test_production_variables(tmp_path: Path) -> None:
    """GIVEN PostgreSQL, an explicit key, host names, HTTPS and SMTP
    WHEN the settings load
    THEN they are used, and HTTPS turns on secure cookies, redirect and HSTS."""
    values = _settings(
        tmp_path,
        DATABASE_URL="postgres://lt:pw@db.local:5432/lienthong",
        SECRET_KEY="k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="vanphong.tinhuy.vn",
        HTTPS="true",
        EMAIL_URL="smtp://relay.tinhuy.vn:587?tls=1",
        NODE_NAME="Tỉnh ủy Nghệ An",
    )
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["SECRET_KEY_FROM_ENV"] is True
    assert values["ALLOWED_HOSTS"] == ["vanphong.tinhuy.vn"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["NODE_NAME"] == "Tỉnh ủy Nghệ An"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_secret_key_file_variable(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_SECRET_KEY_FILE naming a file WHEN the settings load
    THEN the key is read from it (trimmed) and counts as set by the operator."""
    key_file = tmp_path / "key"
    key_file.write_text("a-key-kept-by-the-operator-0123456789-abcdefghijklmnop\n")
    values = _settings(tmp_path, SECRET_KEY_FILE=str(key_file))
    assert values["SECRET_KEY"] == "a-key-kept-by-the-operator-0123456789-abcdefghijklmnop"
    assert values["SECRET_KEY_FROM_ENV"] is True


def test_config_file_is_read(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_CONFIG_PATH naming a dotenv file WHEN the settings load
    THEN its values apply, and the real environment still wins."""
    config = tmp_path / "lienthong.env"
    config.write_text('LIENTHONG_NODE_NAME="Từ tệp"\nLIENTHONG_LANGUAGE=en\n', encoding="utf-8")
    values = _settings(tmp_path, CONFIG_PATH=str(config), LANGUAGE="vi")
    assert values["NODE_NAME"] == "Từ tệp"
    assert values["LANGUAGE_CODE"] == "vi"


def test_immediate_task_backend(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_TASK_BACKEND=immediate WHEN the settings load
    THEN django-tasks' immediate backend is configured."""
    values = _settings(tmp_path, TASK_BACKEND="immediate")
    assert values["TASKS"]["default"]["BACKEND"].endswith("ImmediateBackend")


def test_rq_backend_needs_redis(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_TASK_BACKEND=rq without LIENTHONG_REDIS_URL WHEN the settings load
    THEN they refuse, naming both variables."""
    result = _run(tmp_path, TASK_BACKEND="rq")
    assert result.returncode != 0
    assert "LIENTHONG_TASK_BACKEND=rq needs LIENTHONG_REDIS_URL" in result.stderr


def test_rq_backend_with_redis(tmp_path: Path) -> None:
    """GIVEN the rq backend and a Redis URL WHEN the settings load
    THEN django-tasks-rq is configured (nothing connects at import)."""
    values = _settings(tmp_path, TASK_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"


def test_bad_value_stops_with_the_variable_name(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_DEBUG=maybe WHEN the settings load THEN ImproperlyConfigured naming it."""
    result = _run(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured: LIENTHONG_DEBUG: expected true or false" in result.stderr
