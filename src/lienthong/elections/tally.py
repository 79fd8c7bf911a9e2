"""Counting one round of a Party election: a pure function of (rules, round, ballots).

Issue #6 scope 5. Every rule below cites shared/reference/vote-rules.md, which cites
Quy chế bầu cử trong Đảng: QĐ 190-QĐ/TW (10/10/2024, ``party-190-2024``) and the
regulation it replaced, QĐ 244-QĐ/TW (09/6/2014, ``party-244-2014``; the same rules,
other article numbers). What the reference marks [INFERRED] is a field of ``RuleSet``.

- The base: convened minus the deductions by category (190 Art. 30.2-30.3; §A3.1). It
  is not those present, not the ballots received, not the valid ballots.
- Validity (190 Art. 15 / 244 Art. 17.2; §A2): a ballot not issued by the board or
  without the stamp, keeping more names than seats, with every name crossed out (on a
  list of several), with a name written in or a special mark is invalid. On a ballot
  with agree/disagree boxes (candidates = seats), a person with both or neither box
  ticked gets no vote from it, and the ballot stays valid (190 Art. 30.1); on the
  ballot of one name, see ``single_candidate_both_or_none`` below.
- Elected: more than half of the base, decided in integers, ``2 * votes > base``
  (§0.4): exactly half is not elected. Passers are ranked by votes; the top ``seats``
  win (§A3.2).
- A tie across the last seat is never broken here: the round ends "tie" with the tied
  candidates and the seats left, for a runoff among them (§A3.5). Too few passers end
  "shortfall" with the number of seats left: the congress decides on another round
  (§A3.3).
- Percentages are exact fractions shown rounded half-up to two decimals; no decision
  ever reads them (§A5 "Rounding").

Two readings the reference leaves open are options of the round (``Round`` fields,
``"options"`` in the input form), set by the caller from the Django settings
``ELECTIONS_ALTERNATES_READING`` and ``ELECTIONS_SINGLE_CANDIDATE_BOTH_OR_NONE``:

- ``alternates_reading`` (§A3.4, 190 Art. 18, cut off in the sources): in an election
  of delegates to the higher congress, ``"r1"`` (default) makes the passers beyond the
  official seats alternates, in order of votes (the replacement order); ``"r2"`` elects
  no alternates from that round (they need a round of their own). The result of a
  delegates election lists its ``alternates``; other elections' results do not.
- ``single_candidate_both_or_none`` (§A2, [INFERRED]): on the ballot of one name for one
  seat, both boxes or neither ticked makes the ballot ``"invalid"`` (default; reason
  ``both_or_neither_box``), or, ``"no-vote"``, leaves it valid with no vote for that
  person, like a list of several without surplus (190 Art. 30.1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lienthong.elections.collation import ballot_order

__all__ = [
    "ALTERNATES_READINGS",
    "BODIES",
    "BOTH_OR_NEITHER_BOX",
    "BOX_VALUES",
    "ELECTIONS",
    "INVALID_REASONS",
    "RULE_SETS",
    "SINGLE_CANDIDATE_READINGS",
    "Ballot",
    "CandidateResult",
    "Result",
    "Round",
    "RuleSet",
    "TallyInputError",
    "count",
    "percent",
    "result_to_json",
    "round_from_json",
]

BODIES = ("delegates", "members", "committee")
ELECTIONS = (
    "committee",
    "secretary",
    "deputy-secretary",
    "delegates",
    "alternates",
    "standing-committee",
    "inspection",
)
BOX_VALUES = ("agree", "disagree", "both", "none")
#: The reasons a ballot is invalid, in the order the minutes list them.
INVALID_REASONS = ("too_many_kept", "all_crossed_out", "not_official", "written_in", "extra_mark")
#: The reason a one-name, one-seat ballot with both or neither box ticked is invalid
#: (§A2). Only such a round under the "invalid" reading can have it, and only its
#: result lists it, after ``INVALID_REASONS``.
BOTH_OR_NEITHER_BOX = "both_or_neither_box"
#: §A3.4: alternates from the passers beyond the official seats (r1) or not (r2).
ALTERNATES_READINGS = ("r1", "r2")
#: §A2: a one-name ballot with both or neither box ticked is invalid, or gives no vote.
SINGLE_CANDIDATE_READINGS = ("invalid", "no-vote")


class TallyInputError(ValueError):
    """The round cannot be counted as given: the message says why, in one line."""


@dataclass(frozen=True)
class RuleSet:
    """A versioned set of counting rules, with the articles it applies."""

    code: str
    title: str
    ballots_article: str
    result_article: str
    #: §A2 [INFERRED]: a ballot without the convening committee's stamp is invalid
    #: (Art. 17.1 requires the stamp; state law lists it as invalid).
    unstamped_invalid: bool = True
    #: §A2 [INFERRED]: a name written in that is not on the list makes the ballot invalid.
    written_in_invalid: bool = True
    #: §A2 [INFERRED]: a signature, special mark or extra content makes it invalid.
    extra_mark_invalid: bool = True


RULE_SETS: dict[str, RuleSet] = {
    "party-190-2024": RuleSet(
        code="party-190-2024",
        title="Quy chế bầu cử trong Đảng, QĐ 190-QĐ/TW (10/10/2024)",
        ballots_article="Điều 15",
        result_article="Điều 30",
    ),
    "party-244-2014": RuleSet(
        code="party-244-2014",
        title="Quy chế bầu cử trong Đảng, QĐ 244-QĐ/TW (09/6/2014)",
        ballots_article="Điều 17",
        result_article="Điều 32",
    ),
}


@dataclass(frozen=True)
class Ballot:
    """``count`` identical ballots, as the board read them.

    ``kept``: the names not struck out (a strike-out ballot), or ``boxes``: each name's
    box (agree | disagree | both | none; a ballot with boxes, when candidates = seats).
    The flags say what made the ballot irregular; absent, it is a normal official one.
    """

    count: int
    kept: tuple[str, ...] | None = None
    boxes: Mapping[str, str] | None = None
    official: bool = True
    stamped: bool = True
    written_in: tuple[str, ...] = ()
    extra_mark: bool = False


@dataclass(frozen=True)
class Round:
    """One round of one election, with its ballots."""

    rules: RuleSet
    body: str
    election: str
    seats: int
    convened: int
    deductions: tuple[tuple[str, int], ...]
    present: int
    issued: int
    received: int
    candidates: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    alternates_reading: str = "r1"
    """§A3.4, one of ``ALTERNATES_READINGS``: in a delegates election, "r1" makes the
    passers beyond the official seats alternates in order of votes, "r2" does not."""
    single_candidate_both_or_none: str = "invalid"
    """§A2, one of ``SINGLE_CANDIDATE_READINGS``: a one-name, one-seat ballot with both or
    neither box ticked is "invalid", or valid with no vote ("no-vote")."""

    @property
    def base(self) -> int:
        """Convened minus the deductions (190 Art. 30.2-30.3; vote-rules.md §A3.1)."""
        return self.convened - sum(n for _reason, n in self.deductions)

    @property
    def single_candidate(self) -> bool:
        """One name for one seat: the ballot of §A2's single-candidate rows."""
        return self.seats == 1 and len(self.candidates) == 1

    @property
    def invalid_reasons(self) -> tuple[str, ...]:
        """The reasons a ballot of this round can be invalid, in the minutes' order."""
        if self.single_candidate and self.single_candidate_both_or_none == "invalid":
            return (*INVALID_REASONS, BOTH_OR_NEITHER_BOX)
        return INVALID_REASONS


