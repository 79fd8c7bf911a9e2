"""The two readings vote-rules.md leaves open, as options of the round (issue #6):
alternates from a delegates round (§A3.4, R1 / R2) and the one-name ballot with both or
neither box ticked (§A2). Without ``"options"`` the defaults are R1 and "invalid"."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from lienthong.elections.tally import (
    BOTH_OR_NEITHER_BOX,
    INVALID_REASONS,
    TallyInputError,
    count,
    result_to_json,
    round_from_json,
)

SEVEN = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đỗ Văn Hải",
]

#: 20 ballots keeping four names each, for four official seats, base 20: Bình 16,
#: An 15, Cường 13, Dung 13, Giang 12, Em 11, Hải 0. Six pass (2 * votes > 20).
DELEGATE_BALLOTS: list[dict[str, Any]] = [
    {"count": 5, "kept": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]},
    {"count": 4, "kept": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Vũ Thị Giang"]},
    {"count": 3, "kept": ["Nguyễn Văn An", "Trần Thị Bình", "Phạm Thị Dung", "Hoàng Văn Em"]},
    {"count": 3, "kept": ["Nguyễn Văn An", "Trần Thị Bình", "Hoàng Văn Em", "Vũ Thị Giang"]},
    {"count": 1, "kept": ["Trần Thị Bình", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]},
    {"count": 4, "kept": ["Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]},
]


def _delegates(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rules": "party-190-2024",
        "body": "delegates",
        "election": "delegates",
        "seats": 4,
        "convened": 20,
        "deductions": [],
        "present": 20,
        "issued": 20,
        "received": 20,
        "candidates": SEVEN,
        "ballots": DELEGATE_BALLOTS,
    }
    data.update(fields)
    return data


def _secretary(**fields: Any) -> dict[str, Any]:
    """One candidate for secretary at the committee meeting: base 15; 9 agree, 2
    disagree, 2 both boxes ticked, 1 neither, 1 record without the name (neither)."""
    name = "Lê Văn Hòa"
    data: dict[str, Any] = {
        "rules": "party-190-2024",
        "body": "committee",
        "election": "secretary",
        "seats": 1,
        "convened": 15,
        "deductions": [],
        "present": 15,
        "issued": 15,
        "received": 15,
        "candidates": [name],
        "ballots": [
            {"count": 9, "boxes": {name: "agree"}},
            {"count": 2, "boxes": {name: "disagree"}},
            {"count": 2, "boxes": {name: "both"}},
            {"count": 1, "boxes": {name: "none"}},
            {"count": 1, "boxes": {}},
        ],
    }
    data.update(fields)
    return data


def _count(data: dict[str, Any]) -> dict[str, Any]:
    return result_to_json(count(round_from_json(data)))


# ---------------------------------------------------------- §A3.4 delegates: R1 / R2


def test_r1_by_default_makes_the_passers_beyond_the_seats_alternates_in_order() -> None:
    """GIVEN a delegates round with six passers for four official seats, no options
    THEN the top four are the delegates and the other two passers are the alternates,
    highest votes first (Giang 12, then Em 11); Hải (0 votes) is neither."""
    result = _count(_delegates())

    assert result["status"] == "complete"
    assert result["elected"] == ["Trần Thị Bình", "Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"]
    assert result["alternates"] == ["Vũ Thị Giang", "Hoàng Văn Em"]
    votes = {c["name"]: c["votes"] for c in result["candidates"]}
    assert (votes["Vũ Thị Giang"], votes["Hoàng Văn Em"], votes["Đỗ Văn Hải"]) == (12, 11, 0)
    # Alternates are not elected as delegates.
    assert [c["elected"] for c in result["candidates"]] == [True] * 4 + [False] * 3
    keys = list(result)
    assert keys[keys.index("elected") + 1] == "alternates"


def test_r1_alternates_need_more_than_half_of_the_base() -> None:
    """GIVEN the same round with a base of 22 (2 deducted from 24 convened)
    THEN Em's 11 votes are exactly half: only Giang (12) is an alternate."""
    result = _count(
        _delegates(
            convened=24,
            deductions=[{"reason": "absent-whole-congress-no-alternate", "count": 2}],
            present=22,
            issued=22,
        )
    )

    assert result["base"] == 22
    assert result["alternates"] == ["Vũ Thị Giang"]


