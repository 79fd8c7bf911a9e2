"""The evidence package of a counted round, and its verification (issue #6 scope 7).

A ZIP anyone can re-check without lienthong's database (the "published election record"
of vote-rules.md §B2-B4):

- ``round.json``: the round in the input form of ``lienthong tally`` (base, ballot
  counts, one record per agreed ballot);
- ``result.json``: the result as counted (the output form);
- ``ballots.csv``: the same ballot records, one line per ballot, for a spreadsheet;
- ``journal.json``: the round's entry journal with its hash chain;
- ``decisions.json``: the counting board's decisions on doubtful ballots, with reasons;
- ``minutes.pdf``: the counting minutes with the board's signatures, once drawn up;
- ``manifest.sha256``: the SHA-256 of every other file (``sha256sum -c`` reads it).

``verify_package`` (``lienthong tally --verify PACKAGE``) checks the manifest, counts
``round.json`` again and compares with ``result.json``, and recomputes the journal chain.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lienthong.elections import tally

__all__ = ["PackageCheck", "build_package", "journal_chain_ok", "journal_hash", "verify_package"]

MANIFEST = "manifest.sha256"
#: The largest package read (a provincial round is a few hundred KB).
MAX_PACKAGE_BYTES = 50 * 1024 * 1024


def journal_hash(previous: str, round_id: Any, action: str, data: Any, actor: str) -> str:
    """The hash of one journal entry, chained to the one before (the only formula: the
    services append with it, ``journal_chain_ok`` checks with it)."""
    return hashlib.sha256(
        json.dumps(
            [previous, round_id, action, data, actor], ensure_ascii=False, sort_keys=True
        ).encode("utf-8")
    ).hexdigest()


def journal_chain_ok(round_id: Any, entries: list[dict[str, Any]]) -> bool:
    """Recompute a journal's chain from its exported entries."""
    previous = ""
    for entry in entries:
        if entry.get("previous_hash") != previous:
            return False
        expected = journal_hash(previous, round_id, entry["action"], entry["data"], entry["actor"])
        if entry.get("hash") != expected:
            return False
        previous = entry["hash"]
    return True


def _ballots_csv(ballots: list[dict[str, Any]], names: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ballot", *names, "official", "stamped", "written_in", "extra_mark"])
    for number, ballot in enumerate(ballots, start=1):
        if ballot.get("kept") is not None:
            marks = ["kept" if n in ballot["kept"] else "struck" for n in names]
        else:
            marks = [ballot["boxes"].get(n, "none") for n in names]
        writer.writerow(
            [
                number,
                *marks,
                ballot.get("official", True),
                ballot.get("stamped", True),
                "; ".join(ballot.get("written_in", [])),
                ballot.get("extra_mark", False),
            ]
        )
    return out.getvalue().encode("utf-8")


def build_package(
    *,
    round_input: dict[str, Any],
    result: dict[str, Any],
    round_id: Any,
    journal: list[dict[str, Any]],
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """The ZIP of a counted round (see the module docstring); ``extra`` adds files such
    as the signed minutes (``minutes.pdf``) and the board's decisions, in the manifest."""
    files = {
        **(extra or {}),
        "round.json": json.dumps(round_input, ensure_ascii=False, indent=1).encode("utf-8"),
        "result.json": json.dumps(result, ensure_ascii=False, indent=1).encode("utf-8"),
        "ballots.csv": _ballots_csv(round_input["ballots"], list(round_input["candidates"])),
        "journal.json": json.dumps(
            {"round": round_id, "entries": journal}, ensure_ascii=False, indent=1
        ).encode("utf-8"),
    }
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
    return out.getvalue()


@dataclass
class PackageCheck:
    """What ``verify_package`` found: ``ok`` when nothing is wrong."""

    problems: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_package(data: bytes) -> PackageCheck:
    """Check a package: manifest hashes, the count again, the journal chain."""
    check = PackageCheck()
    if len(data) > MAX_PACKAGE_BYTES:
        check.problems.append("the package is larger than 50 MB")
        return check
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if MANIFEST not in names:
            check.problems.append(f"no {MANIFEST} in the package")
            return check
        listed: dict[str, str] = {}
        for line in archive.read(MANIFEST).decode("utf-8").splitlines():
            digest, _sep, name = line.partition("  ")
            listed[name] = digest
        for name in sorted(names - {MANIFEST}):
            if name not in listed:
                check.problems.append(f"{name} is not in the manifest")
            elif hashlib.sha256(archive.read(name)).hexdigest() != listed[name]:
                check.problems.append(f"{name} does not match its SHA-256 in the manifest")
        for name in sorted(set(listed) - names):
            check.problems.append(f"{name} is in the manifest but not in the package")
        required = {"round.json", "result.json", "journal.json"}
        if not required <= names:
            check.problems.append("round.json, result.json and journal.json are required")
            return check
        round_input = json.loads(archive.read("round.json"))
        published = json.loads(archive.read("result.json"))
        journal = json.loads(archive.read("journal.json"))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        check.problems.append(f"the package cannot be read: {exc}")
        return check
    try:
        recount = tally.result_to_json(tally.count(tally.round_from_json(round_input)))
    except tally.TallyInputError as exc:
        check.problems.append(f"round.json cannot be counted: {exc}")
        return check
    check.result = recount
    if recount != published:
        differing = sorted(k for k in recount if recount.get(k) != published.get(k))
        check.problems.append(
            "counting round.json again gives another result (" + ", ".join(differing) + ")"
        )
    if not journal_chain_ok(journal.get("round"), list(journal.get("entries", []))):
        check.problems.append("the journal's hash chain is broken")
    return check
