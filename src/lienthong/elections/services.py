"""Elections services: set-up, rounds, independent double entry, reconciliation, count.

Issue #6 scopes 1, 3, 5, 6. Every step is checked against the actor's scope (the
congress's unit; "not found" outside it, STYLE habit 6), audited, and, for a round,
appended to its hash-chained entry journal (the Thái Nguyên practice of "nhật ký nhập
phiếu", vote-rules.md §B1). The count is ``tally.count`` over the ballots both teams
read the same way; a round with any difference or missing ballot cannot be counted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.documents.services import files
from lienthong.elections import tally
from lienthong.elections.checks import SetupIssue, board_conflicts, quorum_issues, surplus_issues
from lienthong.elections.choices import Body, ElectionKind, RoundState, Team
from lienthong.elections.collation import ballot_order
from lienthong.elections.evidence import journal_chain_ok, journal_hash
from lienthong.elections.models import (
    BallotDecision,
    BallotRecord,
    Candidate,
    Congress,
    Election,
    JournalEntry,
    Round,
)

__all__ = [
    "Reconciliation",
    "ballot_decide",
    "ballot_enter",
    "ballot_order_of",
    "board_set",
    "candidate_add",
    "congress_create",
    "election_create",
    "journal_verify",
    "minutes_sign",
    "reconcile",
    "round_count",
    "round_evidence",
    "round_minutes",
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
    digest = journal_hash(previous, round_.pk, action, data, who)
    return JournalEntry.objects.create(
        round=round_, action=action, data=data, actor=who, previous_hash=previous, hash=digest
    )


def journal_verify(round_: Round) -> bool:
    """Recompute the round's journal chain: True when no entry was changed or removed."""
    entries = JournalEntry.objects.filter(round=round_).order_by("pk")
    return journal_chain_ok(
        round_.pk,
        [dict(e) for e in entries.values("action", "data", "actor", "previous_hash", "hash")],
    )


def congress_create(
    *, actor: Actor, unit: Any, name: str, body: str, held_on: dt.date, place: str = ""
) -> Congress:
    """Set up a congress of ``unit``'s party committee."""
    _require(actor, unit, "elections.add_congress")
    if not name.strip():
        raise InvalidInput(_("Give the congress a name."))
    if body not in Body.values:
        raise InvalidInput(_("Choose who votes."))
    with transaction.atomic():
        congress = Congress.objects.create(
            unit=unit, name=name.strip(), body=body, held_on=held_on, place=place.strip()[:200]
        )
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
    if board is None:
        board = [str(m.get("name", "")) for m in election.board]
    return [
        *surplus_issues(election.kind, election.seats, len(names)),
        *quorum_issues(election.convened, election.present),
        *board_conflicts(board, names),
    ]


def board_set(*, actor: Actor, election: Election, members: list[dict[str, str]]) -> Election:
    """Record the counting board of an election: a chair first, then the members.

    190 Art. 8: the board is made of delegates (or members) whose names are not on the
    election's list; a member with an account (``username``) signs the minutes.

    Raises:
        InvalidInput: no member, no or two chairs, a name twice, a candidate on the
            board, an account that is not a person of this node.
    """
    from lienthong.org.models import User

    _require(actor, election.congress.unit, "elections.change_election")
    cleaned: list[dict[str, str]] = []
    for item in members:
        name = " ".join(str(item.get("name", "")).split())
        if not name:
            continue
        role = "chair" if item.get("role") == "chair" else "member"
        username = str(item.get("username", "")).strip()
        if username and not User.objects.filter(username=username, is_active=True).exists():
            raise InvalidInput(_("There is no account %(username)s.") % {"username": username})
        cleaned.append({"name": name, "role": role, "username": username})
    if not cleaned:
        raise InvalidInput(_("The counting board needs at least its chair."))
    if sum(1 for m in cleaned if m["role"] == "chair") != 1:
        raise InvalidInput(_("The counting board has exactly one chair."))
    if len({m["name"] for m in cleaned}) != len(cleaned):
        raise InvalidInput(_("A name is on the board twice."))
    conflicts = board_conflicts(
        [m["name"] for m in cleaned], election.candidates.values_list("full_name", flat=True)
    )
    if conflicts:
        raise InvalidInput(conflicts[0].detail)
    cleaned.sort(key=lambda m: m["role"] != "chair")
    with transaction.atomic():
        election.board = cleaned
        election.save(update_fields=["board"])
        record(
            actor=actor,
            verb="elections.board_set",
            target=election,
            data={"board": [m["name"] for m in cleaned]},
        )
    return election


