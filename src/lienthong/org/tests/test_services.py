"""Tests of the organisation's services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lienthong.audit.models import AuditEvent
from lienthong.core.errors import InvalidInput
from lienthong.org import services
from lienthong.org.models import Node, Unit
from lienthong.org.roles import BUILTIN_ROLES, sync_builtin_roles
from lienthong.org.tests.factories import TEST_ACTOR, UnitFactory

pytestmark = pytest.mark.django_db


def test_unit_create_sets_path_node_folding_and_audits():
    """GIVEN a parent WHEN a unit is created THEN path, depth, node, folded name, audit."""
    root = UnitFactory(name="Ban Chấp hành Trung ương", level=1)
    child = services.unit_create(
        actor=TEST_ACTOR,
        parent=root,
        name="  Tỉnh ủy Nghệ An ",
        kind="committee",
        level=2,
        short_name="TU",
        organ_id="000.00.00.H41",
    )
    assert child.path == f"/{root.pk}/{child.pk}/"
    assert child.depth == 1
    assert child.name == "Tỉnh ủy Nghệ An"
    assert child.name_folded == "tinh uy nghe an tu"
    assert child.node == Node.objects.get(is_local=True)
    assert AuditEvent.objects.filter(verb="unit.create", target_id=str(child.pk)).exists()


@pytest.mark.parametrize("organ_id", ["000.00.00.h41", "000..00", "A" * 36, "000 00", ".H41"])
def test_invalid_organ_id_is_refused(organ_id):
    """GIVEN a malformed mã định danh WHEN creating THEN ValidationError and nothing stored."""
    with pytest.raises(ValidationError):
        services.unit_create(actor=TEST_ACTOR, name="X", kind="agency", level=2, organ_id=organ_id)
    assert not Unit.objects.filter(name="X").exists()


def test_duplicate_organ_id_is_refused():
    """GIVEN a unit with an organ_id WHEN another takes it THEN ValidationError."""
    services.unit_create(actor=TEST_ACTOR, name="A", kind="agency", level=2, organ_id="28.22.H17")
    with pytest.raises(ValidationError):
        services.unit_create(
            actor=TEST_ACTOR, name="B", kind="agency", level=2, organ_id="28.22.H17"
        )


def test_unit_cannot_move_under_itself():
    """GIVEN a unit and its child WHEN the unit is moved under the child THEN refused."""
    root = UnitFactory()
    child = UnitFactory(parent=root)
    with pytest.raises(InvalidInput):
        services.unit_update(actor=TEST_ACTOR, unit=root, parent=child)
    with pytest.raises(InvalidInput):
        services.unit_update(actor=TEST_ACTOR, unit=root, parent=root)
    root.refresh_from_db()
    assert root.parent is None


def test_unit_update_without_change_writes_nothing():
    """GIVEN a unit WHEN updated with its own values THEN no change and no audit record."""
    unit = UnitFactory(name="Văn phòng")
    before = AuditEvent.objects.count()
    assert services.unit_update(actor=TEST_ACTOR, unit=unit, name="Văn phòng") is False
    assert AuditEvent.objects.count() == before


def test_unit_close_keeps_history_and_successor():
    """GIVEN two communes merged WHEN one closes into the other THEN it stays, closed."""
    a, b = UnitFactory(), UnitFactory()
    services.unit_close(actor=TEST_ACTOR, unit=a, on=dt.date(2025, 6, 30), successor=b)
    a.refresh_from_db()
    assert a.active_to == dt.date(2025, 6, 30) and a.successor == b
    assert not a.is_active
    assert a not in set(Unit.objects.active())


def test_dates_out_of_order_are_refused():
    """GIVEN a unit WHEN its closing date precedes its opening THEN refused."""
    unit = UnitFactory(active_from=dt.date(2025, 7, 1))
    with pytest.raises(ValidationError):
        services.unit_update(actor=TEST_ACTOR, unit=unit, active_to=dt.date(2025, 1, 1))


def test_builtin_roles_are_synchronised_idempotently():
    """GIVEN a migrated database WHEN syncing built-in roles again THEN nothing changes."""
    assert sync_builtin_roles() == 0
    from lienthong.org.models import Role

    assert set(Role.objects.values_list("code", flat=True)) >= {r.code for r in BUILTIN_ROLES}
