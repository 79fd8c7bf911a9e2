"""The typed ``LIENTHONG_*`` readers (issue #2, scope 1; STYLE habit 13).

A value that cannot be parsed must stop the start-up with a message naming the variable,
never silently fall back to a default.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lienthong.config.env import (
    Env,
    load_or_create_secret_key,
    parse_database_url,
    parse_email_url,
    read_config_file,
)

# --- booleans ----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "yes", "on", " y ", "t"])
def test_bool_true_words(word: str) -> None:
    """GIVEN a truthy word WHEN read as a boolean THEN True."""
    assert Env({"LIENTHONG_DEBUG": word}).bool("DEBUG", default=False) is True


@pytest.mark.parametrize("word", ["0", "false", "No", "off", "n", "f", ""])
def test_bool_false_words(word: str) -> None:
    """GIVEN a falsy word (or an empty value) WHEN read as a boolean THEN False."""
    assert Env({"LIENTHONG_DEBUG": word}).bool("DEBUG", default=True) is False


def test_bool_unset_gives_default() -> None:
    """GIVEN no variable WHEN read as a boolean THEN the default."""
    assert Env({}).bool("DEBUG", default=True) is True
    assert Env({}).bool("DEBUG", default=False) is False


@pytest.mark.parametrize("word", ["maybe", "2", "truee", "yes please"])
def test_bool_bad_value_names_the_variable(word: str) -> None:
    """GIVEN a word that is not a boolean WHEN read THEN ImproperlyConfigured naming it."""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_DEBUG") as info:
        Env({"LIENTHONG_DEBUG": word}).bool("DEBUG", default=False)
    assert repr(word) in str(info.value)


# --- integers, lists, choices, strings, paths --------------------------------------


def test_int_reads_and_defaults() -> None:
    """GIVEN an integer, an empty value and no value WHEN read THEN the number or the default."""
    assert Env({"LIENTHONG_N": " 42 "}).int("N", 7) == 42
    assert Env({"LIENTHONG_N": ""}).int("N", 7) == 7
    assert Env({}).int("N", 7) == 7


def test_int_not_a_number_names_the_variable() -> None:
    """GIVEN "12abc" WHEN read as an integer THEN ImproperlyConfigured naming the variable."""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_SESSION_AGE: expected an integer"):
        Env({"LIENTHONG_SESSION_AGE": "12abc"}).int("SESSION_AGE", 300)


def test_int_below_minimum_is_refused() -> None:
    """GIVEN a value below the minimum WHEN read THEN refused with the bound; the bound passes."""
    env = Env({"LIENTHONG_SESSION_AGE": "299"})
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_SESSION_AGE: must be at least 300"):
        env.int("SESSION_AGE", 3600, minimum=300)
    assert Env({"LIENTHONG_SESSION_AGE": "300"}).int("SESSION_AGE", 3600, minimum=300) == 300


def test_list_splits_on_commas_and_drops_blanks() -> None:
    """GIVEN "a.vn, b.vn,,  " WHEN read as a list THEN the two names, trimmed."""
    env = Env({"LIENTHONG_ALLOWED_HOSTS": "a.vn, b.vn,,  "})
    assert env.list("ALLOWED_HOSTS", ["x"]) == ["a.vn", "b.vn"]
    assert Env({}).list("ALLOWED_HOSTS", ["x"]) == ["x"]
    assert Env({"LIENTHONG_ALLOWED_HOSTS": ""}).list("ALLOWED_HOSTS", ["x"]) == []


def test_choice_is_case_insensitive_and_refuses_others() -> None:
    """GIVEN a task backend name WHEN read as a choice
    THEN known words pass (any case) and an unknown one is refused, listing the choices."""
    choices = ("db", "rq", "immediate")
    assert Env({"LIENTHONG_TASK_BACKEND": "RQ"}).choice("TASK_BACKEND", "db", choices) == "rq"
    assert Env({}).choice("TASK_BACKEND", "db", choices) == "db"
    with pytest.raises(ImproperlyConfigured, match=r"LIENTHONG_TASK_BACKEND: expected one of db"):
        Env({"LIENTHONG_TASK_BACKEND": "celery"}).choice("TASK_BACKEND", "db", choices)


def test_str_and_path(tmp_path: Path) -> None:
    """GIVEN a string with spaces and a relative path WHEN read
    THEN the string is trimmed and the path made absolute."""
    env = Env({"LIENTHONG_NODE_NAME": "  Tỉnh ủy Hà Nội ", "LIENTHONG_DATA_DIR": "var/x"})
    assert env.str("NODE_NAME", "") == "Tỉnh ủy Hà Nội"
    assert env.path("DATA_DIR", tmp_path).is_absolute()
    assert Env({}).path("DATA_DIR", tmp_path) == tmp_path.resolve()
    assert env.is_set("NODE_NAME") and not env.is_set("NODE_CODE")
    assert env.raw("NODE_CODE") is None


# --- database URL ------------------------------------------------------------------


def test_sqlite_url_gets_wal_and_busy_timeout(tmp_path: Path) -> None:
    """GIVEN a sqlite URL WHEN parsed THEN the SQLite engine with WAL, IMMEDIATE
    transactions, a busy timeout and no persistent connections (embedded mode)."""
    config = parse_database_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "foreign_keys=ON" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] > 0
    assert config["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_url(scheme: str) -> None:
    """GIVEN a PostgreSQL URL WHEN parsed THEN host, port, user, password, name and
    persistent, health-checked connections."""
    config = parse_database_url(f"{scheme}://lt:p%40ss@db.local:5433/lienthong", conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.local", 5433, "lienthong")
    assert (config["USER"], config["PASSWORD"]) == ("lt", "p@ss")
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "url", ["mysql://u:p@host/db", "oracle://u:p@host/db", "db.sqlite3", "redis://localhost"]
)
def test_unsupported_database_is_refused(url: str) -> None:
    """GIVEN MySQL or another unsupported database WHEN parsed
    THEN ImproperlyConfigured naming LIENTHONG_DATABASE_URL."""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_DATABASE_URL"):
        parse_database_url(url)


# --- e-mail URL --------------------------------------------------------------------


def test_smtp_with_starttls(tmp_path: Path) -> None:
    """GIVEN smtp://…:587?tls=1 WHEN parsed THEN SMTP with STARTTLS and the credentials."""
    email = parse_email_url(
        "smtp://thu%40tu.vn:m%E1%BA%ADt@mail.tu.vn:587?tls=1", data_dir=tmp_path
    )
    assert email.backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (email.host, email.port) == ("mail.tu.vn", 587)
    assert (email.user, email.password) == ("thu@tu.vn", "mật")
    assert email.use_tls is True and email.use_ssl is False


