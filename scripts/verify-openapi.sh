#!/bin/sh
# Regenerate the OpenAPI schema and compare it with the committed contrib/openapi.json.
#
#   scripts/verify-openapi.sh          fail (exit 1) when the committed schema is stale
#   scripts/verify-openapi.sh --write  refresh contrib/openapi.json
#
# The schema is generated in English (--lang en) so that filling the Vietnamese catalogue
# never changes it, validated against the OpenAPI specification, refused on any
# drf-spectacular warning, and written with sorted keys so that the file is deterministic.
# The test src/lienthong/core/tests/test_api_schema.py makes the same comparison in CI.
set -eu
cd "$(dirname "$0")/.."
LIENTHONG="${LIENTHONG:-.venv/bin/lienthong}"
PYTHON="${PYTHON:-.venv/bin/python}"
target=contrib/openapi.json
raw=$(mktemp)
fresh=$(mktemp)
trap 'rm -f "$raw" "$fresh"' EXIT

"$LIENTHONG" spectacular --lang en --validate --fail-on-warn --format openapi-json --file "$raw"
"$PYTHON" -c '
import json, sys
schema = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
' "$raw" "$fresh"

if [ "${1:-}" = "--write" ]; then
    cp "$fresh" "$target"
    echo "wrote $target"
    exit 0
fi
if ! cmp -s "$fresh" "$target"; then
    diff -u "$target" "$fresh" | head -n 80 >&2 || true
    echo "$target is stale: run scripts/verify-openapi.sh --write and commit it." >&2
    exit 1
fi
echo "$target is up to date"
