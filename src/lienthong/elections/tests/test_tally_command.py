"""``lienthong tally FILE.json [--json]`` (issue #6 scope 8): the issue's input and
output forms; bad input exits 1 with a one-line reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = {
    "rules": "party-190-2024",
    "body": "delegates",
    "election": "committee",
    "seats": 3,
    "convened": 20,
    "deductions": [{"reason": "absent-whole-congress-no-alternate", "count": 1}],
    "present": 20,
    "issued": 20,
    "received": 20,
    "candidates": ["Phạm Thị Hà", "Lê Văn Hòa", "Nguyễn Văn An"],
    "ballots": [
        {"count": 8, "kept": ["Nguyễn Văn An", "Lê Văn Hòa", "Phạm Thị Hà"]},
        {"count": 1, "kept": ["Nguyễn Văn An"], "stamped": False},
        {"count": 2, "kept": ["Lê Văn Hòa"], "written_in": ["Nguyễn Văn Tâm"]},
        {"count": 1, "kept": ["Lê Văn Hòa"], "extra_mark": True},
        {"count": 8, "boxes": {"Lê Văn Hòa": "agree", "Phạm Thị Hà": "both"}},
    ],
}


def _tally(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", "tally", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_the_json_output_has_exactly_the_issue_form(tmp_path: Path) -> None:
    """GIVEN the issue's example round in a file
    WHEN ``lienthong tally FILE --json`` runs
    THEN it prints exactly the keys of the issue, with candidates by votes (equal votes
    in ballot order), percentages as strings and the ballot order by Vietnamese collation."""
    path = tmp_path / "round.json"
    path.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8")

    done = _tally(str(path), "--json")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == [
        "base",
        "received",
        "valid",
        "invalid",
        "invalid_by_reason",
        "ballot_order",
        "candidates",
        "elected",
        "status",
        "tie",
        "shortfall",
    ]
    assert result["ballot_order"] == ["Nguyễn Văn An", "Phạm Thị Hà", "Lê Văn Hòa"]
    assert (result["base"], result["valid"], result["invalid"]) == (19, 16, 4)
    assert result["candidates"][0] == {
        "name": "Lê Văn Hòa",
        "votes": 16,
        "percent_of_base": "84.21",
        "percent_of_valid": "100.00",
        "elected": True,
    }
    assert [c["name"] for c in result["candidates"][1:]] == ["Nguyễn Văn An", "Phạm Thị Hà"]
    assert result["status"] == "shortfall" and result["shortfall"] == 2 and result["tie"] is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not JSON"),
        (json.dumps({**EXAMPLE, "received": 21, "issued": 20}), "more than issued"),
        (json.dumps({**EXAMPLE, "convened": 1, "present": 1, "issued": 1}), ""),
        (
            json.dumps({**EXAMPLE, "ballots": [{"count": 20, "kept": ["Ai Đó"]}]}),
            "not a candidate",
        ),
        (json.dumps({**EXAMPLE, "ballots": [{"count": -2, "kept": []}]}), "at least 1"),
    ],
)
def test_bad_input_exits_1_with_one_line(tmp_path: Path, content: str, reason: str) -> None:
    """GIVEN malformed JSON, received > issued, a base ≤ 0 or present > convened, an
    unknown candidate, a negative count
    THEN exit code 1, one line "tally: FILE: reason" on stderr, nothing on stdout."""
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")

    done = _tally(str(path), "--json")

    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tally: {path}: ") and reason in lines[0]


def test_a_missing_file_and_standard_input(tmp_path: Path) -> None:
    missing = _tally(str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "cannot read it" in missing.stderr
    piped = _tally("-", stdin=json.dumps(EXAMPLE))
    assert piped.returncode == 0 and "status: shortfall" in piped.stdout
    assert "* Lê Văn Hòa" in piped.stdout
