"""Elections services: set-up, rounds, independent double entry, reconciliation, count.

Issue #6 scopes 1, 3, 5, 6. Every step is checked against the actor's scope (the
congress's unit; "not found" outside it, STYLE habit 6), audited, and, for a round,
appended to its hash-chained entry journal (the Thái Nguyên practice of "nhật ký nhập
phiếu", vote-rules.md §B1). The count is ``tally.count`` over the ballots both teams
read the same way; a round with any difference or missing ballot cannot be counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.elections import tally
from lienthong.elections.checks import SetupIssue, board_conflicts, quorum_issues, surplus_issues
from lienthong.elections.choices import Body, ElectionKind, RoundState, Team
from lienthong.elections.collation import ballot_order
from lienthong.elections.models import (
    BallotRecord,
    Candidate,
    Congress,
    Election,
    JournalEntry,
    Round,
)

__all__ = [
    "Reconciliation",
    "ballot_enter",
    "candidate_add",
    "congress_create",
    "election_create",
    "journal_verify",
    "reconcile",
    "round_count",
    "round_evidence",
    "round_open",
]


def _require(actor: Actor, unit: Any, permission: str) -> None:
    units = allowed_units(actor, permission)  # type: ignore[arg-type]
    if units is None or (not isinstance(units, AllUnits) and not units.filter(pk=unit.pk).exists()):
        raise NotFound(_("This congress does not exist or you may not do this there."))


def _name(actor: Actor) -> str:
    return str(getattr(actor, "full_name", "") or getattr(actor, "username", "") or actor)


def _journal(round_: Round, actor: Actor, action: str, data: dict[str, Any]) -> JournalEntry:
    """Append to the round's journal: SHA-256 over the previous hash and the entry."""
    last = (
        JournalEntry.objects.select_for_update()
        .filter(round=round_)
        .order_by("-pk")
        .values_list("hash", flat=True)
        .first()
    )
    previous = last or ""
    who = _name(actor)
    digest = hashlib.sha256(
        json.dumps(
            [previous, round_.pk, action, data, who], ensure_ascii=False, sort_keys=True
        ).encode("utf-8")
    ).hexdigest()
    return JournalEntry.objects.create(
        round=round_, action=action, data=data, actor=who, previous_hash=previous, hash=digest
    )


def journal_verify(round_: Round) -> bool:
    """Recompute the round's journal chain: True when no entry was changed or removed."""
    previous = ""
    for entry in JournalEntry.objects.filter(round=round_).order_by("pk"):
        expected = hashlib.sha256(
            json.dumps(
                [previous, round_.pk, entry.action, entry.data, entry.actor],
                ensure_ascii=False,
                sort_keys=True,
            ).encode("utf-8")
        ).hexdigest()
        if entry.previous_hash != previous or entry.hash != expected:
            return False
        previous = entry.hash
    return True


def congress_create(*, actor: Actor, unit: Any, name: str, body: str, held_on: dt.date) -> Congress:
    """Set up a congress of ``unit``'s party committee."""
    _require(actor, unit, "elections.add_congress")
    if not name.strip():
        raise InvalidInput(_("Give the congress a name."))
    if body not in Body.values:
        raise InvalidInput(_("Choose who votes."))
    with transaction.atomic():
        congress = Congress.objects.create(unit=unit, name=name.strip(), body=body, held_on=held_on)
        record(actor=actor, verb="elections.congress_create", target=congress)
    return congress


def election_create(
    *,
    actor: Actor,
    congress: Congress,
    kind: str,
    seats: int,
    convened: int,
    present: int,
    deductions: list[dict[str, Any]] | None = None,
    body: str | None = None,
    rules: str = "party-190-2024",
) -> Election:
    """Set up an election; its base is convened minus the deductions (190 Art. 30).

    Raises:
        InvalidInput: no seats, a base of 0 or less, more present than convened, unknown
            rules or kind.
    """
    _require(actor, congress.unit, "elections.add_election")
    if kind not in ElectionKind.values:
        raise InvalidInput(_("Choose the election."))
    if rules not in tally.RULE_SETS:
        raise InvalidInput(_("Unknown counting rules."))
    cleaned: list[dict[str, Any]] = []
    for item in deductions or []:
        count = int(item.get("count", 0))
        if count < 0 or not str(item.get("reason", "")).strip():
            raise InvalidInput(_("Each deduction needs a reason and a count of 0 or more."))
        cleaned.append({"reason": str(item["reason"]).strip(), "count": count})
    if seats < 1:
        raise InvalidInput(_("An election needs at least one seat."))
    if present > convened:
        raise InvalidInput(_("More present than convened."))
    if convened - sum(d["count"] for d in cleaned) <= 0:
        raise InvalidInput(_("The base (convened minus deductions) must be more than 0."))
    with transaction.atomic():
        election = Election.objects.create(
            congress=congress,
            kind=kind,
            rules=rules,
            body=body or congress.body,
            seats=seats,
            convened=convened,
            present=present,
            deductions=cleaned,
        )
        record(actor=actor, verb="elections.election_create", target=election)
    return election


