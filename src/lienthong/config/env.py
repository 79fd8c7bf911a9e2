"""Typed readers for the ``LIENTHONG_*`` environment variables.

Every deploy-time setting of lienthong is read here and nowhere else (STYLE habit 13).
Values may also come from a dotenv-style file named by ``LIENTHONG_CONFIG_PATH``; a
variable set in the real environment wins over the file. A value that cannot be parsed
raises ``ImproperlyConfigured`` naming the variable, so a typo never silently becomes a
default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

PREFIX = "LIENTHONG_"

# Builtin names, for annotations inside ``Env`` whose methods are called str/int/bool/list.
Text = str
Integer = int
TextList = list[str]

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f", ""})


def read_config_file(path: Path) -> dict[str, str]:
    """Read a dotenv-style file: ``NAME=value`` lines, ``#`` comments, optional quotes.

    Args:
        path: the file to read.

    Returns:
        The variables it defines.

    Raises:
        ImproperlyConfigured: the file is missing or a line is not ``NAME=value``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(f"LIENTHONG_CONFIG_PATH: cannot read {path}: {exc}") from exc
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


class Env:
    """The environment lienthong is configured from.

    Args:
        environ: the process environment (``os.environ`` by default).
    """

    def __init__(self, environ: Mapping[Text, Text] | None = None) -> None:
        base = dict(os.environ if environ is None else environ)
        config_path = base.get(PREFIX + "CONFIG_PATH")
        merged: dict[Text, Text] = {}
        if config_path:
            merged.update(read_config_file(Path(config_path)))
        merged.update(base)
        self._values = merged

    def raw(self, name: Text) -> Text | None:
        """Return the raw value of ``LIENTHONG_<name>``, or ``None`` when unset."""
        return self._values.get(PREFIX + name)

    def is_set(self, name: Text) -> bool:
        """Tell whether ``LIENTHONG_<name>`` is set (even to an empty string)."""
        return PREFIX + name in self._values

    def str(self, name: Text, default: Text) -> Text:
        """Read a string; an unset variable gives ``default``."""
        value = self.raw(name)
        return default if value is None else value.strip()

    def bool(self, name: Text, *, default: bool) -> bool:
        """Read a boolean (1/0, true/false, yes/no, on/off).

        Raises:
            ImproperlyConfigured: the value is not one of those words.
        """
        value = self.raw(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ImproperlyConfigured(f"{PREFIX}{name}: expected true or false, got {value!r}")

    def int(self, name: Text, default: Integer, *, minimum: Integer | None = None) -> Integer:
        """Read an integer, optionally bounded below.

        Raises:
            ImproperlyConfigured: not an integer, or below ``minimum``.
        """
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        try:
            number = int(value.strip())
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{PREFIX}{name}: expected an integer, got {value!r}"
            ) from exc
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{PREFIX}{name}: must be at least {minimum}, got {number}")
        return number

    def list(self, name: Text, default: TextList) -> TextList:
        """Read a comma-separated list; blanks are dropped."""
        value = self.raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def path(self, name: Text, default: Path) -> Path:
        """Read a filesystem path, made absolute."""
        value = self.raw(name)
        return (Path(value).expanduser() if value else default).resolve()

    def choice(self, name: Text, default: Text, choices: tuple[Text, ...]) -> Text:
        """Read one word out of ``choices`` (case-insensitive).

        Raises:
            ImproperlyConfigured: the value is not one of ``choices``.
        """
        value = self.str(name, default).lower()
        if value not in choices:
            raise ImproperlyConfigured(
                f"{PREFIX}{name}: expected one of {', '.join(choices)}, got {value!r}"
            )
        return value


def parse_database_url(url: str, *, conn_max_age: int = 0) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into a DATABASES entry.

    SQLite gets WAL journalling and a busy timeout so that the web server and the task
    worker can share the embedded database; PostgreSQL gets persistent connections.

    Raises:
        ImproperlyConfigured: the scheme is not sqlite or postgres(ql), or the URL is malformed.
    """
    import dj_database_url

    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"LIENTHONG_DATABASE_URL: only sqlite:// and postgres:// are supported, got {scheme!r}"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"LIENTHONG_DATABASE_URL: cannot parse: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers work while the worker writes; IMMEDIATE avoids the
            # "database is locked" upgrade deadlock between two writers.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    else:
        config.setdefault("OPTIONS", {})
        config["CONN_HEALTH_CHECKS"] = True
    return config


@dataclass(frozen=True)
class EmailConfig:
    """Outgoing e-mail, parsed from ``LIENTHONG_EMAIL_URL``."""

    backend: str
    """Django e-mail backend path."""
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""


def parse_email_url(url: str, *, data_dir: Path) -> EmailConfig:
    """Parse ``smtp://user:pw@host:587?tls=1``, ``smtps://…``, ``file://`` or ``console://``.

    Raises:
        ImproperlyConfigured: an unknown scheme or a bad port.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if scheme == "file":
        folder = unquote(parts.path) or str(data_dir / "mail")
        return EmailConfig(
            backend="django.core.mail.backends.filebased.EmailBackend", file_path=folder
        )
    if scheme in {"smtp", "smtps"}:
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if scheme == "smtps" else 25)
        except ValueError as exc:
            raise ImproperlyConfigured(f"LIENTHONG_EMAIL_URL: bad port: {exc}") from exc
        tls = query.get("tls", ["0"])[0].lower() in _TRUE
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname or "localhost",
            port=port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=tls and scheme == "smtp",
            use_ssl=scheme == "smtps",
        )
    raise ImproperlyConfigured(
        f"LIENTHONG_EMAIL_URL: expected smtp://, smtps://, file:// or console://, got {url!r}"
    )


def load_or_create_secret_key(path: Path) -> str:
    """Return the secret key kept in ``path``, creating it (mode 0600) on first use.

    This is the embedded default: a key unique to this installation that never enters
    the repository. Production sets ``LIENTHONG_SECRET_KEY`` (or its file) explicitly.
    """
    from django.core.management.utils import get_random_secret_key

    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
