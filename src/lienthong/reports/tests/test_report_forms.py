"""Periodic reports (issue #8 acceptance): a form filled by 3 communes rolls up to their
province and the country with the right sums; a late commune is listed and gets a
reminder; a submitted report cannot be edited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput, NotFound, PermissionDenied
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.reports import services
from lienthong.reports.choices import SubmissionState
from lienthong.reports.models import ReportField, ReportForm

Q1 = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def tree(db: None) -> Any:
    """GIVEN the centre, a province with 3 communes (each with an IT officer), another
    province with 1 commune, and a quarterly form of the steering committee."""
    from lienthong.org.tests.factories import UnitFactory, UserFactory, member

    centre = UnitFactory(name="Trung ương", kind=UnitKind.CENTRAL, level=UnitLevel.CENTRAL)
    province = UnitFactory(
        name="Tỉnh ủy A", parent=centre, kind=UnitKind.COMMITTEE, level=UnitLevel.PROVINCE
    )
    other = UnitFactory(
        name="Tỉnh ủy B", parent=centre, kind=UnitKind.COMMITTEE, level=UnitLevel.PROVINCE
    )
    communes, officers = [], []
    for number, parent in enumerate([province, province, province, other]):
        commune = UnitFactory(
            name=f"Xã {number}",
            parent=parent,
            kind=UnitKind.COMMUNE_COMMITTEE,
            level=UnitLevel.COMMUNE,
        )
        communes.append(commune)
        officers.append(
            member(
                UserFactory(username=f"cntt{number}", email=f"cntt{number}@xa.vn"),
                commune,
                RoleCode.IT_OFFICER,
            )
        )
    steering = member(UserFactory(username="bcd"), centre, RoleCode.STEERING)
    leader = member(UserFactory(username="lanhdao.a"), province, RoleCode.LEADER)
    form = ReportForm.objects.create(
        unit=centre,
        title="Báo cáo ứng dụng CNTT quý",
        period="quarter",
        deadline_days=10,
        filler_kind=UnitKind.COMMUNE_COMMITTEE,
    )
    for order, (code, kind, rollup, of) in enumerate(
        [
            ("may-tram", "integer", "sum", ""),
            ("van-ban-di", "integer", "sum", ""),
            ("van-ban-ky-so", "integer", "share", "van-ban-di"),
            ("bang-thong", "decimal", "average", ""),
            ("ghi-chu", "text", "none", ""),
        ]
    ):
        ReportField.objects.create(
            form=form,
            code=code,
            label=code,
            type=kind,
            rollup=rollup,
            of_field=of,
            order=order,
            required=kind != "text",
            minimum=Decimal(0) if kind != "text" else None,
        )
    return {
        "centre": centre,
        "province": province,
        "other": other,
        "communes": communes,
        "officers": officers,
        "steering": steering,
        "leader": leader,
        "form": form,
    }


def _fill(tree: Any, index: int, values: dict[str, Any]) -> Any:
    return services.submission_save(
        actor=tree["officers"][index],
        form=tree["form"],
        unit=tree["communes"][index],
        period_start=Q1,
        values=values,
    )


def test_three_communes_roll_up_to_their_province_and_the_country(tree: Any) -> None:
    figures = [(10, 40, 30, "20"), (5, 10, 10, "10"), (7, 50, 20, "30")]
    for index, (pcs, out, signed, mbps) in enumerate(figures):
        draft = _fill(
            tree,
            index,
            {"may-tram": pcs, "van-ban-di": out, "van-ban-ky-so": signed, "bang-thong": mbps},
        )
        services.submission_submit(actor=tree["officers"][index], submission=draft)
    province = services.rollup(
        user=tree["steering"], form=tree["form"], unit=tree["province"], period_start=Q1
    )
    assert province.values["may-tram"] == 22
    assert province.values["van-ban-di"] == 100
    assert province.values["van-ban-ky-so"] == Decimal("0.6")
    assert province.values["bang-thong"] == 20
    assert "ghi-chu" not in province.values
    assert (province.reported, province.expected) == (3, 3)
    country = services.rollup(
        user=tree["steering"], form=tree["form"], unit=tree["centre"], period_start=Q1
    )
    assert country.values["may-tram"] == 22 and (country.reported, country.expected) == (3, 4)
    # A draft does not count until it is submitted.
    _fill(tree, 3, {"may-tram": 100, "van-ban-di": 1, "van-ban-ky-so": 1, "bang-thong": 1})
    again = services.rollup(
        user=tree["steering"], form=tree["form"], unit=tree["centre"], period_start=Q1
    )
    assert again.values["may-tram"] == 22


def test_a_submitted_report_cannot_be_edited_and_the_leader_approves(tree: Any) -> None:
    draft = _fill(tree, 0, {"may-tram": 1, "van-ban-di": 1, "van-ban-ky-so": 0, "bang-thong": 5})
    draft = _fill(tree, 0, {"may-tram": 2, "van-ban-di": 1, "van-ban-ky-so": 0, "bang-thong": 5})
    assert draft.values["may-tram"] == 2  # a draft can change
    submitted = services.submission_submit(actor=tree["officers"][0], submission=draft)
    assert submitted.state == SubmissionState.SUBMITTED
    with pytest.raises(InvalidInput, match="can no longer be changed"):
        _fill(tree, 0, {"may-tram": 3, "van-ban-di": 1, "van-ban-ky-so": 0, "bang-thong": 5})
    with pytest.raises(InvalidInput, match="can no longer be changed"):
        services.submission_submit(actor=tree["officers"][0], submission=submitted)
    with pytest.raises(PermissionDenied):
        services.submission_approve(actor=tree["officers"][0], submission=submitted)
    approved = services.submission_approve(actor=tree["leader"], submission=submitted)
    assert approved.state == SubmissionState.APPROVED and approved.approved_by == tree["leader"]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"report.save", "report.submit", "report.approve"} <= verbs


def test_values_are_checked_field_by_field_and_nothing_is_kept(tree: Any) -> None:
    with pytest.raises(InvalidInput) as bad:
        _fill(tree, 0, {"may-tram": "1.5", "van-ban-di": -1, "van-ban-ky-so": "abc"})
    assert bad.value.extra["fields"] == {
        "may-tram": "A whole number.",
        "van-ban-di": "At least 0.00.",
        "van-ban-ky-so": "Not a number.",
        "bang-thong": "Required.",
    }
    with pytest.raises(NotFound):  # another commune's officer
        services.submission_save(
            actor=tree["officers"][1],
            form=tree["form"],
            unit=tree["communes"][0],
            period_start=Q1,
            values={},
        )
    with pytest.raises(InvalidInput, match="does not start"):
        services.submission_save(
            actor=tree["officers"][0],
            form=tree["form"],
            unit=tree["communes"][0],
            period_start=dt.date(2026, 2, 1),
            values={},
        )


def test_a_late_commune_is_listed_and_reminded(tree: Any, mailoutbox: Any) -> None:
    for index in range(3):
        draft = _fill(
            tree, index, {"may-tram": 1, "van-ban-di": 1, "van-ban-ky-so": 1, "bang-thong": 1}
        )
        services.submission_submit(actor=tree["officers"][index], submission=draft)
    form = tree["form"]
    # Due 10 days after 31 March: nobody is late on 10 April.
    assert not services.late_units(form=form, period_start=Q1, today=dt.date(2026, 4, 10))
    late = services.late_units(form=form, period_start=Q1, today=dt.date(2026, 4, 11))
    assert list(late) == [tree["communes"][3]]
    reminded = services.reports_remind(
        actor=tree["steering"], form=form, period_start=Q1, today=dt.date(2026, 4, 11)
    )
    assert reminded == [tree["communes"][3]]
    assert [m.to for m in mailoutbox] == [["cntt3@xa.vn"]]
    assert "Báo cáo ứng dụng CNTT quý" in mailoutbox[0].subject
    assert AuditEvent.objects.filter(verb="report.remind").count() == 1


def test_period_bounds() -> None:
    assert services.period_bounds("quarter", dt.date(2026, 5, 9)) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert services.period_bounds("month", dt.date(2026, 12, 31)) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 31),
    )
    assert services.period_bounds("year", dt.date(2026, 5, 9)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )


def test_the_daily_command_reminds_the_last_finished_period(
    tree: Any, mailoutbox: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    call_command("reports_remind", "--today", "2026-04-20")
    out = capsys.readouterr().out
    assert "4 late unit(s) reminded." in out  # nobody reported the first quarter
    assert len(mailoutbox) == 4
    call_command("reports_remind", "--today", "2026-04-05")  # Q1 not yet past its deadline
    assert "0 late unit(s) reminded." in capsys.readouterr().out