def test_smtp_without_tls_defaults_to_port_25(tmp_path: Path) -> None:
    """GIVEN smtp://relay WHEN parsed THEN port 25, no TLS."""
    email = parse_email_url("smtp://relay", data_dir=tmp_path)
    assert (email.host, email.port, email.use_tls, email.use_ssl) == ("relay", 25, False, False)


def test_smtps_uses_implicit_tls_on_465(tmp_path: Path) -> None:
    """GIVEN smtps://host WHEN parsed THEN implicit TLS on port 465, never both TLS modes."""
    email = parse_email_url("smtps://u:p@mail.example?tls=1", data_dir=tmp_path)
    assert email.port == 465
    assert email.use_ssl is True and email.use_tls is False


def test_file_and_console_backends(tmp_path: Path) -> None:
    """GIVEN file:// (with and without a folder) and console:// WHEN parsed
    THEN the file backend under the data directory or the given folder, and the console."""
    default = parse_email_url("file://", data_dir=tmp_path)
    assert default.backend == "django.core.mail.backends.filebased.EmailBackend"
    assert default.file_path == str(tmp_path / "mail")
    assert parse_email_url("file:///srv/mail", data_dir=tmp_path).file_path == "/srv/mail"
    console = parse_email_url("console://", data_dir=tmp_path)
    assert console.backend == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize("url", ["imap://mail.example", "mail.example", "http://x"])