def ballot_order_of(election: Election) -> list[str]:
    """The election's candidates in ballot order (given name, family, middle, birth)."""
    births = dict(election.candidates.values_list("full_name", "born"))
    return ballot_order(list(births), {n: b for n, b in births.items() if b})


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
    from lienthong.elections.layout import MAX_NAMES

    if election.candidates.count() >= MAX_NAMES:
        raise InvalidInput(
            _("A ballot holds at most %(count)s names on one sheet.") % {"count": MAX_NAMES}
        )
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


def reading_values(
    round_: Round,
    *,
    kept: list[str] | None,
    boxes: dict[str, str] | None,
    official: bool = True,
    stamped: bool = True,
    written_in: list[str] | None = None,
    extra_mark: bool = False,
    doubtful: bool = False,
) -> dict[str, Any]:
    """Check one reading of a ballot against the round and return it as record values.

    Raises:
        InvalidInput: the round is counted, a name not on its ballot, both or neither of
            kept and boxes, boxes on a ballot with more names than seats.
    """
    if round_.state != RoundState.ENTERING:
        raise InvalidInput(_("This round is counted: its ballots are closed."))
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
    return {
        "kept": sorted(set(kept)) if kept is not None else None,
        "boxes": dict(sorted(boxes.items())) if boxes is not None else None,
        "official": official,
        "stamped": stamped,
        "written_in": [" ".join(n.split()) for n in written_in or [] if n.strip()],
        "extra_mark": extra_mark,
        "doubtful": doubtful,
    }


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
    doubtful: bool = False,
) -> BallotRecord:
    """One team's reading of ballot ``number``; typing it again replaces it (journaled).

    ``doubtful`` sends the ballot to the board's decision (``ballot_decide``).

    Raises:
        InvalidInput: the round is counted, a name not on its ballot, both or neither of
            kept and boxes, boxes on a ballot with more names than seats.
    """
    _require(actor, round_.election.congress.unit, "elections.add_ballotrecord")
    if team not in (Team.FIRST, Team.SECOND) or number < 1:
        raise InvalidInput(_("Choose the team and the ballot's number."))
    from lienthong.elections.models import ScanBatch

    if (
        BallotRecord.objects.filter(round=round_, team=Team.SCANNER).exists()
        or ScanBatch.objects.filter(round=round_).exists()
    ):
        raise InvalidInput(_("This round's ballots are scanned: they are not typed in too."))
    other = Team.SECOND if team == Team.FIRST else Team.FIRST
    if BallotRecord.objects.filter(
        round=round_, team=other, entered_by=getattr(actor, "pk", None)
    ).exists():
        # Independent double entry (vote-rules.md §B7): one person, one team.
        raise InvalidInput(_("You entered ballots for the other team: one person, one team."))
    values = reading_values(
        round_,
        kept=kept,
        boxes=boxes,
        official=official,
        stamped=stamped,
        written_in=written_in,
        extra_mark=extra_mark,
        doubtful=doubtful,
    )
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
    #: Ballots a team sent to the board, and the board's decisions on them.
    doubtful: list[int] = field(default_factory=list)
    decisions: dict[int, BallotDecision] = field(default_factory=dict)
    #: Both teams' records of each differing ballot: {number: (first, second)}.
    pairs: dict[int, tuple[BallotRecord, BallotRecord]] = field(default_factory=dict)
    #: The round's ballots are scanned (§B6): the scanner's readings stand for both
    #: teams', and ``review`` lists the ballots a person must still confirm.
    scanned: bool = False
    review: list[int] = field(default_factory=list)
    #: Scan files not read yet.
    pending_scans: int = 0

    @property
    def undecided(self) -> list[int]:
        return [n for n in self.doubtful if n not in self.decisions]

    @property
    def ok(self) -> bool:
        return (
            not self.differences
            and not any(self.missing.values())
            and not self.undecided
            and not self.review
            and not self.pending_scans
        )

    @property
    def blocking(self) -> list[int]:
        """Every ballot number that keeps the round from being counted."""
        return sorted(
            {
                *self.differences,
                *self.undecided,
                *self.review,
                *(n for ns in self.missing.values() for n in ns),
            }
        )


