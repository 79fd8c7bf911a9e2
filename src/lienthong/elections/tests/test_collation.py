"""Ballot order by Vietnamese collation (issue #6 acceptance "Collation")."""

from __future__ import annotations

import datetime as dt

import pytest

from lienthong.elections.collation import ballot_order, name_parts


@pytest.mark.parametrize(
    "expected",
    [
        ["Dũng", "Duyên", "Đức", "Giang"],
        ["Hằng", "Hùng", "Hương"],
        ["Thắng", "Toàn", "Tuấn"],
        ["Lê Thị An", "Nguyễn Văn An"],
        ["Nguyễn Thị An", "Nguyễn Văn An"],
        # Given name first, then family, then middle name: not the full name's order.
        ["Trần Văn An", "Lê Thị Bình", "Nguyễn Văn Bình", "Phạm Đức Cường"],
    ],
)
def test_names_sort_in_ballot_order(expected: list[str]) -> None:
    """GIVEN names shuffled THEN they sort as the reference says, whatever the input order
    (not by code point: a naive sort gives Duyên, Dũng, Giang, Đức)."""
    for names in (list(reversed(expected)), sorted(expected), expected[1:] + expected[:1]):
        assert ballot_order(names) == expected
    assert sorted(["Dũng", "Duyên", "Đức", "Giang"]) != ["Dũng", "Duyên", "Đức", "Giang"]


def test_the_same_name_goes_by_the_earlier_date_of_birth() -> None:
    born = {"Nguyễn Văn An": dt.date(1975, 1, 2)}
    names = ["Nguyễn Văn An", "Nguyễn Văn An "]
    born["Nguyễn Văn An "] = dt.date(1970, 5, 6)
    assert ballot_order(names, born) == ["Nguyễn Văn An ", "Nguyễn Văn An"]


def test_a_full_name_splits_into_family_middle_and_given() -> None:
    parts = name_parts("Nguyễn Thị Minh Khai")
    assert (parts.family, parts.middle, parts.given) == ("Nguyễn", "Thị Minh", "Khai")
    assert name_parts("Khai").given == "Khai" and name_parts("Lê Khai").middle == ""
