"""The evidence package's own checks, without a database (issue #6 scope 7)."""

from __future__ import annotations

import hashlib
import json

from lienthong.elections.evidence import build_package, journal_chain_ok, verify_package

ROUND = {
    "rules": "party-190-2024",
    "body": "members",
    "election": "secretary",
    "seats": 1,
    "convened": 3,
    "deductions": [],
    "present": 3,
    "issued": 3,
    "received": 3,
    "candidates": ["Nguyễn Văn An", "Trần Thị Bình"],
    "ballots": [{"count": 2, "kept": ["Nguyễn Văn An"]}, {"count": 1, "kept": ["Trần Thị Bình"]}],
}


def _chain(actions: list[str]) -> list[dict[str, object]]:
    entries, previous = [], ""
    for action in actions:
        entry: dict[str, object] = {"action": action, "data": {"n": 1}, "actor": "Tổ 1"}
        digest = hashlib.sha256(
            json.dumps(
                [previous, 7, action, entry["data"], entry["actor"]],
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
        ).hexdigest()
        entries.append({**entry, "previous_hash": previous, "hash": digest})
        previous = digest
    return entries


def _result() -> dict[str, object]:
    from lienthong.elections import tally

    return tally.result_to_json(tally.count(tally.round_from_json(ROUND)))


def test_an_intact_package_verifies() -> None:
    package = build_package(
        round_input=ROUND, result=_result(), round_id=7, journal=_chain(["open", "enter"])
    )
    check = verify_package(package)
    assert check.ok and check.result is not None and check.result["elected"] == ["Nguyễn Văn An"]


def test_a_journal_with_an_entry_removed_is_caught() -> None:
    """GIVEN a journal whose middle entry was dropped before packaging THEN the chain check
    fails, although every file matches the manifest."""
    entries = _chain(["open", "enter", "count"])
    package = build_package(
        round_input=ROUND, result=_result(), round_id=7, journal=[entries[0], entries[2]]
    )
    check = verify_package(package)
    assert check.problems == ["the journal's hash chain is broken"]
    assert journal_chain_ok(7, entries) and not journal_chain_ok(8, entries)


def test_something_that_is_not_a_package_is_refused() -> None:
    check = verify_package(b"PK\x03\x04 not really")
    assert not check.ok and "cannot be read" in check.problems[0]