def reconcile(round_: Round) -> Reconciliation:
    """Compare the teams' records: agreed ballots, differing numbers, numbers one lacks."""
    from lienthong.elections.choices import ScanState
    from lienthong.elections.models import ScanBatch

    by_team: dict[int, dict[int, BallotRecord]] = {
        Team.FIRST: {},
        Team.SECOND: {},
        Team.SCANNER: {},
    }
    for row in BallotRecord.objects.filter(round=round_).order_by("number"):
        by_team[row.team][row.number] = row
    pending = ScanBatch.objects.filter(
        round=round_, state__in=[ScanState.QUEUED, ScanState.RUNNING]
    ).count()
    if by_team[Team.SCANNER] or pending:
        scans = by_team[Team.SCANNER]
        out = Reconciliation(scanned=True, pending_scans=pending, missing={})
        out.agreed = [row for n, row in sorted(scans.items()) if not row.review]
        out.review = sorted(n for n, row in scans.items() if row.review)
        out.doubtful = sorted(n for n, row in scans.items() if row.doubtful)
        out.decisions = {d.number: d for d in BallotDecision.objects.filter(round=round_)}
        return out
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
            out.pairs[number] = (first[number], second[number])
    out.doubtful = sorted(
        n
        for n in set(first) | set(second)
        if (n in first and first[n].doubtful) or (n in second and second[n].doubtful)
    )
    out.decisions = {d.number: d for d in BallotDecision.objects.filter(round=round_)}
    return out


def ballot_decide(
    *, actor: Actor, round_: Round, number: int, verdict: str, note: str, reason_code: str = ""
) -> BallotDecision:
    """The board's decision on doubtful ballot ``number``, with its reason (190 Art. 8).

    Raises:
        InvalidInput: the round is counted, no reason given, an invalid verdict without
            its ground, or no team sent this ballot to the board.
    """
    _require(actor, round_.election.congress.unit, "elections.add_ballotdecision")
    if round_.state != RoundState.ENTERING:
        raise InvalidInput(_("This round is counted: its ballots are closed."))
    if verdict not in BallotDecision.Verdict.values:
        raise InvalidInput(_("Decide valid or invalid."))
    if verdict == BallotDecision.Verdict.INVALID:
        if reason_code not in BallotDecision.Reason.values:
            raise InvalidInput(_("Say on which ground the ballot is invalid."))
    else:
        reason_code = ""
    note = " ".join(note.split())
    if not note:
        raise InvalidInput(_("The board's decision needs its reason."))
    if not BallotRecord.objects.filter(round=round_, number=number, doubtful=True).exists():
        raise InvalidInput(_("No team sent ballot %(number)s to the board.") % {"number": number})
    with transaction.atomic():
        decision, _created = BallotDecision.objects.update_or_create(
            round=round_,
            number=number,
            defaults={
                "verdict": verdict,
                "reason_code": reason_code,
                "note": note[:2000],
                "decided_by": actor,
            },
        )
        _journal(
            round_,
            actor,
            "decide",
            {"number": number, "verdict": verdict, "reason_code": reason_code, "note": note},
        )
        record(
            actor=actor,
            verb="elections.ballot_decide",
            target=round_,
            data={"number": number, "verdict": verdict},
        )
    return decision


def _options_now() -> dict[str, str]:
    """The counting readings left open by vote-rules.md (§A3.4, §A2), from the settings."""
    from django.conf import settings

    return {
        "alternates_reading": str(settings.ELECTIONS_ALTERNATES_READING),
        "single_candidate_both_or_none": str(settings.ELECTIONS_SINGLE_CANDIDATE_BOTH_OR_NONE),
    }