@dataclass(frozen=True)
class CandidateResult:
    name: str
    votes: int
    percent_of_base: str
    percent_of_valid: str
    elected: bool


@dataclass(frozen=True)
class Result:
    base: int
    received: int
    valid: int
    invalid: int
    invalid_by_reason: dict[str, int]
    ballot_order: list[str]
    candidates: list[CandidateResult]
    elected: list[str]
    status: str
    tie: dict[str, Any] | None
    shortfall: int
    rules: str = field(default="")
    #: A delegates election's alternates in replacement order (§A3.4); None otherwise.
    alternates: list[str] | None = None


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent, exact, shown half-up to 2 decimals ("78.13")."""
    if whole <= 0:
        return "0.00"
    value = Decimal(part * 100) / Decimal(whole)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _verdict(ballot: Ballot, round_: Round) -> str | None:
    """The reason a ballot is invalid, or None when it is valid (vote-rules.md §A2)."""
    rules = round_.rules
    if not ballot.official or (rules.unstamped_invalid and not ballot.stamped):
        return "not_official"
    if rules.written_in_invalid and ballot.written_in:
        return "written_in"
    if rules.extra_mark_invalid and ballot.extra_mark:
        return "extra_mark"
    if ballot.kept is not None:
        if len(ballot.kept) > round_.seats:
            return "too_many_kept"
        if not ballot.kept and len(round_.candidates) > 1:
            return "all_crossed_out"
        return None
    # Valid is "X in one of the two boxes" (244 Art. 17.2); both or neither ticked on a
    # one-name ballot is invalid by contrast ([INFERRED], §A2). A name left out of the
    # record has neither box ticked.
    if BOTH_OR_NEITHER_BOX in round_.invalid_reasons and (ballot.boxes or {}).get(
        round_.candidates[0], "none"
    ) in ("both", "none"):
        return BOTH_OR_NEITHER_BOX
    return None


def _votes_of(ballot: Ballot) -> list[str]:
    if ballot.kept is not None:
        return list(ballot.kept)
    # A box ballot: only "agree" is a vote; both or neither ticked gives that person no
    # vote and leaves the ballot valid (190 Art. 30.1; vote-rules.md §A2).
    return [name for name, box in (ballot.boxes or {}).items() if box == "agree"]


def _check(round_: Round) -> None:
    """The integrity checks that block a result (vote-rules.md §A4)."""
    if round_.seats <= 0:
        raise TallyInputError("seats must be at least 1")
    if round_.alternates_reading not in ALTERNATES_READINGS:
        raise TallyInputError(f"alternates_reading must be one of {', '.join(ALTERNATES_READINGS)}")
    if round_.single_candidate_both_or_none not in SINGLE_CANDIDATE_READINGS:
        raise TallyInputError(
            "single_candidate_both_or_none must be one of " + ", ".join(SINGLE_CANDIDATE_READINGS)
        )
    if round_.base <= 0:
        raise TallyInputError(
            f"the base (convened minus deductions) is {round_.base}: it must be more than 0"
        )
    if round_.present > round_.convened:
        raise TallyInputError(
            f"present ({round_.present}) is more than convened ({round_.convened})"
        )
    if round_.issued > round_.present:
        raise TallyInputError(f"issued ({round_.issued}) is more than present ({round_.present})")
    if round_.received > round_.issued:
        raise TallyInputError(
            f"received ({round_.received}) is more than issued ({round_.issued}): "
            "the round must be voted again"
        )
    if len(round_.candidates) != round_.seats and any(b.boxes is not None for b in round_.ballots):
        # Boxes are the ballot of a list without surplus (244 Art. 17.1; vote-rules.md §A1).
        raise TallyInputError(
            "ballots with agree/disagree boxes are for a list with as many candidates as seats"
        )
    counted = sum(b.count for b in round_.ballots)
    if counted != round_.received:
        raise TallyInputError(
            f"the ballots add up to {counted}, but {round_.received} were received"
        )


def count(round_: Round) -> Result:
    """Count one round (the reference algorithm of vote-rules.md, appendix).

    Raises:
        TallyInputError: an integrity check fails; nothing is counted then.
    """
    _check(round_)
    base = round_.base
    order = ballot_order(round_.candidates)
    position = {name: i for i, name in enumerate(order)}
    reasons: Counter[str] = Counter()
    votes: Counter[str] = Counter({name: 0 for name in round_.candidates})
    valid = 0
    for ballot in round_.ballots:
        reason = _verdict(ballot, round_)
        if reason is not None:
            reasons[reason] += ballot.count
            continue
        valid += ballot.count
        for name in _votes_of(ballot):
            votes[name] += ballot.count
    invalid = round_.received - valid
    ranked = sorted(order, key=lambda name: (-votes[name], position[name]))
    # More than half of the base, in integers: exactly half is not elected (§0.4).
    passers = [name for name in ranked if 2 * votes[name] > base]
    seats = round_.seats
    tie: dict[str, Any] | None = None
    shortfall = 0
    if len(passers) <= seats:
        elected = passers
        shortfall = seats - len(passers)
        status = "complete" if shortfall == 0 else "shortfall"
    else:
        cutoff = votes[passers[seats - 1]]
        above = [name for name in passers if votes[name] > cutoff]
        at = [name for name in passers if votes[name] == cutoff]
        if len(above) + len(at) == seats:
            elected, status = above + at, "complete"
        else:
            # Never broken here (§A3.5): a runoff among the tied for the seats left.
            elected, status = above, "tie"
            tie = {"candidates": at, "seats": seats - len(above)}
    chosen = set(elected)
    alternates: list[str] | None = None
    if round_.election == "delegates":
        # §A3.4 R1: the passers beyond the official seats are alternates, highest votes
        # first (the replacement order). After a tie the order waits for the runoff, so
        # none is named yet. R2: alternates are elected in a round of their own.
        alternates = []
        if round_.alternates_reading == "r1" and status == "complete":
            alternates = [name for name in passers if name not in chosen]
    return Result(
        base=base,
        received=round_.received,
        valid=valid,
        invalid=invalid,
        invalid_by_reason={reason: reasons[reason] for reason in round_.invalid_reasons},
        ballot_order=order,
        candidates=[
            CandidateResult(
                name=name,
                votes=votes[name],
                percent_of_base=percent(votes[name], base),
                percent_of_valid=percent(votes[name], valid),
                elected=name in chosen,
            )
            for name in ranked
        ],
        elected=elected,
        status=status,
        tie=tie,
        shortfall=shortfall,
        rules=round_.rules.code,
        alternates=alternates,
    )


# ----------------------------------------------------------------------------- JSON


def _int(data: Mapping[str, Any], key: str, *, minimum: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TallyInputError(f"{key!r} must be a whole number")
    if value < minimum:
        raise TallyInputError(f"{key!r} must be at least {minimum}, got {value}")
    return value


def _names(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TallyInputError(f"{what} must be a list of names")
    return tuple(v.strip() for v in value)


def _ballot(data: Any, index: int, candidates: set[str]) -> Ballot:
    where = f"ballots[{index}]"
    if not isinstance(data, Mapping):
        raise TallyInputError(f"{where} must be an object")
    count_ = _int(data, "count", minimum=1) if "count" in data else 1
    kept = boxes = None
    if ("kept" in data) == ("boxes" in data):
        raise TallyInputError(f"{where} needs either 'kept' or 'boxes'")
    if "kept" in data:
        kept = _names(data["kept"], f"{where}.kept")
        unknown = [name for name in kept if name not in candidates]
        if unknown:
            raise TallyInputError(f"{where}.kept names {unknown[0]!r}, who is not a candidate")
        if len(set(kept)) != len(kept):
            raise TallyInputError(f"{where}.kept names a candidate twice")
    else:
        raw = data["boxes"]
        if not isinstance(raw, Mapping):
            raise TallyInputError(f"{where}.boxes must be an object of name: box")
        boxes = {}
        for name, box in raw.items():
            if name.strip() not in candidates:
                raise TallyInputError(f"{where}.boxes names {name!r}, who is not a candidate")
            if box not in BOX_VALUES:
                raise TallyInputError(
                    f"{where}.boxes[{name!r}] must be one of {', '.join(BOX_VALUES)}"
                )
            boxes[name.strip()] = box
    flags = {}
    for flag in ("official", "stamped", "extra_mark"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise TallyInputError(f"{where}.{flag} must be true or false")
            flags[flag] = data[flag]
    written = _names(data.get("written_in", []), f"{where}.written_in")
    return Ballot(count=count_, kept=kept, boxes=boxes, written_in=written, **flags)


def _options(data: Mapping[str, Any]) -> dict[str, str]:
    """The optional ``"options"`` object: the readings of §A3.4 and §A2."""
    raw = data.get("options", {})
    if not isinstance(raw, Mapping):
        raise TallyInputError("'options' must be an object")
    known = {
        "alternates_reading": ALTERNATES_READINGS,
        "single_candidate_both_or_none": SINGLE_CANDIDATE_READINGS,
    }
    options = {}
    for key, value in raw.items():
        if key not in known:
            raise TallyInputError(f"unknown option {key!r}; known: {', '.join(known)}")
        if value not in known[key]:
            raise TallyInputError(f"options.{key} must be one of {', '.join(known[key])}")
        options[key] = value
    return options


def round_from_json(data: Any) -> Round:
    """A ``Round`` from the issue's input form (``lienthong tally FILE.json``).

    An optional ``"options"`` object sets the readings left open by the reference:
    ``{"alternates_reading": "r1" | "r2", "single_candidate_both_or_none": "invalid" |
    "no-vote"}``; each one absent takes the ``Round`` default.

    Raises:
        TallyInputError: anything that does not fit, with a one-line reason.
    """
    if not isinstance(data, Mapping):
        raise TallyInputError("the round must be a JSON object")
    code = data.get("rules", "party-190-2024")
    if code not in RULE_SETS:
        raise TallyInputError(f"unknown rules {code!r}; known: {', '.join(RULE_SETS)}")
    body = data.get("body", "delegates")
    if body not in BODIES:
        raise TallyInputError(f"'body' must be one of {', '.join(BODIES)}")
    election = data.get("election", "committee")
    if election not in ELECTIONS:
        raise TallyInputError(f"'election' must be one of {', '.join(ELECTIONS)}")
    candidates = _names(data.get("candidates"), "'candidates'")
    if not candidates:
        raise TallyInputError("'candidates' is empty")
    if len(set(candidates)) != len(candidates):
        raise TallyInputError("a candidate is listed twice")
    deductions = []
    raw_deductions = data.get("deductions", [])
    if not isinstance(raw_deductions, list):
        raise TallyInputError("'deductions' must be a list")
    for index, item in enumerate(raw_deductions):
        if not isinstance(item, Mapping) or not isinstance(item.get("reason"), str):
            raise TallyInputError(f"deductions[{index}] needs a 'reason' and a 'count'")
        deductions.append((item["reason"], _int(item, "count")))
    raw_ballots = data.get("ballots")
    if not isinstance(raw_ballots, list):
        raise TallyInputError("'ballots' must be a list")
    names = set(candidates)
    return Round(
        rules=RULE_SETS[code],
        body=body,
        election=election,
        seats=_int(data, "seats", minimum=1),
        convened=_int(data, "convened", minimum=1),
        deductions=tuple(deductions),
        present=_int(data, "present"),
        issued=_int(data, "issued"),
        received=_int(data, "received"),
        candidates=candidates,
        ballots=tuple(_ballot(item, i, names) for i, item in enumerate(raw_ballots)),
        **_options(data),
    )


def result_to_json(result: Result) -> dict[str, Any]:
    """The issue's output form of a result.

    A delegates election's result has one more key, ``"alternates"`` (after
    ``"elected"``): the alternates in replacement order (§A3.4); the form of every other
    election's result is the issue's.
    """
    output: dict[str, Any] = {
        "base": result.base,
        "received": result.received,
        "valid": result.valid,
        "invalid": result.invalid,
        "invalid_by_reason": dict(result.invalid_by_reason),
        "ballot_order": list(result.ballot_order),
        "candidates": [
            {
                "name": c.name,
                "votes": c.votes,
                "percent_of_base": c.percent_of_base,
                "percent_of_valid": c.percent_of_valid,
                "elected": c.elected,
            }
            for c in result.candidates
        ],
        "elected": list(result.elected),
    }
    if result.alternates is not None:
        output["alternates"] = list(result.alternates)
    output.update({"status": result.status, "tie": result.tie, "shortfall": result.shortfall})
    return output


def ballots_total(ballots: Sequence[Ballot]) -> int:
    """How many ballots the records stand for."""
    return sum(b.count for b in ballots)
