"""The generated permission matrix over every scoped model (issue #2, acceptance 3).

For each model that ``restrict()`` can narrow, and for each way of holding (or not
holding) its view permission, an object in commune A1 and one in commune B1 are made and
looked at through the selector layer, the object's page and the REST API. What is out
of scope must be invisible and answer 404; what is in scope must be there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from lienthong.core.choices import ScopeToken
from lienthong.core.permissions import permission_name, scoped_models
from lienthong.core.testing.matrix import ScopeCase, collect_scope_cases
from lienthong.org.models import Membership, Role, RoleGrant
from lienthong.org.tests.factories import UserFactory

CASES = collect_scope_cases()


@dataclass(frozen=True)
class Holding:
    """How the person looking holds the view permission."""

    name: str
    scope: str | None  # None: a role without this permission
    held_in: str  # attribute of the world fixture
    sees_a1: bool
    sees_b1: bool


HOLDINGS = [
    Holding("none", None, "commune_a1", sees_a1=False, sees_b1=False),
    Holding("own_unit", ScopeToken.OWN_UNIT, "commune_a1", sees_a1=True, sees_b1=False),
    Holding("subtree_of_province", ScopeToken.SUBTREE, "province_a", sees_a1=True, sees_b1=False),
    Holding("subtree_of_other_province", ScopeToken.SUBTREE, "province_b", False, True),
    Holding("full", ScopeToken.ALL, "commune_a1", sees_a1=True, sees_b1=True),
]


def test_every_scoped_model_has_a_matrix_case():
    """GIVEN the installed models THEN each restrictable one declares its ScopeCase."""
    missing = {m._meta.label_lower for m in scoped_models()} - set(CASES)
    assert not missing, f"add a ScopeCase in <app>/tests/scope_cases.py for {sorted(missing)}"


def _looker(world, case: ScopeCase, holding: Holding):
    role = Role.objects.create(code=f"matrix-{holding.name}", name=holding.name)
    if holding.scope is not None:
        RoleGrant.objects.create(
            role=role, permission=permission_name(case.model, "view"), scope=holding.scope
        )
    person = UserFactory()
    Membership.objects.create(user=person, unit=getattr(world, holding.held_in), role=role)
    return person


def _check(client, case: ScopeCase, person, obj, visible: bool) -> None:
    label = f"{case.label} #{obj.pk}"
    in_selector = case.model._default_manager.restrict(person, "view").filter(pk=obj.pk).exists()
    assert in_selector is visible, f"selector: {label}"
    client.force_login(person)
    expected = 200 if visible else 404
    if case.page_url is not None:
        assert client.get(case.page_url(obj)).status_code == expected, f"page: {label}"
    if case.api_url is not None:
        assert client.get(case.api_url(obj)).status_code == expected, f"api detail: {label}"
    if case.api_list_url is not None:
        response = client.get(reverse(case.api_list_url), {"limit": 1000})
        assert response.status_code == 200
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        listed = any(str(row.get("id")) == str(obj.pk) for row in rows)
        assert listed is visible, f"api list: {label}"


@pytest.mark.django_db
@pytest.mark.parametrize("holding", HOLDINGS, ids=lambda h: h.name)
@pytest.mark.parametrize("label", sorted(CASES))
def test_matrix(client, world, label, holding):
    """GIVEN an object in commune A1 and one in commune B1 WHEN a person holding view with
    this scope looks through selector, page and API THEN exactly the in-scope one is seen."""
    case = CASES[label]
    obj_a1 = case.make(world.commune_a1)
    obj_b1 = case.make(world.commune_b1)
    person = _looker(world, case, holding)
    _check(client, case, person, obj_a1, holding.sees_a1)
    _check(client, case, person, obj_b1, holding.sees_b1)


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(k for k, c in CASES.items() if not c.network_wide))
def test_commune_clerk_never_sees_another_commune(client, world, label):
    """GIVEN the built-in clerk role in commune A1 WHEN looking at objects of commune A2
    and of another province's commune THEN 404 everywhere."""
    case = CASES[label]
    for unit in (world.commune_a2, world.commune_b1, world.province_a):
        _check(client, case, world.clerk_a1, case.make(unit), visible=False)


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["org.unit", "org.user", "org.membership"])
def test_provincial_leader_sees_all_communes_of_the_province(client, world, label):
    """GIVEN the built-in leader role in province A WHEN looking at objects of its communes
    THEN they are visible; the other province's commune is not."""
    case = CASES[label]
    for unit in (world.commune_a1, world.commune_a2):
        _check(client, case, world.leader_a, case.make(unit), visible=True)
    _check(client, case, world.leader_a, case.make(world.commune_b1), visible=False)
