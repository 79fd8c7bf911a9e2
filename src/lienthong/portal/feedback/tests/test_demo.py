"""The demo feedback (``lienthong load_demo_feedback``, in ``make demo``)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from lienthong.audit.actors import SystemActor
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.demo import demo_load
from lienthong.org.models import User
from lienthong.org.services import unit_create
from lienthong.org.tests.test_demo import real_units  # noqa: F401 - a fixture
from lienthong.portal.feedback.demo import DEMO_FEEDBACK, OFFICE_KEY
from lienthong.portal.feedback.models import Feedback
from lienthong.portal.feedback.selectors import feedback_list, feedback_published

pytestmark = pytest.mark.django_db


def test_demo_feedback_loads_once_routed_to_the_office(real_units: Any) -> None:  # noqa: F811
    """GIVEN the real units with the Văn phòng Thành ủy Hà Nội and the demo accounts
    WHEN load_demo_feedback runs twice
    THEN five feedback are routed to the office, two answered, one published, one
    overdue; the demo specialist of Hà Nội sees them; the second run adds nothing."""
    with pytest.raises(CommandError):
        call_command("load_demo_feedback", stdout=StringIO())
    office = unit_create(
        actor=SystemActor("tests"),
        name="Văn phòng Thành ủy Hà Nội",
        kind=UnitKind.DEPARTMENT,
        level=UnitLevel.PROVINCE,
        parent=real_units["hanoi"],
        short_name="VPTU",
        source_key=OFFICE_KEY,
    )
    demo_load(actor=SystemActor("tests"), password="mat-khau-thu-1234")

    out = StringIO()
    call_command("load_demo_feedback", "--json", stdout=out)
    again = StringIO()
    call_command("load_demo_feedback", stdout=again)

    assert '"feedback": 5' in out.getvalue()
    assert "already loaded" in again.getvalue()
    assert Feedback.objects.count() == len(DEMO_FEEDBACK) == 5
    assert set(Feedback.objects.values_list("unit", flat=True)) == {office.pk}
    assert Feedback.objects.filter(state="answered").count() == 2
    assert feedback_published().count() == 1
    reader = User.objects.get(username="chuyenvien.hanoi")
    assert feedback_list(user=reader, state="all").count() == 5
    assert feedback_list(user=reader, state="overdue").count() == 1
