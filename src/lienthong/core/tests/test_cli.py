"""The ``lienthong`` console script (DESIGN.md "Contracts: command line")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from lienthong.cli import main

LIENTHONG = Path(sys.executable).parent / "lienthong"


def _env(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LIENTHONG_DATA_DIR"] = str(tmp_path / "var")
    env.update({f"LIENTHONG_{name}": value for name, value in variables.items()})
    return env


def _run(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LIENTHONG), *args],
        env=_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
        timeout=120,
    )


def test_main_check_returns_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN the lienthong settings WHEN `lienthong check` runs in-process THEN exit code 0."""
    assert main(["check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_main_unknown_command_returns_one(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a command that does not exist WHEN it runs THEN exit code 1 and a reason."""
    assert main(["no-such-command"]) == 1
    assert "no-such-command" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    """GIVEN the virtual environment WHEN looking for the console script THEN it is there."""
    assert LIENTHONG.exists(), f"{LIENTHONG} missing: run `pip install -e .[dev]`"


def test_console_script_check_passes(tmp_path: Path) -> None:
    """GIVEN a fresh data directory WHEN `lienthong check` runs THEN exit 0."""
    result = _run(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("SESSION_AGE", "ten"),
        ("DATABASE_URL", "mysql://u:p@localhost/lienthong"),
        ("TASK_BACKEND", "celery"),
        ("EMAIL_URL", "imap://mail"),
    ],
)
def test_bad_setting_exits_1_with_one_line(tmp_path: Path, variable: str, value: str) -> None:
    """GIVEN a LIENTHONG_* variable with a bad value
    WHEN `lienthong check` runs
    THEN exit code 1, one line on stderr naming the variable, and no traceback."""
    result = _run(tmp_path, "check", **{variable: value})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert f"LIENTHONG_{variable}" in lines[0]


def test_rq_without_redis_exits_1(tmp_path: Path) -> None:
    """GIVEN the rq task backend and no Redis URL WHEN `lienthong check` runs
    THEN exit 1 with a one-line reason naming both variables."""
    result = _run(tmp_path, "check", TASK_BACKEND="rq")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "LIENTHONG_REDIS_URL" in result.stderr


def test_deploy_check_fails_on_embedded_defaults(tmp_path: Path) -> None:
    """GIVEN the embedded defaults WHEN `lienthong check --deploy` runs
    THEN a non-zero exit naming the lienthong errors, no traceback."""
    result = _run(tmp_path, "check", "--deploy")
    assert result.returncode == 1
    assert "lienthong.E002" in result.stderr
    assert "lienthong.E006" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_works(tmp_path: Path) -> None:
    """GIVEN the console script WHEN `lienthong worker --help` runs
    THEN exit 0 and the usage of the command."""
    result = _run(tmp_path, "worker", "--help")
    assert result.returncode == 0, result.stderr
    assert "--batch" in result.stdout
