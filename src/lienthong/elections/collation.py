"""The order of candidates on a ballot (vote-rules.md §A1 "Alphabetical order").

The Party prints names in ABC order (vần ABC). The tie-breaks follow the state rule,
adopted by default because no Party text was found ([INFERRED]): by **given name**
(tên), then **family name** (họ), then **middle name** (tên đệm), then the earlier date
of birth. Letters compare in the Vietnamese alphabet (a ă â b c d đ e ê … u ư v x y),
tones only break ties (``lienthong.core.text.collation_key``), never code points:
Dũng < Duyên < Đức < Giang; Hằng < Hùng < Hương; Lê Thị An < Nguyễn Văn An;
Nguyễn Thị An < Nguyễn Văn An.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from lienthong.core.text import collation_key

__all__ = ["NameParts", "ballot_key", "ballot_order", "name_parts"]


@dataclass(frozen=True)
class NameParts:
    """A Vietnamese full name: họ (family) + tên đệm (middle, may be empty) + tên (given)."""

    family: str
    middle: str
    given: str


def name_parts(full_name: str) -> NameParts:
    """Split "Nguyễn Thị Minh Khai" into family "Nguyễn", middle "Thị Minh", given "Khai".

    One word is a given name alone; two are family and given.
    """
    words = full_name.split()
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts("", "", words[0])
    return NameParts(words[0], " ".join(words[1:-1]), words[-1])


def ballot_key(full_name: str, born: dt.date | None = None) -> tuple[str, str, str, str, str]:
    """The sort key of a candidate on the ballot: tên, họ, tên đệm, date of birth.

    The full name's own key comes last, so that two different spellings never compare
    equal (the order is total).
    """
    parts = name_parts(full_name)
    return (
        collation_key(parts.given),
        collation_key(parts.family),
        collation_key(parts.middle),
        born.isoformat() if born is not None else "",
        collation_key(full_name) + "\x00" + full_name,
    )


def ballot_order(names: Iterable[str], born: dict[str, dt.date] | None = None) -> list[str]:
    """``names`` in ballot order (``ballot_key``); ``born`` breaks ties of equal names."""
    births = born or {}
    return sorted(names, key=lambda name: ballot_key(name, births.get(name)))
