"""Benchmark: the member list of a province with 200,000 members (issue #9 acceptance:
"filters and pages in <= 200 ms p95").

The data: the whole country from ``lienthong load_units``; in one province (the first),
ten party cells under each commune committee and 200,000 member records spread over
them (names from common Vietnamese family, middle and given names, admission years from
1975, a few transferred out or deceased), written in bulk. The reader: a member of the
province's organisation department (the department's grant reaches the province).

Measured through Django's test client (session, middleware, permission engine, template,
the audit event of each page): the list page of the province with no filter (the first
page, and page 2,000 of 4,000 reached by "next", which carries the id of the row to
follow), a name typed without diacritics, a state, a year of admission, and two filters
together; 20 requests each after a warm-up, p50 and p95 per scenario and over all of
them. Page 2,000 asked by its number alone (read by offset; no link of the list does
that) is measured too, and reported apart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import statistics
import time
from typing import Any

MEMBERS = 200_000
CELLS_PER_COMMUNE = 10
REQUESTS = 20
FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Hương",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _data() -> tuple[Any, Any]:
    """The province and its organisation department's member."""
    from django.core.management import call_command

    from lienthong.audit.actors import SystemActor
    from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
    from lienthong.org.models import Role, Unit, User
    from lienthong.org.services import membership_create, unit_create
    from lienthong.records.choices import Gender, MemberState
    from lienthong.records.models import Member

    with contextlib.redirect_stderr(io.StringIO()):  # its progress bar
        call_command("load_units", stdout=io.StringIO(), stderr=io.StringIO())
    actor = SystemActor("bench")
    province = (
        Unit.objects.filter(level=UnitLevel.PROVINCE, kind=UnitKind.COMMITTEE)
        .order_by("pk")
        .first()
    )
    assert province is not None
    department = (
        Unit.objects.filter(parent=province, kind=UnitKind.DEPARTMENT).order_by("pk").first()
    )
    assert department is not None
    communes = list(
        Unit.objects.filter(path__startswith=province.path, kind=UnitKind.COMMUNE_COMMITTEE)
    )
    cells = []
    for commune in communes:
        for number in range(1, CELLS_PER_COMMUNE + 1):
            cells.append(
                unit_create(
                    actor=actor,
                    name=f"Chi bộ số {number}",
                    parent=commune,
                    kind=UnitKind.CELL,
                    level=UnitLevel.GRASSROOTS,
                )
            )
    from lienthong.core.text import fold

    batch: list[Member] = []
    for n in range(MEMBERS):
        name = f"{FAMILY[n % 16]} {MIDDLE[n // 16 % 10]} {GIVEN[n // 160 % 28]}"
        admitted = dt.date(1975 + n % 50, 1 + n % 12, 1 + n % 28)
        state = MemberState.ACTIVE
        if n % 40 == 0:
            state = MemberState.TRANSFERRED_OUT
        elif n % 97 == 0:
            state = MemberState.DIED
        batch.append(
            Member(
                unit=cells[n % len(cells)],
                full_name=name,
                full_name_folded=fold(name),
                gender=Gender.FEMALE if "Thị" in name else Gender.MALE,
                born_on=admitted.replace(year=admitted.year - 25),
                admitted_on=admitted,
                official_on=admitted.replace(year=admitted.year + 1),
                card_number=f"{n + 10_000_000:08d}",
                file_number=f"{n % 1_000_000:06d}HN",
                state=state,
                transferred_out_on=admitted.replace(year=admitted.year + 2)
                if state == MemberState.TRANSFERRED_OUT
                else None,
                died_on=admitted.replace(year=admitted.year + 3)
                if state == MemberState.DIED
                else None,
            )
        )
        if len(batch) == 10_000:
            Member.objects.bulk_create(batch, batch_size=2000)
            batch = []
    Member.objects.bulk_create(batch, batch_size=2000)
    user = User.objects.create_user(username="bench.tc", password=None, full_name="Ban Tổ chức")
    membership_create(
        actor=actor,
        user=user,
        unit=department,
        role=Role.objects.get(code=RoleCode.ORGANISATION),
        is_primary=True,
    )
    return province, user


def run() -> dict[str, dict[str, Any]]:
    """Build the province's members, then time the list page's scenarios."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import get_resolver, reverse

    from lienthong.records.models import Member

    assert get_resolver().url_patterns  # import every view before the data is built
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    began = time.perf_counter()
    province, user = _data()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = time.perf_counter() - began
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    url = reverse("records-members")
    base = {"don-vi": str(province.pk)}
    # "Next" on page 1,999: the id of its last row (the list's order is name, id).
    cursor = Member.objects.order_by("full_name_folded", "pk").values_list("pk", flat=True)[
        1999 * 50 - 1
    ]
    scenarios = {
        "first_page": base,
        "next_to_page_2000": {**base, "trang": "2000", "sau": str(cursor)},
        "name_without_diacritics": {**base, "q": "nguyen thi huong"},
        "state_transferred_out": {**base, "tinh-trang": "transferred_out"},
        "admitted_in_2001": {**base, "nam-vao-dang": "2001"},
        "name_and_year": {**base, "q": "tran van", "nam-vao-dang": "1990"},
    }
    results: dict[str, dict[str, Any]] = {
        "data_members": {"value": Member.objects.count(), "unit": "records"},
        "data_built": {"value": round(built), "unit": "s"},
    }
    # Not a page the list links to (its links carry the row to follow): page 2,000 asked
    # by its number alone, read by offset. Reported, not counted in "all".
    typed = {"page_2000_by_number_only": {**base, "trang": "2000"}}
    every: list[float] = []
    for name, params in {**scenarios, **typed}.items():
        response = client.get(url, params)  # warm-up
        assert response.status_code == 200, (name, response.status_code)
        samples = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        if name in scenarios:
            every.extend(samples)
        results[f"{name}_p50"] = {"value": round(statistics.median(samples), 1), "unit": "ms"}
        results[f"{name}_p95"] = {"value": round(_p95(samples), 1), "unit": "ms"}
    results["all_p95"] = {
        "value": round(_p95(every), 1),
        "unit": f"ms, {len(every)} requests",
    }
    results["target_met"] = {"value": str(_p95(every) <= 200), "unit": "p95 <= 200 ms"}
    return results
