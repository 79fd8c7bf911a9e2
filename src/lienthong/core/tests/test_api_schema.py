"""The committed OpenAPI schema (contrib/openapi.json) matches the code (issue #2, scope 9)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

COMMITTED = settings.BASE_DIR / "contrib" / "openapi.json"
REFRESH = "scripts/verify-openapi.sh --write"


def _normalise(schema: object) -> str:
    """The committed form: sorted keys, two-space indent, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_committed_openapi_schema_is_current(tmp_path: Path) -> None:
    """GIVEN the API's code and the committed contrib/openapi.json
    WHEN the schema is regenerated (English, validated, no warnings allowed)
    THEN it is identical to the committed file, else the test names the refresh command."""
    raw = tmp_path / "openapi.json"
    call_command(
        "spectacular",
        "--lang",
        "en",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(raw),
    )
    fresh = _normalise(json.loads(raw.read_text(encoding="utf-8")))
    assert COMMITTED.exists(), f"{COMMITTED} is missing: run `{REFRESH}` and commit it."
    committed = COMMITTED.read_text(encoding="utf-8")
    if fresh != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "contrib/openapi.json (committed)",
                    "regenerated",
                )
            )[:60]
        )
        raise AssertionError(
            f"The API changed but contrib/openapi.json did not: run `{REFRESH}` "
            f"and commit the file.\n{diff}"
        )


def test_schema_endpoint_serves_the_api(client) -> None:
    """GIVEN the running node WHEN /api/v1/schema/ is fetched as JSON
    THEN it describes the units, people, memberships and me endpoints."""
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for expected in ("/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/people/", "/api/v1/me/"):
        assert expected in paths
