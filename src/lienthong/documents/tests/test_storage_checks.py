"""``lienthong check --deploy`` flags bad S3 file-storage settings (issue #4, scope 8).

The check itself lives in ``lienthong.core.checks`` (ids lienthong.E010 to E014); these tests
sit beside the storage they protect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lienthong.core.checks import check_production_settings
from lienthong.core.tests.test_cli import _run

S3_IDS = {f"lienthong.E01{n}" for n in range(5)}


@pytest.fixture
def s3_settings(settings: Any, tmp_path: Path) -> Any:
    """GIVEN an S3 file storage as a data centre would set it: a bucket, credentials, an
    https endpoint with its private CA's bundle, TLS verification on."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    settings.FILE_STORAGE = "s3"
    settings.FILE_STORAGE_S3_BUCKET = "lienthong-hanoi"
    settings.FILE_STORAGE_S3_PREFIX = "hanoi"
    settings.FILE_STORAGE_S3_ENDPOINT_URL = "https://s3.tinhuy.example.vn:9000"
    settings.FILE_STORAGE_S3_REGION = "us-east-1"
    settings.FILE_STORAGE_S3_ACCESS_KEY_ID = "lienthong"
    settings.FILE_STORAGE_S3_SECRET_ACCESS_KEY = "a-long-random-secret-from-a-file"
    settings.FILE_STORAGE_S3_ADDRESSING_STYLE = "path"
    settings.FILE_STORAGE_S3_VERIFY_TLS = True
    settings.FILE_STORAGE_S3_CA_BUNDLE = str(bundle)
    return settings


def _s3_ids() -> set[str]:
    return {problem.id for problem in check_production_settings()} & S3_IDS


def test_good_s3_settings_pass(s3_settings: Any) -> None:
    """GIVEN good S3 settings WHEN the production check runs THEN no S3 problem."""
    assert _s3_ids() == set()


def test_local_storage_is_not_checked_for_s3(s3_settings: Any) -> None:
    """GIVEN the local store and leftover, empty S3 values
    WHEN the production check runs THEN no S3 problem (they are not used)."""
    s3_settings.FILE_STORAGE = "local"
    s3_settings.FILE_STORAGE_S3_BUCKET = ""
    s3_settings.FILE_STORAGE_S3_ACCESS_KEY_ID = ""
    assert _s3_ids() == set()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"FILE_STORAGE_S3_BUCKET": ""}, {"lienthong.E010"}),
        ({"FILE_STORAGE_S3_ACCESS_KEY_ID": ""}, {"lienthong.E011"}),
        ({"FILE_STORAGE_S3_SECRET_ACCESS_KEY": ""}, {"lienthong.E011"}),
        ({"FILE_STORAGE_S3_ENDPOINT_URL": "http://s3.tinhuy.example.vn:9000"}, {"lienthong.E012"}),
        ({"FILE_STORAGE_S3_ENDPOINT_URL": "ftp://s3.tinhuy.example.vn"}, {"lienthong.E012"}),
        ({"FILE_STORAGE_S3_ENDPOINT_URL": "s3.tinhuy.example.vn"}, {"lienthong.E012"}),
        ({"FILE_STORAGE_S3_VERIFY_TLS": False}, {"lienthong.E013"}),
        ({"FILE_STORAGE_S3_CA_BUNDLE": "/nonexistent/ca.pem"}, {"lienthong.E014"}),
        # Plain HTTP to this machine (a MinIO beside the node) is accepted.
        ({"FILE_STORAGE_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, set()),
        ({"FILE_STORAGE_S3_ENDPOINT_URL": "http://localhost:9000"}, set()),
        ({"FILE_STORAGE_S3_ENDPOINT_URL": "http://[::1]:9000"}, set()),
        # No endpoint: AWS itself, always https.
        ({"FILE_STORAGE_S3_ENDPOINT_URL": ""}, set()),
    ],
)
def test_each_bad_s3_setting_is_named(
    s3_settings: Any, change: dict[str, Any], expected: set[str]
) -> None:
    """GIVEN good S3 settings but one changed value
    WHEN the production check runs THEN exactly the expected problem is reported."""
    for name, value in change.items():
        setattr(s3_settings, name, value)
    assert _s3_ids() == expected


def test_check_deploy_command_flags_s3_settings(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_FILE_STORAGE=s3 from the environment with no bucket, the secret in
    a file, and a plain-HTTP endpoint on another machine
    WHEN `lienthong check --deploy` runs
    THEN exit code 1 naming E010 and E012 but not E011 (the secret file was read), and no
    traceback."""
    secret = tmp_path / "s3_secret"
    secret.write_text("a-long-random-secret\n", encoding="utf-8")
    result = _run(
        tmp_path,
        "check",
        "--deploy",
        FILE_STORAGE="s3",
        FILE_STORAGE_S3_ACCESS_KEY_ID="lienthong",
        FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE=str(secret),
        FILE_STORAGE_S3_ENDPOINT_URL="http://minio.tinhuy.example.vn:9000",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "lienthong.E010" in result.stderr
    assert "lienthong.E012" in result.stderr
    assert "lienthong.E011" not in result.stderr


def test_unreadable_secret_file_stops_with_one_line(tmp_path: Path) -> None:
    """GIVEN LIENTHONG_FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE naming a missing file
    WHEN `lienthong check` runs
    THEN exit code 1 with one line naming the variable, no traceback."""
    result = _run(
        tmp_path,
        "check",
        FILE_STORAGE="s3",
        FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE=str(tmp_path / "missing"),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "LIENTHONG_FILE_STORAGE_S3_SECRET_ACCESS_KEY_FILE" in lines[0]
