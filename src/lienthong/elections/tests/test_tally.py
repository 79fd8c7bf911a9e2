"""The counting rules (issue #6 scope 5 and acceptance): worked cases from
shared/reference/vote-rules.md and more written from the rules, and properties that
hold for any round."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lienthong.elections.tally import (
    RULE_SETS,
    Ballot,
    Round,
    TallyInputError,
    count,
    percent,
    result_to_json,
    round_from_json,
)

FIVE = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]
SIX = [*FIVE, "Vũ Thị Giang"]


def _round(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rules": "party-190-2024",
        "body": "members",
        "election": "committee",
        "seats": 5,
        "convened": 20,
        "deductions": [],
        "present": 20,
        "issued": 20,
        "received": 20,
        "candidates": SIX,
        "ballots": [],
    }
    data.update(fields)
    return data


def _count(**fields: Any) -> dict[str, Any]:
    return result_to_json(count(round_from_json(_round(**fields))))


def _votes(result: dict[str, Any]) -> dict[str, int]:
    return {c["name"]: c["votes"] for c in result["candidates"]}


def test_a_normal_election_fills_the_seats_with_the_top_passers() -> None:
    """GIVEN 20 members, 6 candidates for 5 seats, Vũ Thị Giang struck on most ballots
    THEN the five others are elected with their votes, percentages of the base and of
    valid ballots, ranked by votes, and the round is complete."""
    result = _count(
        ballots=[
            {"count": 14, "kept": FIVE},
            {"count": 4, "kept": ["Nguyễn Văn An", "Trần Thị Bình", "Vũ Thị Giang"]},
            {"count": 2, "kept": ["Lê Văn Cường", "Vũ Thị Giang", "Hoàng Văn Em"]},
        ]
    )

    assert (result["base"], result["valid"], result["invalid"]) == (20, 20, 0)
    assert result["status"] == "complete" and result["tie"] is None and result["shortfall"] == 0
    assert _votes(result)["Nguyễn Văn An"] == 18 and _votes(result)["Vũ Thị Giang"] == 6
    assert set(result["elected"]) == set(FIVE)
    assert result["candidates"][0] == {
        "name": "Nguyễn Văn An",
        "votes": 18,
        "percent_of_base": "90.00",
        "percent_of_valid": "90.00",
        "elected": True,
    }
    assert [c["votes"] for c in result["candidates"]] == sorted(
        (c["votes"] for c in result["candidates"]), reverse=True
    )


def test_invalid_ballots_are_counted_by_reason_and_give_no_vote() -> None:
    """GIVEN ballots keeping six names for five seats, all crossed out, a name written
    in, a special mark, without the stamp, and not the official form
    THEN each is invalid under its reason and none adds a vote."""
    result = _count(
        ballots=[
            {"count": 10, "kept": FIVE},
            {"count": 3, "kept": SIX},
            {"count": 2, "kept": []},
            {"count": 2, "kept": FIVE[:4], "written_in": ["Nguyễn Văn Tâm"]},
            {"count": 1, "kept": FIVE, "extra_mark": True},
            {"count": 1, "kept": FIVE, "stamped": False},
            {"count": 1, "kept": FIVE, "official": False},
        ]
    )

    assert (result["valid"], result["invalid"]) == (10, 10)
    assert result["invalid_by_reason"] == {
        "too_many_kept": 3,
        "all_crossed_out": 2,
        "not_official": 2,
        "written_in": 2,
        "extra_mark": 1,
    }
    assert _votes(result)["Nguyễn Văn An"] == 10
    # 10 votes of a base of 20 is exactly half: nobody is elected (2 * 10 is not > 20).
    assert result["elected"] == [] and result["status"] == "shortfall"
    assert result["shortfall"] == 5


def test_exactly_half_of_the_base_is_not_elected_and_one_more_is() -> None:
    """GIVEN a base of 19 (20 convened, 1 deducted) and of 20
    THEN 10 of 19 elects (2 * 10 > 19), 10 of 20 does not: decided in integers."""
    ballots = [{"count": 10, "kept": ["Nguyễn Văn An"]}, {"count": 10, "kept": ["Trần Thị Bình"]}]
    two = ["Nguyễn Văn An", "Trần Thị Bình"]
    deducted = _count(
        candidates=two,
        seats=1,
        deductions=[{"reason": "absent-whole-congress-no-alternate", "count": 1}],
        present=19,
        issued=19,
        received=19,
        ballots=[{"count": 10, "kept": ["Nguyễn Văn An"]}, {"count": 9, "kept": ["Trần Thị Bình"]}],
    )
    half = _count(candidates=two, seats=1, ballots=ballots)

    assert deducted["base"] == 19 and deducted["elected"] == ["Nguyễn Văn An"]
    assert deducted["candidates"][0]["percent_of_base"] == "52.63"
    assert half["elected"] == [] and half["status"] == "shortfall" and half["shortfall"] == 1
    assert half["candidates"][0]["percent_of_base"] == "50.00"


def test_a_tie_at_the_last_seat_is_never_broken() -> None:
    """GIVEN three passers for two seats, the second and third with equal votes
    THEN the first is elected, the round ends "tie" for one seat between the other two,
    listed in ballot order."""
    three = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    result = _count(
        candidates=three,
        seats=2,
        ballots=[
            {"count": 8, "kept": ["Nguyễn Văn An", "Trần Thị Bình"]},
            {"count": 8, "kept": ["Nguyễn Văn An", "Lê Văn Cường"]},
            {"count": 4, "kept": ["Trần Thị Bình", "Lê Văn Cường"]},
        ],
    )

    assert result["status"] == "tie"
    assert result["elected"] == ["Nguyễn Văn An"]
    # Ballot order: by given name: An < Bình < Cường.
    assert result["tie"] == {"candidates": ["Trần Thị Bình", "Lê Văn Cường"], "seats": 1}
    assert [c["elected"] for c in result["candidates"]] == [True, False, False]


def test_a_tie_entirely_within_the_seats_elects_both() -> None:
    """GIVEN two passers with equal votes for two seats THEN both are elected."""
    result = _count(
        candidates=["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
        seats=2,
        ballots=[{"count": 20, "kept": ["Nguyễn Văn An", "Trần Thị Bình"]}],
    )
    assert result["status"] == "complete"
    assert result["elected"] == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_one_secretary_from_two_candidates() -> None:
    """GIVEN the committee meeting (15 members, one absent for the whole meeting)
    electing one secretary from two
    THEN the one with more than half of 14 is elected; a ballot keeping both is invalid."""
    result = _count(
        body="committee",
        election="secretary",
        seats=1,
        convened=15,
        deductions=[{"reason": "absent-whole-meeting", "count": 1}],
        present=14,
        issued=14,
        received=14,
        candidates=["Nguyễn Văn An", "Trần Thị Bình"],
        ballots=[
            {"count": 9, "kept": ["Trần Thị Bình"]},
            {"count": 4, "kept": ["Nguyễn Văn An"]},
            {"count": 1, "kept": ["Nguyễn Văn An", "Trần Thị Bình"]},
        ],
    )
    assert result["base"] == 14 and result["elected"] == ["Trần Thị Bình"]
    assert result["invalid_by_reason"]["too_many_kept"] == 1
    assert result["candidates"][0]["percent_of_valid"] == "69.23"


def test_agree_disagree_boxes_when_candidates_equal_seats() -> None:
    """GIVEN two candidates for two seats on a box ballot
    THEN only "agree" is a vote; both or neither ticked gives that person no vote and the
    ballot stays valid (190 Art. 30.1)."""
    two = ["Lê Văn Hòa", "Phạm Thị Hà"]
    result = _count(
        candidates=two,
        seats=2,
        ballots=[
            {"count": 12, "boxes": {"Lê Văn Hòa": "agree", "Phạm Thị Hà": "agree"}},
            {"count": 6, "boxes": {"Lê Văn Hòa": "agree", "Phạm Thị Hà": "both"}},
            {"count": 2, "boxes": {"Lê Văn Hòa": "none", "Phạm Thị Hà": "disagree"}},
        ],
    )
    assert (result["valid"], result["invalid"]) == (20, 0)
    assert _votes(result) == {"Lê Văn Hòa": 18, "Phạm Thị Hà": 12}
    assert result["elected"] == ["Lê Văn Hòa", "Phạm Thị Hà"]


def test_delegates_then_alternates_from_one_list() -> None:
    """GIVEN delegates to the higher congress: 2 seats, 4 on one list (190 Art. 18)
    WHEN the delegates are counted, then the alternates among those not elected
    THEN the top two are delegates; the next round's list (the other two, one alternate
    seat) elects the one with more than half of the same base."""
    four = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]
    delegates = _count(
        election="delegates",
        body="delegates",
        seats=2,
        candidates=four,
        ballots=[
            {"count": 12, "kept": ["Nguyễn Văn An", "Trần Thị Bình"]},
            {"count": 8, "kept": ["Lê Văn Cường", "Nguyễn Văn An"]},
        ],
    )
    assert delegates["elected"] == ["Nguyễn Văn An", "Trần Thị Bình"]
    rest = [name for name in four if name not in delegates["elected"]]
    alternates = _count(
        election="alternates",
        body="delegates",
        seats=1,
        candidates=rest,
        ballots=[{"count": 15, "kept": ["Lê Văn Cường"]}, {"count": 5, "kept": ["Phạm Thị Dung"]}],
    )
    assert alternates["base"] == delegates["base"] and alternates["elected"] == ["Lê Văn Cường"]


def test_the_issue_example_counts() -> None:
    """GIVEN the issue's example input (20 convened, 1 deducted, five kinds of ballot)
    THEN the invalid ballots are those without the stamp, with a written-in name and with
    an extra mark; the box ballots count only "agree"."""
    candidates = ["Nguyễn Văn An", "Lê Văn Hòa", "Phạm Thị Hà"]
    result = _count(
        seats=3,
        candidates=candidates,
        deductions=[{"reason": "absent-whole-congress-no-alternate", "count": 1}],
        ballots=[
            {"count": 8, "kept": candidates},
            {"count": 1, "kept": candidates, "stamped": False},
            {"count": 2, "kept": candidates[:2], "written_in": ["Nguyễn Văn Tâm"]},
            {"count": 1, "kept": candidates, "extra_mark": True},
            {"count": 8, "boxes": {"Lê Văn Hòa": "agree", "Phạm Thị Hà": "both"}},
        ],
    )
    assert result["base"] == 19 and (result["valid"], result["invalid"]) == (16, 4)
    assert _votes(result) == {"Lê Văn Hòa": 16, "Nguyễn Văn An": 8, "Phạm Thị Hà": 8}
    assert result["elected"] == ["Lê Văn Hòa"] and result["shortfall"] == 2


def test_percentages_round_half_up_for_display_only() -> None:
    """GIVEN 5 votes of 64 (7.8125 %) THEN "7.81"; 78.125 % shows "78.13" (not banker's)."""
    assert percent(5, 64) == "7.81"
    assert percent(625, 800) == "78.13"
    assert percent(1, 3) == "33.33" and percent(2, 3) == "66.67"
    assert percent(0, 0) == "0.00"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"received": 21}, "more than issued"),
        ({"issued": 21, "present": 20}, "more than present"),
        ({"present": 21}, "more than convened"),
        ({"deductions": [{"reason": "x", "count": 20}]}, "the base"),
        ({"ballots": [{"count": 19, "kept": FIVE}]}, "add up to 19"),
        ({"ballots": [{"count": 20, "kept": ["Nguyễn Văn Tâm"]}]}, "not a candidate"),
        ({"ballots": [{"count": -1, "kept": FIVE}]}, "at least 1"),
        ({"seats": 0}, "at least 1"),
        ({"ballots": [{"count": 20, "boxes": {"Nguyễn Văn An": "yes"}}]}, "must be one of"),
        ({"rules": "party-2099"}, "unknown rules"),
        ({"ballots": [{"count": 20, "boxes": {"Nguyễn Văn An": "agree"}}]}, "as many candidates"),
    ],
)
def test_what_cannot_be_counted_is_refused_with_a_reason(
    change: dict[str, Any], reason: str
) -> None:
    """GIVEN a round that breaks an integrity check or names an unknown candidate
    THEN it is refused with a one-line reason, never counted."""
    with pytest.raises(TallyInputError) as refused:
        count(round_from_json(_round(**{"ballots": [{"count": 20, "kept": FIVE}], **change})))
    assert reason in str(refused.value) and "\n" not in str(refused.value)