def setup_issues(election: Election, board: list[str] | None = None) -> list[SetupIssue]:
    """Warnings (surplus, quorum) and errors (a candidate on the board) of a set-up."""
    names = list(election.candidates.values_list("full_name", flat=True))
    return [
        *surplus_issues(election.kind, election.seats, len(names)),
        *quorum_issues(election.convened, election.present),
        *board_conflicts(board or [], names),
    ]


def candidate_add(
    *, actor: Actor, election: Election, full_name: str, born: dt.date | None = None
) -> Candidate:
    """Put a name on the list (before the first round opens)."""
    _require(actor, election.congress.unit, "elections.change_election")
    name = " ".join(full_name.split())
    if not name:
        raise InvalidInput(_("Give the candidate's full name."))
    if election.rounds.exists():
        raise InvalidInput(_("The list is closed: a round is open."))
    if election.candidates.filter(full_name=name).exists():
        raise InvalidInput(_("This name is already on the list."))
    with transaction.atomic():
        candidate = Candidate.objects.create(election=election, full_name=name, born=born)
        record(actor=actor, verb="elections.candidate_add", target=election, data={"name": name})
    return candidate


def round_open(
    *, actor: Actor, election: Election, names: list[str] | None = None, seats: int | None = None
) -> Round:
    """Open the next round: its ballot lists ``names`` (all candidates by default) in
    ballot order, for ``seats`` (the election's by default)."""
    _require(actor, election.congress.unit, "elections.add_round")
    births = dict(election.candidates.values_list("full_name", "born"))
    chosen = list(names) if names is not None else list(births)
    unknown = [n for n in chosen if n not in births]
    if unknown:
        raise InvalidInput(_("%(name)s is not on the list.") % {"name": unknown[0]})
    if not chosen:
        raise InvalidInput(_("The round has nobody to vote for."))
    seats = seats or election.seats
    if seats < 1 or seats > election.seats:
        raise InvalidInput(_("A round is for 1 to the election's number of seats."))
    with transaction.atomic():
        last = election.rounds.order_by("-number").values_list("number", flat=True).first()
        round_ = Round.objects.create(
            election=election,
            number=(last or 0) + 1,
            seats=seats,
            names=ballot_order(chosen, {n: b for n, b in births.items() if b}),
        )
        _journal(round_, actor, "open", {"names": round_.names, "seats": seats})
        record(actor=actor, verb="elections.round_open", target=round_)
    return round_


def ballot_enter(
    *,
    actor: Actor,
    round_: Round,
    team: int,
    number: int,
    kept: list[str] | None = None,
    boxes: dict[str, str] | None = None,
    official: bool = True,
    stamped: bool = True,
    written_in: list[str] | None = None,
    extra_mark: bool = False,
) -> BallotRecord:
    """One team's reading of ballot ``number``; typing it again replaces it (journaled).

    Raises:
        InvalidInput: the round is counted, a name not on its ballot, both or neither of
            kept and boxes, boxes on a ballot with more names than seats.
    """
    _require(actor, round_.election.congress.unit, "elections.add_ballotrecord")
    if round_.state != RoundState.ENTERING:
        raise InvalidInput(_("This round is counted: its ballots are closed."))
    if team not in Team.values or number < 1:
        raise InvalidInput(_("Choose the team and the ballot's number."))
    if (kept is None) == (boxes is None):
        raise InvalidInput(_("A ballot has either names kept or boxes."))
    names = set(round_.names)
    marked = list(kept or []) + list((boxes or {}).keys())
    stranger = next((n for n in marked if n not in names), None)
    if stranger is not None:
        raise InvalidInput(_("%(name)s is not on this ballot.") % {"name": stranger})
    if boxes is not None and len(round_.names) != round_.seats:
        raise InvalidInput(_("Boxes are on the ballot only when names equal seats."))
    if boxes is not None and any(v not in tally.BOX_VALUES for v in boxes.values()):
        raise InvalidInput(_("A box is agree, disagree, both or none."))
    values = {
        "kept": sorted(set(kept)) if kept is not None else None,
        "boxes": dict(sorted(boxes.items())) if boxes is not None else None,
        "official": official,
        "stamped": stamped,
        "written_in": [" ".join(n.split()) for n in written_in or [] if n.strip()],
        "extra_mark": extra_mark,
    }
    with transaction.atomic():
        row, created = BallotRecord.objects.update_or_create(
            round=round_, team=team, number=number, defaults={**values, "entered_by": actor}
        )
        _journal(
            round_,
            actor,
            "enter" if created else "re-enter",
            {"team": team, "number": number, **values},
        )
    return row