def _tally_input(
    round_: Round,
    agreed: list[BallotRecord],
    *,
    issued: int,
    received: int,
    decisions: dict[int, BallotDecision] | None = None,
) -> dict[str, Any]:
    """The round in ``lienthong tally``'s input form: what is counted and published.

    The board's decision on a doubtful ballot is final (190 Art. 8): ``valid`` sets its
    irregular marks aside (the names read still decide too many kept or all crossed
    out); ``invalid`` makes it invalid on the ground the board gave.
    """
    election = round_.election
    decisions = decisions or {}
    ballots = []
    for row in agreed:
        official, stamped = row.official, row.stamped
        written_in, extra_mark = list(row.written_in), row.extra_mark
        decision = decisions.get(row.number)
        if decision is not None:
            official, stamped, written_in, extra_mark = True, True, [], False
            if decision.verdict == BallotDecision.Verdict.INVALID:
                if decision.reason_code == BallotDecision.Reason.NOT_OFFICIAL:
                    official = False
                else:
                    extra_mark = True
        ballot: dict[str, Any] = {"count": 1}
        if row.kept is not None:
            ballot["kept"] = list(row.kept)
        else:
            ballot["boxes"] = dict(row.boxes or {})
        if not official:
            ballot["official"] = False
        if not stamped:
            ballot["stamped"] = False
        if written_in:
            ballot["written_in"] = written_in
        if extra_mark:
            ballot["extra_mark"] = True
        ballots.append(ballot)
    return {
        "options": dict(round_.options) if round_.options else _options_now(),
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
    check = reconcile(round_)
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
    decisions = [
        {
            "number": d.number,
            "verdict": d.verdict,
            "reason_code": d.reason_code,
            "reason": d.note,
            "recorded_by": _name(d.decided_by),
        }
        for d in check.decisions.values()
    ]
    extra = {"decisions.json": json.dumps(decisions, ensure_ascii=False, indent=1).encode()}
    if round_.minutes is not None:
        extra["minutes.pdf"] = files.file_read(round_.minutes)
    package = build_package(
        round_input=_tally_input(
            round_,
            check.agreed,
            issued=int(round_.issued or 0),
            received=int(round_.received or 0),
            decisions=check.decisions,
        ),
        result=dict(round_.result),
        round_id=round_.pk,
        journal=journal,
        extra=extra,
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
            _("Not counted: the entries differ or await the board on ballots %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in check.blocking[:20])}
        )
    round_input = _tally_input(
        round_, check.agreed, issued=issued, received=received, decisions=check.decisions
    )
    try:
        result = tally.count(tally.round_from_json(round_input))
    except tally.TallyInputError as exc:
        raise InvalidInput(str(exc)) from exc
    output = tally.result_to_json(result)
    with transaction.atomic():
        round_.issued, round_.received = issued, received
        round_.result = output
        round_.options = dict(round_input["options"])
        round_.state = RoundState.COUNTED
        round_.save(update_fields=["issued", "received", "result", "options", "state"])
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


def _election_title(election: Election) -> str:
    """What is elected, in Vietnamese whatever the page's language (the minutes are a
    Vietnamese document): "Bầu Ban Chấp hành — Đảng bộ tỉnh A"."""
    from django.utils import translation

    with translation.override("vi"):
        kind = str(election.get_kind_display())
    return f"Bầu {kind} — {election.congress.unit.name}"


def _minutes_pdf(round_: Round) -> bytes:
    """Draw up the counting minutes of a counted round (``elections.minutes``)."""
    from lienthong.elections.minutes import minutes_pdf

    election = round_.election
    congress = election.congress
    check = reconcile(round_)
    decisions = [
        {"number": d.number, "verdict": d.verdict, "reason": d.note}
        for d in sorted(check.decisions.values(), key=lambda d: d.number)
    ]
    return minutes_pdf(
        congress=congress.name,
        unit_name=congress.unit.name,
        held_on=congress.held_on,
        place=congress.place,
        election_title=_election_title(election),
        round_number=round_.number,
        rules_title=tally.RULE_SETS[election.rules].title,
        board=[{"name": m["name"], "role": m["role"]} for m in election.board],
        round_input=_tally_input(
            round_,
            check.agreed,
            issued=int(round_.issued or 0),
            received=int(round_.received or 0),
            decisions=check.decisions,
        ),
        result=dict(round_.result or {}),
        decisions=decisions,
        read_at=None,
    )


def round_minutes(*, actor: Actor, round_: Round) -> bytes:
    """The counting minutes (biên bản kiểm phiếu) of a counted round as PDF, with the
    board's signatures so far; drawn up and kept the first time they are asked for.

    Raises:
        InvalidInput: the round is not counted yet.
    """
    _require(actor, round_.election.congress.unit, "elections.view_round")
    if round_.state != RoundState.COUNTED or round_.result is None:
        raise InvalidInput(_("This round is not counted yet."))
    if round_.minutes_id is None:
        data = _minutes_pdf(round_)
        with transaction.atomic():
            locked = Round.objects.select_for_update().get(pk=round_.pk)
            if locked.minutes_id is None:
                locked.minutes = files.file_store(data=data, name="bien-ban.pdf", expected="pdf")
                locked.save(update_fields=["minutes"])
                _journal(round_, actor, "minutes", {"sha256": locked.minutes.sha256})
                record(actor=actor, verb="elections.minutes", target=round_)
            round_.minutes = locked.minutes
    assert round_.minutes is not None
    return files.file_read(round_.minutes)


def minutes_sign(
    *,
    actor: Any,
    round_: Round,
    second_factor_verified: bool,
    token_pin: str | None = None,
) -> Round:
    """A member of the counting board signs the minutes (190 Art. 8: the board signs).

    Each member adds a PAdES signature with their own signing certificate (Trust), on
    top of the signatures before; the signed PDF replaces the kept minutes.

    Raises:
        PermissionDenied: the actor is not on this election's board, or gave no second
            factor.
        InvalidInput: the round is not counted, the member signed already, or has no
            valid signing certificate on this node.
    """
    from django.conf import settings

    from lienthong.core.errors import PermissionDenied
    from lienthong.trust.choices import CertificateProfile
    from lienthong.trust.selectors import signing_certificates
    from lienthong.trust.signing import signature_request_create, signature_request_sign

    election = round_.election
    _require(actor, election.congress.unit, "elections.view_round")
    username = actor.get_username()
    member = next((m for m in election.board if m.get("username") == username), None)
    if member is None:
        raise PermissionDenied(_("Only a member of the counting board signs the minutes."))
    if any(s.get("username") == username for s in round_.minutes_signed_by):
        raise InvalidInput(_("You have already signed these minutes."))
    pdf = round_minutes(actor=actor, round_=round_)
    certificate = (
        signing_certificates(user=actor)
        .filter(profile=CertificateProfile.PERSON_SIGNING, holder_user_id=actor.pk)
        .first()
    )
    if certificate is None:
        raise InvalidInput(_("You have no valid signing certificate on this node."))
    request = signature_request_create(
        actor=actor,
        unit=election.congress.unit,
        signer=actor,
        certificate=certificate,
        kind="person",
        title=f"Biên bản kiểm phiếu: {election}, lần {round_.number}"[:300],
        pdf=pdf,
        options={
            "level": getattr(settings, "DOCUMENT_SIGNATURE_LEVEL", "B-LTA"),
            "visible": False,
            "reason": "Ban Kiểm phiếu ký biên bản kiểm phiếu",
        },
    )
    request = signature_request_sign(
        actor=actor,
        request=request,
        second_factor_verified=second_factor_verified,
        token_pin=token_pin,
    )
    with request.output_pdf.open("rb") as handle:
        signed = handle.read()
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if any(s.get("username") == username for s in locked.minutes_signed_by):
            raise InvalidInput(_("You have already signed these minutes."))
        locked.minutes = files.file_store(data=signed, name="bien-ban.pdf", expected="pdf")
        locked.minutes_signed_by = [
            *locked.minutes_signed_by,
            {"name": member["name"], "username": username, "at": timezone.now().isoformat()},
        ]
        locked.save(update_fields=["minutes", "minutes_signed_by"])
        _journal(round_, actor, "sign", {"name": member["name"], "sha256": locked.minutes.sha256})
        record(
            actor=actor,
            verb="elections.minutes_sign",
            target=round_,
            data={"certificate": certificate.serial_number},
        )
    round_.minutes, round_.minutes_signed_by = locked.minutes, locked.minutes_signed_by
    return round_
