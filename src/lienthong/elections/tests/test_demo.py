"""The demo congress (``lienthong load_demo_elections``, run by ``make demo``)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from lienthong.audit.actors import SystemActor
from lienthong.elections import services
from lienthong.elections.models import Congress, Round
from lienthong.org.demo import demo_load
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_the_demo_congress_is_ready_for_entry_and_loads_once(real_units: Any) -> None:  # noqa: F811
    """GIVEN the demo accounts
    WHEN load_demo_elections runs twice
    THEN Hà Nội's congress has two elections, round 1 of the committee election is open
    with its seven names in ballot order, the set-up warns of the surplus, and the second
    run changes nothing."""
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")
    out = StringIO()
    call_command("load_demo_elections", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["elections"] == 2 and not report["skipped"]
    congress = Congress.objects.get()
    committee = congress.elections.get(kind="committee")
    round_ = Round.objects.get(election=committee)
    # By given name, d before đ: Dũng, Duyên, Đức, Giang, Hằng, Hùng, Hương.
    assert round_.names == [
        "Lê Văn Dũng",
        "Phạm Thị Duyên",
        "Đỗ Minh Đức",
        "Hoàng Thị Giang",
        "Trần Thị Hằng",
        "Nguyễn Văn Hùng",
        "Vũ Văn Hương",
    ]
    # Seven for five seats: at most one more for 3-5 seats (vote-rules.md §A5).
    assert [i.code for i in services.setup_issues(committee)] == ["surplus_too_large"]
    out = StringIO()
    call_command("load_demo_elections", "--json", stdout=out)
    assert json.loads(out.getvalue())["skipped"] is True
    assert Congress.objects.count() == 1 and Round.objects.count() == 1