@dataclass
class Reconciliation:
    """The two teams' records side by side, ballot by ballot."""

    agreed: list[BallotRecord] = field(default_factory=list)
    differences: list[int] = field(default_factory=list)
    missing: dict[int, list[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.differences and not any(self.missing.values())


def reconcile(round_: Round) -> Reconciliation:
    """Compare the teams' records: agreed ballots, differing numbers, numbers one lacks."""
    by_team: dict[int, dict[int, BallotRecord]] = {Team.FIRST: {}, Team.SECOND: {}}
    for row in BallotRecord.objects.filter(round=round_).order_by("number"):
        by_team[row.team][row.number] = row
    first, second = by_team[Team.FIRST], by_team[Team.SECOND]
    out = Reconciliation(
        missing={
            int(Team.FIRST): sorted(set(second) - set(first)),
            int(Team.SECOND): sorted(set(first) - set(second)),
        }
    )
    for number in sorted(set(first) & set(second)):
        if first[number].reading() == second[number].reading():
            out.agreed.append(first[number])
        else:
            out.differences.append(number)
    return out


def _tally_input(
    round_: Round, agreed: list[BallotRecord], *, issued: int, received: int
) -> dict[str, Any]:
    """The round in ``lienthong tally``'s input form: what is counted and published."""
    election = round_.election
    ballots = []
    for row in agreed:
        ballot: dict[str, Any] = {"count": 1}
        if row.kept is not None:
            ballot["kept"] = list(row.kept)
        else:
            ballot["boxes"] = dict(row.boxes or {})
        if not row.official:
            ballot["official"] = False
        if not row.stamped:
            ballot["stamped"] = False
        if row.written_in:
            ballot["written_in"] = list(row.written_in)
        if row.extra_mark:
            ballot["extra_mark"] = True
        ballots.append(ballot)
    return {
        "rules": election.rules,
        "body": election.body,
        "election": election.kind,
        "seats": round_.seats,
        "convened": election.convened,
        "deductions": list(election.deductions),
        "present": election.present,
        "issued": issued,
        "received": received,
        "candidates": list(round_.names),
        "ballots": ballots,
    }


def round_evidence(*, actor: Actor, round_: Round) -> bytes:
    """The evidence package of a counted round (``elections.evidence``), audited.

    Raises:
        InvalidInput: the round is not counted yet.
    """
    from lienthong.elections.evidence import build_package

    _require(actor, round_.election.congress.unit, "elections.view_round")
    if round_.state != RoundState.COUNTED or round_.result is None:
        raise InvalidInput(_("This round is not counted yet."))
    agreed = reconcile(round_).agreed
    journal = [
        {
            "action": e.action,
            "data": e.data,
            "actor": e.actor,
            "at": e.at.isoformat(),
            "previous_hash": e.previous_hash,
            "hash": e.hash,
        }
        for e in JournalEntry.objects.filter(round=round_).order_by("pk")
    ]
    package = build_package(
        round_input=_tally_input(
            round_, agreed, issued=int(round_.issued or 0), received=int(round_.received or 0)
        ),
        result=dict(round_.result),
        round_id=round_.pk,
        journal=journal,
    )
    record(actor=actor, verb="elections.round_evidence", target=round_)
    return package


def round_count(*, actor: Actor, round_: Round, issued: int, received: int) -> dict[str, Any]:
    """Count a round whose two entries agree ballot by ballot (issue #6 scopes 5-6).

    Raises:
        InvalidInput: the entries differ or miss ballots, or an integrity check fails
            (received > issued, ballots ≠ received, …): nothing is counted then.
    """
    _require(actor, round_.election.congress.unit, "elections.change_round")
    if round_.state != RoundState.ENTERING:
        raise InvalidInput(_("This round is already counted."))
    check = reconcile(round_)
    if not check.ok:
        raise InvalidInput(
            _("The two entries do not agree yet: ballots %(numbers)s.")
            % {
                "numbers": ", ".join(
                    str(n)
                    for n in sorted({*check.differences, *check.missing[1], *check.missing[2]})[:20]
                )
            }
        )
    round_input = _tally_input(round_, check.agreed, issued=issued, received=received)
    try:
        result = tally.count(tally.round_from_json(round_input))
    except tally.TallyInputError as exc:
        raise InvalidInput(str(exc)) from exc
    output = tally.result_to_json(result)
    with transaction.atomic():
        round_.issued, round_.received = issued, received
        round_.result = output
        round_.state = RoundState.COUNTED
        round_.save(update_fields=["issued", "received", "result", "state"])
        _journal(
            round_,
            actor,
            "count",
            {"issued": issued, "received": received, "status": output["status"]},
        )
        record(
            actor=actor,
            verb="elections.round_count",
            target=round_,
            data={"status": output["status"]},
        )
    return output