def test_bad_email_scheme_is_refused(url: str, tmp_path: Path) -> None:
    """GIVEN a URL that is not smtp, smtps, file or console WHEN parsed
    THEN ImproperlyConfigured naming LIENTHONG_EMAIL_URL."""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_EMAIL_URL"):
        parse_email_url(url, data_dir=tmp_path)


def test_bad_smtp_port_is_refused(tmp_path: Path) -> None:
    """GIVEN a port that is not a number WHEN parsed THEN ImproperlyConfigured, no traceback."""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_EMAIL_URL: bad port"):
        parse_email_url("smtp://mail.example:abc", data_dir=tmp_path)


# --- configuration file ------------------------------------------------------------


def test_config_file_with_comments_quotes_and_export(tmp_path: Path) -> None:
    """GIVEN a dotenv file with comments, blank lines, quotes and `export`
    WHEN read THEN each NAME=value, unquoted; '=' inside a value is kept."""
    path = tmp_path / "lienthong.env"
    path.write_text(
        "# lienthong configuration\n"
        "\n"
        'LIENTHONG_NODE_NAME="Tỉnh ủy Nghệ An"\n'
        "export LIENTHONG_DEBUG=no\n"
        "  LIENTHONG_ALLOWED_HOSTS = 'a.vn,b.vn'  \n"
        "LIENTHONG_SECRET_KEY=abc=def==\n",
        encoding="utf-8",
    )
    assert read_config_file(path) == {
        "LIENTHONG_NODE_NAME": "Tỉnh ủy Nghệ An",
        "LIENTHONG_DEBUG": "no",
        "LIENTHONG_ALLOWED_HOSTS": "a.vn,b.vn",
        "LIENTHONG_SECRET_KEY": "abc=def==",
    }


def test_environment_wins_over_config_file(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_CONFIG_PATH naming a file, and one of its variables also in the
    environment WHEN read THEN the environment's value wins, the file fills the rest."""
    path = tmp_path / "lienthong.env"
    path.write_text("LIENTHONG_NODE_CODE=FILE\nLIENTHONG_NODE_NAME=Từ tệp\n", encoding="utf-8")
    env = Env({"LIENTHONG_CONFIG_PATH": str(path), "LIENTHONG_NODE_CODE": "ENV"})
    assert env.str("NODE_CODE", "") == "ENV"
    assert env.str("NODE_NAME", "") == "Từ tệp"


def test_config_file_bad_line_names_file_and_line(tmp_path: Path) -> None:
    """GIVEN a file whose third line is not NAME=value WHEN read
    THEN ImproperlyConfigured naming the file and the line number."""
    path = tmp_path / "lienthong.env"
    path.write_text("# ok\nLIENTHONG_DEBUG=0\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=rf"{path.name}:3: expected NAME=value"):
        Env({"LIENTHONG_CONFIG_PATH": str(path)})


def test_config_file_missing_is_refused(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_CONFIG_PATH naming no file WHEN read
    THEN ImproperlyConfigured naming LIENTHONG_CONFIG_PATH."""
    with pytest.raises(ImproperlyConfigured, match="LIENTHONG_CONFIG_PATH: cannot read"):
        Env({"LIENTHONG_CONFIG_PATH": str(tmp_path / "missing.env")})


# --- secret key file ---------------------------------------------------------------


def test_secret_key_file_created_private_and_reused(tmp_path: Path) -> None:
    """GIVEN no key file WHEN a key is needed twice
    THEN a long random key is written once with mode 0600 and the same key comes back."""
    path = tmp_path / "sub" / "secret_key"
    first = load_or_create_secret_key(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(path) == first
    assert path.read_text(encoding="utf-8") == first


def test_secret_key_file_empty_is_replaced(tmp_path: Path) -> None:
    """GIVEN an empty key file WHEN a key is needed THEN a new key is written into it."""
    path = tmp_path / "secret_key"
    path.write_text("\n", encoding="utf-8")
    key = load_or_create_secret_key(path)
    assert len(key) >= 50
    assert path.read_text(encoding="utf-8") == key


def test_two_installations_get_different_keys(tmp_path: Path) -> None:
    """GIVEN two data directories WHEN each creates its key THEN the keys differ."""
    assert load_or_create_secret_key(tmp_path / "a") != load_or_create_secret_key(tmp_path / "b")
