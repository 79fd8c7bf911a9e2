"""Tests of the permission engine with org's resolver (core.permissions + org.permissions)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from lienthong.core.choices import ScopeToken
from lienthong.core.permissions import get_restricted_or_404, user_can
from lienthong.org import services
from lienthong.org.models import Membership, Role, RoleGrant, Unit, User
from lienthong.org.tests.factories import TEST_ACTOR, UnitFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _role(code: str, *grants: tuple[str, str]) -> Role:
    role = Role.objects.create(code=code, name=code)
    for permission, scope in grants:
        RoleGrant.objects.create(role=role, permission=permission, scope=scope)
    return role


def test_commune_clerk_sees_only_own_commune(world):
    """GIVEN a commune clerk WHEN units are restricted THEN only their commune is visible."""
    assert set(Unit.objects.restrict(world.clerk_a1, "view")) == {world.commune_a1}


def test_provincial_leader_sees_every_commune_of_the_province(world):
    """GIVEN a provincial leader WHEN restricting units and people THEN the province's subtree."""
    visible = set(Unit.objects.restrict(world.leader_a, "view"))
    assert visible == {world.province_a, world.commune_a1, world.commune_a2}
    people = set(User.objects.restrict(world.leader_a, "view"))
    assert {world.clerk_a1, world.clerk_a2, world.leader_a} <= people
    assert world.clerk_b1 not in people


def test_person_without_membership_sees_only_self(world):
    """GIVEN a person with no role WHEN restricting THEN no unit and only themselves."""
    assert list(Unit.objects.restrict(world.outsider, "view")) == []
    assert list(User.objects.restrict(world.outsider, "view")) == [world.outsider]
    assert list(User.objects.restrict(world.outsider, "change")) == []


def test_anonymous_and_inactive_see_nothing(world):
    """GIVEN an anonymous or deactivated person WHEN restricting THEN nothing."""
    from django.contrib.auth.models import AnonymousUser

    assert list(Unit.objects.restrict(AnonymousUser(), "view")) == []
    assert list(Unit.objects.restrict(None, "view")) == []
    world.leader_a.is_active = False
    world.leader_a.save()
    assert list(Unit.objects.restrict(world.leader_a, "view")) == []


def test_superuser_sees_all(world):
    """GIVEN a superuser WHEN restricting THEN every unit."""
    root = UserFactory(is_superuser=True)
    assert Unit.objects.restrict(root, "view").count() == Unit.objects.count()


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (ScopeToken.OWN_UNIT, {"province_a"}),
        (ScopeToken.SUBTREE, {"province_a", "commune_a1", "commune_a2"}),
        (
            ScopeToken.ALL,
            {"central", "province_a", "province_b", "commune_a1", "commune_a2", "commune_b1"},
        ),
    ],
)
def test_scope_tokens(world, scope, expected):
    """GIVEN a role granting view on units with each scope, held in province A
    WHEN restricting THEN the token decides the reach."""
    role = _role("probe", ("org.view_unit", scope))
    person = UserFactory()
    Membership.objects.create(user=person, unit=world.province_a, role=role)
    names = {name for name in expected}
    visible = set(Unit.objects.restrict(person, "view"))
    assert visible == {getattr(world, name) for name in names}


@pytest.mark.parametrize("grant", ["org.view_unit", "org.*", "*.view", "*"])
def test_wildcard_grants(world, grant):
    """GIVEN grants written as wildcards WHEN restricting THEN they cover the permission."""
    role = _role("wild", (grant, ScopeToken.OWN_UNIT))
    person = UserFactory()
    Membership.objects.create(user=person, unit=world.commune_b1, role=role)
    assert list(Unit.objects.restrict(person, "view")) == [world.commune_b1]


def test_grant_for_another_action_does_not_leak(world):
    """GIVEN a role that may only view WHEN asking for change THEN nothing."""
    assert list(Unit.objects.restrict(world.clerk_a1, "change")) == []
    assert not user_can(world.clerk_a1, "org.change_unit")
    assert user_can(world.clerk_a1, "org.view_unit")


def test_ended_membership_grants_nothing(world):
    """GIVEN a membership that ended yesterday WHEN restricting THEN nothing from it."""
    import datetime as dt

    Membership.objects.filter(user=world.clerk_a1).update(
        active_from=dt.date(2020, 1, 1), active_to=dt.date(2021, 1, 1)
    )
    assert list(Unit.objects.restrict(world.clerk_a1, "view")) == []


def test_restrict_is_one_query_with_a_subquery(world):
    """GIVEN a leader WHEN listing restricted units THEN one grants query plus one list
    query whose SQL filters by a subquery, whatever the number of units (habit 5)."""
    for i in range(20):
        UnitFactory(name=f"Chi bộ {i}", parent=world.commune_a1, level=5)
    person = User.objects.get(pk=world.leader_a.pk)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(Unit.objects.restrict(person, "view"))
    assert len(rows) == 23
    assert len(ctx.captured_queries) == 2
    assert "SELECT" in ctx.captured_queries[-1]["sql"].split("WHERE", 1)[1]
    with CaptureQueriesContext(connection) as ctx:
        list(User.objects.restrict(person, "view"))
        list(Membership.objects.restrict(person, "view"))
    # The grants are cached per permission on the user object of the request.
    assert len(ctx.captured_queries) == 4


def test_get_restricted_or_404(world):
    """GIVEN a commune clerk WHEN fetching another commune THEN 404; their own commune works."""
    assert get_restricted_or_404(Unit.objects.all(), world.clerk_a1, pk=world.commune_a1.pk)
    with pytest.raises(Http404):
        get_restricted_or_404(Unit.objects.all(), world.clerk_a1, pk=world.commune_b1.pk)
    with pytest.raises(Http404):
        get_restricted_or_404(Unit.objects.all(), world.clerk_a1, pk="not-a-number")


def test_moving_a_unit_moves_its_subtree_and_its_scope(world):
    """GIVEN a commune moved from province A to province B WHEN restricting THEN the
    provincial leader of A loses it, and paths below it follow."""
    cell = UnitFactory(name="Chi bộ 1", parent=world.commune_a2, level=5)
    services.unit_update(actor=TEST_ACTOR, unit=world.commune_a2, parent=world.province_b)
    cell.refresh_from_db()
    moved = Unit.objects.get(pk=world.commune_a2.pk)
    assert moved.path.startswith(world.province_b.path)
    assert cell.path == f"{moved.path}{cell.pk}/"
    assert cell.depth == moved.depth + 1
    leader_b = member(UserFactory(), world.province_b, "leader")
    assert cell in set(Unit.objects.restrict(leader_b, "view"))
    person = User.objects.get(pk=world.leader_a.pk)
    assert cell not in set(Unit.objects.restrict(person, "view"))