def test_r2_through_the_options_elects_no_alternates_from_the_delegates_round() -> None:
    """GIVEN the same round with ``"options": {"alternates_reading": "r2"}``
    THEN the same four delegates, and no alternates: the extra passers are not elected."""
    r1 = _count(_delegates(options={"alternates_reading": "r1"}))
    r2 = _count(_delegates(options={"alternates_reading": "r2"}))

    assert r2["elected"] == r1["elected"] and r2["status"] == "complete"
    assert r1["alternates"] == ["Vũ Thị Giang", "Hoàng Văn Em"]
    assert r2["alternates"] == []
    assert r2["candidates"] == r1["candidates"]


def test_no_alternates_are_named_while_an_official_seat_is_tied() -> None:
    """GIVEN a delegates round of two seats: An 18, Bình and Cường 11 each (base 20)
    THEN An is elected, Bình and Cường are tied for the last seat, and no alternate is
    named until the runoff decides who of them is the delegate."""
    result = _count(
        _delegates(
            seats=2,
            candidates=SEVEN[:3],
            ballots=[
                {"count": 9, "kept": ["Nguyễn Văn An", "Trần Thị Bình"]},
                {"count": 9, "kept": ["Nguyễn Văn An", "Lê Văn Cường"]},
                {"count": 2, "kept": ["Trần Thị Bình", "Lê Văn Cường"]},
            ],
        )
    )

    assert result["status"] == "tie"
    assert result["tie"] == {"candidates": ["Trần Thị Bình", "Lê Văn Cường"], "seats": 1}
    assert result["elected"] == ["Nguyễn Văn An"] and result["alternates"] == []


def test_only_a_delegates_election_has_alternates_in_its_result() -> None:
    """GIVEN the same ballots in a committee election and an alternates election
    THEN their results keep the issue's form, without an "alternates" key."""
    for election in ("committee", "alternates"):
        result = _count(_delegates(election=election))
        assert "alternates" not in result
        assert result["elected"] == [
            "Trần Thị Bình",
            "Nguyễn Văn An",
            "Lê Văn Cường",
            "Phạm Thị Dung",
        ]


# ----------------------------------------------- §A2 one name, both or neither ticked


def test_a_one_name_ballot_with_both_or_neither_box_is_invalid_by_default() -> None:
    """GIVEN one candidate for one seat, 4 ballots with both or neither box ticked
    THEN they are invalid under their own reason; the 2 "disagree" stay valid; 9 of 11
    valid ballots agree; 9 of a base of 15 elects."""
    result = _count(_secretary())

    assert (result["valid"], result["invalid"]) == (11, 4)
    assert result["invalid_by_reason"][BOTH_OR_NEITHER_BOX] == 4
    assert list(result["invalid_by_reason"]) == [*INVALID_REASONS, BOTH_OR_NEITHER_BOX]
    assert result["candidates"][0] == {
        "name": "Lê Văn Hòa",
        "votes": 9,
        "percent_of_base": "60.00",
        "percent_of_valid": "81.82",
        "elected": True,
    }


def test_no_vote_through_the_options_keeps_those_ballots_valid() -> None:
    """GIVEN the same round with ``"options": {"single_candidate_both_or_none":
    "no-vote"}``
    THEN all 15 ballots are valid, the 4 give no vote, and the reason is not listed."""
    result = _count(_secretary(options={"single_candidate_both_or_none": "no-vote"}))

    assert (result["valid"], result["invalid"]) == (15, 0)
    assert list(result["invalid_by_reason"]) == list(INVALID_REASONS)
    assert result["candidates"][0]["votes"] == 9
    assert result["candidates"][0]["percent_of_valid"] == "60.00"


