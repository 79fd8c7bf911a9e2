"""Demo congress for the demo counting board (``lienthong load_demo_elections``), after
``load_demo``: Thành ủy Hà Nội's congress of delegates with two elections, their
candidates and board, and round 1 of the committee election open for entry. DEMO ONLY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from lienthong.core.errors import InvalidInput
from lienthong.elections import services
from lienthong.elections.choices import Body, ElectionKind
from lienthong.elections.models import Congress
from lienthong.org.demo import HANOI
from lienthong.org.models import Unit, User

__all__ = ["DemoElections", "demo_elections_load"]

CONGRESS = "Đại hội đại biểu Đảng bộ thành phố Hà Nội lần thứ XVIII"
#: Seven for five seats (surplus 40 %: the set-up page warns, as it should), with dates
#: of birth so that the ballot order's last key is shown.
COMMITTEE = [
    ("Nguyễn Văn Hùng", dt.date(1968, 3, 12)),
    ("Trần Thị Hằng", dt.date(1972, 7, 2)),
    ("Lê Văn Dũng", dt.date(1970, 1, 25)),
    ("Phạm Thị Duyên", dt.date(1975, 11, 9)),
    ("Đỗ Minh Đức", dt.date(1969, 5, 30)),
    ("Hoàng Thị Giang", dt.date(1977, 9, 14)),
    ("Vũ Văn Hương", dt.date(1971, 4, 18)),
]


@dataclass
class DemoElections:
    congress: int = 0
    elections: int = 0
    candidates: int = 0
    skipped: bool = False


def demo_elections_load() -> DemoElections:
    """Load the demo congress once (a second run changes nothing). The board's chair
    acts: every step is his, audited as such.

    Raises:
        InvalidInput: ``load_demo`` has not been run (no Hà Nội unit or board account).
    """
    unit = Unit.objects.filter(source_key=HANOI).first()
    chair = User.objects.filter(username="kiemphieu.hanoi").first()
    if unit is None or chair is None:
        raise InvalidInput("Run load_units and load_demo first.")
    if Congress.objects.filter(unit=unit, name=CONGRESS).exists():
        return DemoElections(skipped=True)
    report = DemoElections()
    with transaction.atomic():
        congress = services.congress_create(
            actor=chair,
            unit=unit,
            name=CONGRESS,
            body=Body.DELEGATES,
            held_on=dt.date.today(),
            place="Cung Văn hóa Hữu nghị Việt Xô, Hà Nội",
        )
        report.congress = congress.pk
        committee = services.election_create(
            actor=chair,
            congress=congress,
            kind=ElectionKind.COMMITTEE,
            seats=5,
            convened=40,
            present=39,
            deductions=[{"reason": "ốm, không dự cả đại hội", "count": 1}],
        )
        for name, born in COMMITTEE:
            services.candidate_add(actor=chair, election=committee, full_name=name, born=born)
        board = [
            {"name": chair.full_name, "role": "chair", "username": chair.username},
            {"name": "Lê Thị Hạnh", "role": "member", "username": ""},
            {"name": "Ngô Văn Thành", "role": "member", "username": ""},
        ]
        services.board_set(actor=chair, election=committee, members=board)
        services.round_open(actor=chair, election=committee)
        secretary = services.election_create(
            actor=chair,
            congress=congress,
            kind=ElectionKind.SECRETARY,
            seats=1,
            convened=5,
            present=5,
            body=Body.COMMITTEE,
        )
        services.candidate_add(actor=chair, election=secretary, full_name="Nguyễn Văn Hùng")
        services.board_set(actor=chair, election=secretary, members=board)
        report.elections = 2
        report.candidates = len(COMMITTEE) + 1
    return report
