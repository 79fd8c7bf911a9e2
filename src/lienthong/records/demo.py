"""Demo party-member records (``lienthong load_demo_records``, in ``make demo``): three
party cells under the demo commune (Đảng ủy phường Hoàn Kiếm) and their members, opened
through ``services.member_create`` by the demo organisation department
(``bantochuc.hanoi``), so its pages have something to show. Names and numbers are made
up; the card and file numbers start at 99 so they never collide with real ones."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from lienthong.audit.actors import SystemActor
from lienthong.core.errors import InvalidInput
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.demo import HOAN_KIEM
from lienthong.org.models import Unit, User
from lienthong.org.services import unit_create
from lienthong.records.choices import Gender, TheoryLevel
from lienthong.records.models import Member
from lienthong.records.services import member_create

__all__ = ["DemoRecordsReport", "demo_records_load"]

KEEPER = "bantochuc.hanoi"
CELLS = ("Chi bộ khu phố 1", "Chi bộ khu phố 2", "Chi bộ Cơ quan phường")
MEMBERS_PER_CELL = 20
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN_MALE = ("Văn An", "Đức Bình", "Minh Cường", "Quang Dũng", "Văn Hải", "Xuân Hùng")
GIVEN_FEMALE = ("Thị Hà", "Thị Hương", "Ngọc Lan", "Thu Mai", "Thanh Nga", "Thị Yến")


@dataclass
class DemoRecordsReport:
    cells: int = 0
    members: int = 0
    skipped: bool = False


def demo_records_load(*, seed: int = 9) -> DemoRecordsReport:
    """Load the demo cells and members; idempotent.

    Raises:
        InvalidInput: the demo units or accounts are not loaded.
    """
    report = DemoRecordsReport()
    commune = Unit.objects.filter(source_key=HOAN_KIEM).first()
    keeper = User.objects.filter(username=KEEPER).first()
    if commune is None or keeper is None:
        raise InvalidInput("Run “lienthong load_units” and “lienthong load_demo” first.")
    if Member.objects.filter(unit__parent=commune, card_number__startswith="99").exists():
        report.skipped = True
        return report
    rng = random.Random(seed)
    actor = SystemActor("load_demo_records")
    number = 0
    with transaction.atomic():
        for name in CELLS:
            cell = Unit.objects.filter(parent=commune, name=name).first() or unit_create(
                actor=actor,
                name=name,
                parent=commune,
                kind=UnitKind.CELL,
                level=UnitLevel.GRASSROOTS,
            )
            report.cells += 1
            for _ in range(MEMBERS_PER_CELL):
                number += 1
                female = rng.random() < 0.45
                given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
                born = dt.date(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
                year = min(born.year + rng.randint(19, 30), 2024)
                admitted = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                official = admitted.replace(year=admitted.year + 1)
                member_create(
                    actor=keeper,
                    unit=cell,
                    full_name=f"{rng.choice(FAMILY)} {given}",
                    gender=Gender.FEMALE if female else Gender.MALE,
                    born_on=born,
                    admitted_on=admitted,
                    official_on=official if number % 15 else None,
                    home_town=rng.choice(("Hà Nội", "Nam Định", "Thái Bình", "Nghệ An")),
                    theory=rng.choice(
                        (TheoryLevel.NONE, TheoryLevel.ELEMENTARY, TheoryLevel.INTERMEDIATE)
                    ),
                    card_number=f"99{number:06d}",
                    file_number=f"99{number:04d}HN",
                )
                report.members += 1
    return report
