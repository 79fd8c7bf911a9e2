"""Checks of an election's set-up, and the round that follows a tie or a shortfall.

Pure functions (issue #6 scopes 1 and 5), cited to shared/reference/vote-rules.md:

- Surplus (số dư), 190 Art. 14 (§A5): the committee and the standing committee are
  elected from more candidates than seats, at most 30 % more (at most one more for
  3-5 seats). The congress may decide otherwise, so these are **warnings** [INFERRED].
- Quorum (§A5, [INFERRED]): a congress is valid when at least two thirds of those
  convened attend: a warning.
- A counting-board member may not stand in the election they count (190 Art. 8, §A4):
  an error.
- After a tie at the last seat, the runoff lists only the tied, in ballot order, for
  the seats left, with the same base (§A3.5); after a shortfall the congress chooses
  the list of the next round for the seats left (§A3.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from lienthong.elections.collation import ballot_order
from lienthong.elections.tally import Result, Round

__all__ = ["SetupIssue", "board_conflicts", "next_round", "quorum_issues", "surplus_issues"]

#: Elections whose list must have a surplus (190 Art. 14).
SURPLUS_REQUIRED = ("committee", "standing-committee")


@dataclass(frozen=True)
class SetupIssue:
    """A finding about a set-up: ``blocking`` ones must be fixed, the rest are warnings."""

    code: str
    detail: str
    blocking: bool = False
    #: The figures of ``detail``, for the pages' translated message.
    params: dict[str, Any] = field(default_factory=dict)


def surplus_issues(election: str, seats: int, candidates: int) -> list[SetupIssue]:
    """The surplus of a list (190 Art. 14; vote-rules.md §A5), as warnings."""
    if election not in SURPLUS_REQUIRED:
        return []
    surplus = candidates - seats
    if surplus <= 0:
        return [
            SetupIssue(
                "no_surplus",
                f"{candidates} candidates for {seats} seats: this list needs more candidates "
                "than seats",
                params={"candidates": candidates, "seats": seats},
            )
        ]
    # floor(30 % of seats) in integers; for 3-5 seats at most one more.
    allowed = 1 if 3 <= seats <= 5 else (3 * seats) // 10
    if surplus > allowed:
        return [
            SetupIssue(
                "surplus_too_large",
                f"{surplus} more candidates than seats; at most {allowed} for {seats} seats "
                "unless the congress decides otherwise",
                params={"surplus": surplus, "allowed": allowed, "seats": seats},
            )
        ]
    return []


def quorum_issues(convened: int, present: int) -> list[SetupIssue]:
    """Fewer than two thirds of those convened present (vote-rules.md §A5), a warning."""
    if 3 * present < 2 * convened:
        return [
            SetupIssue(
                "no_quorum",
                f"{present} present of {convened} convened: less than two thirds",
                params={"present": present, "convened": convened},
            )
        ]
    return []


def board_conflicts(board: Iterable[str], candidates: Iterable[str]) -> list[SetupIssue]:
    """Counting-board members standing in the election they count (190 Art. 8): errors."""
    standing = set(candidates)
    return [
        SetupIssue("board_member_is_candidate", name, blocking=True, params={"name": name})
        for name in board
        if name in standing
    ]


def next_round(round_: Round, result: Result, candidates: Iterable[str] = ()) -> Round | None:
    """The round that must follow ``result``, without ballots yet (or None: complete).

    A tie: the tied candidates only, in ballot order, for the seats left; a shortfall:
    the ``candidates`` the congress chose (by default those not elected), for the seats
    left. The base (convened and deductions) stays that of the congress.
    """
    if result.status == "tie" and result.tie is not None:
        names = list(result.tie["candidates"])
        seats = int(result.tie["seats"])
    elif result.status == "shortfall":
        chosen = list(candidates) or [n for n in round_.candidates if n not in result.elected]
        names, seats = chosen, result.shortfall
    else:
        return None
    return replace(
        round_,
        seats=seats,
        candidates=tuple(ballot_order(names)),
        issued=0,
        received=0,
        ballots=(),
    )