def test_the_reading_changes_the_valid_count_not_the_votes() -> None:
    """GIVEN base 15, 8 agree, 7 with both boxes ticked
    THEN 8 of 15 elects either way, but under "invalid" only 8 ballots are valid."""
    name = "Lê Văn Hòa"
    ballots = [{"count": 8, "boxes": {name: "agree"}}, {"count": 7, "boxes": {name: "both"}}]
    invalid = _count(_secretary(ballots=ballots))
    no_vote = _count(
        _secretary(ballots=ballots, options={"single_candidate_both_or_none": "no-vote"})
    )

    assert (invalid["valid"], invalid["invalid"], invalid["elected"]) == (8, 7, [name])
    assert (no_vote["valid"], no_vote["invalid"], no_vote["elected"]) == (15, 0, [name])
    assert invalid["candidates"][0]["percent_of_valid"] == "100.00"
    assert no_vote["candidates"][0]["percent_of_valid"] == "53.33"


def test_a_list_of_several_without_surplus_is_not_affected() -> None:
    """GIVEN two names for two seats, one with both boxes ticked (default options)
    THEN the ballot stays valid and that person gets no vote (190 Art. 30.1)."""
    two = ["Lê Văn Hòa", "Phạm Thị Hà"]
    result = _count(
        _secretary(
            election="standing-committee",
            seats=2,
            candidates=two,
            ballots=[
                {"count": 10, "boxes": {"Lê Văn Hòa": "agree", "Phạm Thị Hà": "agree"}},
                {"count": 5, "boxes": {"Lê Văn Hòa": "both", "Phạm Thị Hà": "none"}},
            ],
        )
    )

    assert (result["valid"], result["invalid"]) == (15, 0)
    assert list(result["invalid_by_reason"]) == list(INVALID_REASONS)
    assert {c["name"]: c["votes"] for c in result["candidates"]} == {
        "Lê Văn Hòa": 10,
        "Phạm Thị Hà": 10,
    }


def test_a_one_name_strike_out_ballot_is_not_affected() -> None:
    """GIVEN one name for one seat recorded as strike-out ballots, 3 with the name struck
    THEN those are valid (no vote), as before: the option reads boxes only."""
    result = _count(
        _secretary(
            ballots=[
                {"count": 12, "kept": ["Lê Văn Hòa"]},
                {"count": 3, "kept": []},
            ]
        )
    )
    assert (result["valid"], result["invalid"]) == (15, 0)
    assert result["candidates"][0]["votes"] == 12


# ------------------------------------------------------------------------ bad options


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ([], "'options' must be an object"),
        ({"alternates_reading": "r3"}, "options.alternates_reading must be one of r1, r2"),
        ({"single_candidate_both_or_none": "valid"}, "must be one of invalid, no-vote"),
        ({"tie_break": "age"}, "unknown option 'tie_break'"),
    ],
)
def test_bad_options_are_refused_with_a_reason(options: Any, reason: str) -> None:
    """GIVEN an unknown option, a value out of its choices, or not an object
    THEN the round is refused with a one-line reason."""
    with pytest.raises(TallyInputError) as refused:
        round_from_json(_delegates(options=options))
    assert reason in str(refused.value) and "\n" not in str(refused.value)


def test_a_round_built_in_code_with_a_bad_option_is_not_counted() -> None:
    """GIVEN a ``Round`` made directly with an unknown reading THEN ``count`` refuses it."""
    round_ = round_from_json(_delegates())
    with pytest.raises(TallyInputError, match="alternates_reading"):
        count(dataclasses.replace(round_, alternates_reading="R1"))
    with pytest.raises(TallyInputError, match="single_candidate_both_or_none"):
        count(dataclasses.replace(round_, single_candidate_both_or_none="none"))


def test_options_equal_to_the_defaults_give_the_same_result_as_none() -> None:
    """GIVEN the defaults written out THEN exactly the result without options."""
    defaults = {"alternates_reading": "r1", "single_candidate_both_or_none": "invalid"}
    assert _count(_delegates(options=defaults)) == _count(_delegates())
    assert _count(_secretary(options=defaults)) == _count(_secretary())


def test_the_text_output_lists_the_alternates_in_order(tmp_path: Any) -> None:
    """``lienthong tally FILE`` (text) names the alternates of a delegates round, in
    replacement order."""
    import json
    import subprocess
    import sys

    path = tmp_path / "delegates.json"
    path.write_text(json.dumps(_delegates(), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "lienthong", "tally", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "alternates, in order: Vũ Thị Giang, Hoàng Văn Em" in done.stdout
