"""The programme's KPIs on hand-built trees (issue #8 acceptance): 3 provinces with
10/10, 4/10 and 0/5 communes connected give 14/25 = 56 % and one province at 100 %, the
same numbers in the XLSX; every figure drills down to its rows; a reader counts only
their scope.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import translation

from lienthong.infra.choices import AssetStatus, LinkMedium
from lienthong.infra.models import Asset, Link
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.reports.exports import kpis_xlsx
from lienthong.reports.kpis import KPIS, kpis_compute

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def country(db: None) -> Any:
    """GIVEN the centre and three provinces of 10, 10 and 5 commune committees, of which
    10, 4 and 0 have a dedicated-network link (two of the last have only the Internet,
    one got its link after the period)."""
    from lienthong.org.tests.factories import UnitFactory, UserFactory, member

    centre = UnitFactory(name="Trung ương", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL)
    provinces = []
    for name, size, connected in (("Tỉnh A", 10, 10), ("Tỉnh B", 10, 4), ("Tỉnh C", 5, 0)):
        province = UnitFactory(
            name=name, parent=centre, kind=UnitKind.COMMITTEE, level=UnitLevel.PROVINCE
        )
        provinces.append(province)
        for number in range(size):
            commune = UnitFactory(
                name=f"Xã {name[-1]}{number}",
                parent=province,
                kind=UnitKind.COMMUNE_COMMITTEE,
                level=UnitLevel.COMMUNE,
            )
            if number < connected:
                Link.objects.create(unit=commune, medium=LinkMedium.DEDICATED, since=START)
            elif name == "Tỉnh C" and number < 2:
                Link.objects.create(unit=commune, medium=LinkMedium.INTERNET)
            elif name == "Tỉnh C" and number == 2:
                Link.objects.create(
                    unit=commune, medium=LinkMedium.DEDICATED, since=dt.date(2026, 9, 1)
                )
    steering = member(UserFactory(username="bcd"), centre, RoleCode.STEERING)
    it_b = member(UserFactory(username="cntt.b"), provinces[1], RoleCode.IT_OFFICER)
    return {"centre": centre, "provinces": provinces, "steering": steering, "it_b": it_b}


def test_communes_connected_and_provinces_at_100(country: Any) -> None:
    figures = {
        f.key: f
        for f in kpis_compute(
            user=country["steering"],
            unit=country["centre"],
            start=START,
            end=END,
            keys=["communes_connected", "provinces_fully_connected", "units_per_medium"],
        )
    }
    connected = figures["communes_connected"]
    assert (connected.numerator, connected.denominator) == (14, 25)
    assert connected.value == pytest.approx(0.56)
    assert connected.parts == [("Tỉnh A", 10, 10), ("Tỉnh B", 4, 10), ("Tỉnh C", 0, 5)]
    assert connected.rows is not None
    missing = list(connected.rows())
    assert len(missing) == 11 and all(u.name[-2] in "BC" for u in missing)
    full = figures["provinces_fully_connected"]
    assert (full.numerator, full.denominator) == (1, 3)
    assert full.rows is not None
    assert sorted(p.name for p in full.rows()) == ["Tỉnh B", "Tỉnh C"]
    media = dict((name, count) for name, count, _total in figures["units_per_medium"].parts)
    assert media["Internet"] == 2
    assert figures["units_per_medium"].numerator == 16  # 14 dedicated + 2 Internet

    # The same numbers in the XLSX.
    from openpyxl import load_workbook

    data = kpis_xlsx(figures=list(figures.values()), unit=country["centre"], start=START, end=END)
    book = load_workbook(io.BytesIO(data))
    rows = {r[1]: r for r in book["chi-so"].iter_rows(min_row=3, values_only=True)}
    assert rows["communes_connected"][2:] == (0.56, 14, 25)
    assert rows["provinces_fully_connected"][2:] == (0.3333, 1, 3)
    parts = [r for r in book["chi-tiet"].iter_rows(min_row=2, values_only=True)]
    assert ("communes_connected", "Tỉnh B", 4, 10) in parts


def test_a_province_reader_counts_only_their_province(country: Any) -> None:
    province_b = country["provinces"][1]
    figure = KPIS["communes_connected"](
        user=country["it_b"], unit=country["centre"], start=START, end=END
    )
    assert (figure.numerator, figure.denominator) == (4, 10)
    own = KPIS["communes_connected"](user=country["it_b"], unit=province_b, start=START, end=END)
    assert own.value == pytest.approx(0.4)


def test_worn_out_equipment_and_document_rates(country: Any) -> None:
    province = country["provinces"][0]
    Asset.objects.create(unit=province, kind="workstation", year_acquired=2015, quantity=3)
    Asset.objects.create(unit=province, kind="workstation", year_acquired=2025, quantity=6)
    Asset.objects.create(
        unit=province, kind="printer", year_acquired=2025, status=AssetStatus.BROKEN
    )
    figures = {
        f.key: f
        for f in kpis_compute(
            user=country["steering"], unit=country["centre"], start=START, end=END
        )
    }
    worn = figures["assets_worn_out"]
    assert (worn.numerator, worn.denominator) == (4, 10)
    assert worn.rows is not None and worn.rows().count() == 1
    outgoing = figures["outgoing_signed"]
    assert (outgoing.numerator, outgoing.denominator, outgoing.value) == (0, 0, None)
    assert all(f.__doc__ for f in KPIS.values())  # every KPI says what it counts


def test_training_participants_and_it_staff(country: Any) -> None:
    from lienthong.infra.models import ItStaff, TrainingClass, TrainingParticipant

    province_a, province_b, _c = country["provinces"]
    course = TrainingClass.objects.create(
        unit=province_a, topic="An toàn thông tin", starts_on=START, ends_on=dt.date(2026, 3, 5)
    )
    for number in range(5):
        TrainingParticipant.objects.create(
            training=course, unit=province_a, full_name=f"Học viên {number}", completed=number < 4
        )
    TrainingClass.objects.create(  # ends after the period: not counted
        unit=province_a, topic="Chữ ký số", starts_on=END, ends_on=dt.date(2026, 7, 2)
    )
    ItStaff.objects.create(
        unit=province_a, full_name="A", dedicated=True, qualification="university"
    )
    ItStaff.objects.create(unit=province_b, full_name="B", dedicated=False)
    figures = {
        f.key: f
        for f in kpis_compute(
            user=country["steering"],
            unit=country["centre"],
            start=START,
            end=END,
            keys=["training_participants", "it_staff"],
        )
    }
    trained = figures["training_participants"]
    assert trained.numerator == 4 and trained.parts[0][1] == 1
    staff = figures["it_staff"]
    assert staff.numerator == 2
    assert [count for _n, count, _t in staff.parts] == [1, 1]
    assert staff.rows is not None and staff.rows().count() == 25 + 2  # centre, C, communes


def test_incoming_handled_on_time(country: Any) -> None:
    """Deadlines in the period: one handled the day before, one handled two days late,
    one still open; a deadline after the period and one of today do not count."""
    from django.utils import timezone

    from lienthong.documents.choices import Direction, DocumentState, EventKind
    from lienthong.documents.models import Document, DocumentEvent
    from lienthong.documents.tests.register_helpers import doc_type

    commune = country["provinces"][0].children.first()
    today = timezone.localdate()

    def arrived(number: int, due: dt.date, *, done_on: dt.date | None = None) -> Document:
        document = Document.objects.create(
            unit=commune,
            direction=Direction.INCOMING,
            state=DocumentState.DONE if done_on else DocumentState.REGISTERED,
            document_type=doc_type("party", "Công văn"),
            subject=f"Văn bản đến {number}",
            issuer_name="Tỉnh ủy",
            arrival_number=number,
            arrival_year=START.year,
            arrival_date=timezone.make_aware(dt.datetime(START.year, 1, 2, 9)),
            due_date=due,
            created_by=country["steering"],
        )
        if done_on is not None:  # as the handling service records it
            DocumentEvent.objects.create(
                document=document,
                kind=EventKind.DONE,
                actor=country["steering"],
                created_at=timezone.make_aware(dt.datetime.combine(done_on, dt.time(16))),
            )
            Document.objects.filter(pk=document.pk).update(done_on=done_on)
        return document

    arrived(1, dt.date(2026, 3, 10), done_on=dt.date(2026, 3, 9))
    late = arrived(2, dt.date(2026, 3, 10), done_on=dt.date(2026, 3, 12))
    still_open = arrived(3, dt.date(2026, 4, 1))
    arrived(4, dt.date(2026, 8, 1))  # after the period
    arrived(5, today)  # not missed yet
    (figure,) = kpis_compute(
        user=country["steering"],
        unit=country["centre"],
        start=START,
        end=END,
        keys=["incoming_on_time"],
    )
    assert (figure.numerator, figure.denominator) == (1, 3)
    assert figure.parts[1][1] == 1  # handled late
    # The steering committee counts the documents but may not read them: its
    # drill-down is empty; the province's clerk reads which ones missed.
    assert figure.rows is not None and not figure.rows().exists()
    from lienthong.org.tests.factories import UserFactory, member

    clerk = member(UserFactory(username="vt.a"), country["provinces"][0], RoleCode.CLERK)
    (theirs,) = kpis_compute(
        user=clerk,
        unit=country["provinces"][0],
        start=START,
        end=END,
        keys=["incoming_on_time"],
    )
    assert (theirs.numerator, theirs.denominator) == (1, 3)
    assert theirs.rows is not None
    missed = list(theirs.rows())
    assert late in missed and still_open in missed and len(missed) == 2
    # Another province's IT officer sees none of it.
    (theirs,) = kpis_compute(
        user=country["it_b"],
        unit=country["centre"],
        start=START,
        end=END,
        keys=["incoming_on_time"],
    )
    assert theirs.denominator == 0
    (current,) = kpis_compute(
        user=country["steering"],
        unit=country["centre"],
        start=today - dt.timedelta(days=3),
        end=today,
        keys=["incoming_on_time"],
    )
    assert current.denominator == 0  # today's deadline is not missed yet


def test_units_reachable_now(country: Any) -> None:
    from django.utils import timezone

    from lienthong.infra.models import Probe

    communes = list(country["provinces"][1].children.order_by("pk")[:3])
    now = timezone.now()
    for number, commune in enumerate(communes):
        Probe.objects.create(
            unit=commune,
            name="Máy chủ",
            kind="tcp",
            host="127.0.0.1",
            port=9,
            last_checked_at=now,
            last_ok=number != 0,
            down_since=now if number == 0 else None,
            alerted_at=now if number == 0 else None,
        )
    Probe.objects.create(  # a second probe of the same unit, up: the unit is still down
        unit=communes[0],
        name="Cổng",
        kind="tcp",
        host="127.0.0.1",
        port=9,
        last_ok=True,
        last_checked_at=now,
    )
    (figure,) = kpis_compute(
        user=country["steering"],
        unit=country["centre"],
        start=START,
        end=END,
        keys=["units_reachable"],
    )
    assert (figure.numerator, figure.denominator) == (2, 3)
    assert [count for _n, count, _t in figure.parts] == [1, 1, 0]
    assert figure.rows is not None and list(figure.rows()) == [communes[0]]
    (theirs,) = kpis_compute(
        user=country["it_b"],
        unit=country["provinces"][1],
        start=START,
        end=END,
        keys=["units_reachable"],
    )
    assert theirs.denominator == 3