# ------------------------------------------------------------------------ properties


@st.composite
def rounds(draw: Any) -> Round:
    """Any countable round: 1-8 candidates, up to 60 ballot records of every kind."""
    names = draw(
        st.lists(
            st.sampled_from([*SIX, "Đỗ Văn Hải", "Ngô Thị Hằng"]),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    seats = draw(st.integers(1, len(names)))
    records = []
    for _ in range(draw(st.integers(0, 60))):
        # Boxes only on a list without surplus (candidates = seats).
        kind = draw(st.sampled_from(["kept", "boxes"] if seats == len(names) else ["kept"]))
        flags = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "stamped": st.booleans(),
                    "official": st.booleans(),
                    "extra_mark": st.booleans(),
                },
            )
        )
        if kind == "kept":
            kept = tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))))
            records.append(Ballot(count=draw(st.integers(1, 9)), kept=kept, **flags))
        else:
            boxes = {n: draw(st.sampled_from(["agree", "disagree", "both", "none"])) for n in names}
            records.append(Ballot(count=draw(st.integers(1, 9)), boxes=boxes, **flags))
    received = sum(b.count for b in records)
    issued = received + draw(st.integers(0, 5))
    present = issued + draw(st.integers(0, 5))
    convened = present + draw(st.integers(0, 5)) + 1
    deducted = draw(st.integers(0, convened - 1))
    return Round(
        rules=RULE_SETS[draw(st.sampled_from(sorted(RULE_SETS)))],
        body="members",
        election="committee",
        seats=seats,
        convened=convened,
        deductions=(("deducted", deducted),),
        present=present,
        issued=issued,
        received=received,
        candidates=tuple(names),
        ballots=tuple(records),
    )


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_the_integrity_checks_hold_for_any_round(round_: Round) -> None:
    """valid + invalid = received ≤ issued ≤ present ≤ convened; votes ≤ valid; the sum
    of votes ≤ seats * valid; at most ``seats`` elected."""
    result = count(round_)
    assert result.valid + result.invalid == result.received == round_.received
    assert round_.received <= round_.issued <= round_.present <= round_.convened
    assert sum(result.invalid_by_reason.values()) == result.invalid
    assert all(0 <= c.votes <= result.valid for c in result.candidates)
    assert sum(c.votes for c in result.candidates) <= round_.seats * result.valid
    assert len(result.elected) <= round_.seats
    assert result.shortfall == (
        round_.seats - len(result.elected) if result.status == "shortfall" else 0
    )


@settings(max_examples=200, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_ballots(round_: Round, rng: Any) -> None:
    shuffled = list(round_.ballots)
    rng.shuffle(shuffled)
    again = Round(**{**round_.__dict__, "ballots": tuple(shuffled)})
    assert result_to_json(count(again)) == result_to_json(count(round_))


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_more_than_half_of_the_base_exactly_decides(round_: Round) -> None:
    """Every elected candidate has 2 * votes > base; a candidate with 2 * votes > base
    who is not elected lost to others on votes or is in a tie; nobody else is."""
    result = count(round_)
    votes = {c.name: c.votes for c in result.candidates}
    passers = [name for name, v in votes.items() if 2 * v > result.base]
    assert all(2 * votes[name] > result.base for name in result.elected)
    tied = set(result.tie["candidates"]) if result.tie else set()
    for name in passers:
        if name in result.elected or name in tied:
            continue
        better = Counter(v > votes[name] for v in votes.values())[True]
        assert better >= round_.seats
    if result.status == "tie":
        assert result.tie is not None and len(tied) > result.tie["seats"] >= 1
