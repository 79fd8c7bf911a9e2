"""Set-up checks (surplus, quorum, counting board) and the round after a tie or a
shortfall (issue #6 scopes 1 and 5)."""

from __future__ import annotations

import pytest

from lienthong.elections.checks import board_conflicts, next_round, quorum_issues, surplus_issues
from lienthong.elections.tally import RULE_SETS, Ballot, Round, count


@pytest.mark.parametrize(
    ("election", "seats", "candidates", "codes"),
    [
        ("committee", 55, 60, []),
        ("committee", 55, 71, []),  # 16 more: floor(30 % of 55) = 16
        ("committee", 55, 72, ["surplus_too_large"]),
        ("committee", 5, 6, []),  # 3-5 seats: at most one more
        ("committee", 5, 7, ["surplus_too_large"]),
        ("standing-committee", 3, 3, ["no_surplus"]),
        ("secretary", 1, 1, []),  # no surplus required
        ("delegates", 10, 20, []),
    ],
)
def test_surplus_warnings(election: str, seats: int, candidates: int, codes: list[str]) -> None:
    issues = surplus_issues(election, seats, candidates)
    assert [i.code for i in issues] == codes
    assert not any(i.blocking for i in issues)


def test_quorum_is_two_thirds_of_those_convened() -> None:
    assert quorum_issues(300, 200) == []
    assert [i.code for i in quorum_issues(300, 199)] == ["no_quorum"]


def test_a_candidate_may_not_sit_on_the_counting_board() -> None:
    issues = board_conflicts(["Lê Văn Hòa", "Trần Thị Bình"], ["Trần Thị Bình", "Nguyễn Văn An"])
    assert [(i.code, i.detail, i.blocking) for i in issues] == [
        ("board_member_is_candidate", "Trần Thị Bình", True)
    ]


def _round(candidates: tuple[str, ...], seats: int, ballots: tuple[Ballot, ...]) -> Round:
    received = sum(b.count for b in ballots)
    return Round(
        rules=RULE_SETS["party-190-2024"],
        body="members",
        election="committee",
        seats=seats,
        convened=20,
        deductions=(("transferred", 2),),
        present=received,
        issued=received,
        received=received,
        candidates=candidates,
        ballots=ballots,
    )


def test_a_tie_leads_to_a_runoff_among_the_tied_for_the_seats_left() -> None:
    """GIVEN a tie for the last of two seats THEN the next round lists only the tied, in
    ballot order, for one seat, with the same base and no ballots yet; counted, it
    elects the one with more than half of the base."""
    names = ("Nguyễn Văn An", "Lê Văn Cường", "Trần Thị Bình")
    first = _round(
        names,
        2,
        (
            Ballot(count=5, kept=("Nguyễn Văn An", "Trần Thị Bình")),
            Ballot(count=5, kept=("Nguyễn Văn An", "Lê Văn Cường")),
            Ballot(count=5, kept=("Trần Thị Bình", "Lê Văn Cường")),
            Ballot(count=3, kept=("Nguyễn Văn An",)),
        ),
    )
    result = count(first)
    assert result.status == "tie"

    runoff = next_round(first, result)

    assert runoff is not None
    assert runoff.candidates == ("Trần Thị Bình", "Lê Văn Cường")
    assert (runoff.seats, runoff.base, runoff.ballots) == (1, first.base, ())
    voted = Round(
        **{
            **runoff.__dict__,
            "issued": 18,
            "received": 18,
            "ballots": (
                Ballot(count=10, kept=("Lê Văn Cường",)),
                Ballot(count=8, kept=("Trần Thị Bình",)),
            ),
        }
    )
    assert count(voted).elected == ["Lê Văn Cường"]


def test_a_shortfall_leads_to_a_round_for_the_seats_left_and_complete_to_none() -> None:
    names = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    short = _round(names, 2, (Ballot(count=18, kept=("Nguyễn Văn An",)),))
    result = count(short)
    assert result.status == "shortfall"
    following = next_round(short, result)
    assert following is not None
    assert (following.seats, following.candidates) == (1, ("Trần Thị Bình", "Lê Văn Cường"))
    chosen = next_round(short, result, ["Lê Văn Cường"])
    assert chosen is not None and chosen.candidates == ("Lê Văn Cường",)

    done = _round(names, 1, (Ballot(count=18, kept=("Nguyễn Văn An",)),))
    assert next_round(done, count(done)) is None
