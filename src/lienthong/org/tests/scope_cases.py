"""How the shared permission matrix exercises org's scoped models (core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from lienthong.core.testing.matrix import ScopeCase
from lienthong.org.models import Membership, Role, Unit, User
from lienthong.org.tests.factories import TEST_ACTOR, UserFactory


def _person_in(unit: Unit) -> User:
    from lienthong.org import services

    person = UserFactory()
    services.membership_create(
        actor=TEST_ACTOR, user=person, unit=unit, role=Role.objects.get(code="counting_board")
    )
    return person


def _membership_in(unit: Unit) -> Membership:
    return Membership.objects.get(user=_person_in(unit))


def _api(name: str) -> Any:
    return lambda obj: reverse(f"api:{name}-detail", args=[obj.pk])


SCOPE_CASES = [
    ScopeCase(
        model=Unit,
        make=lambda unit: unit,
        page_url=lambda obj: obj.get_absolute_url(),
        api_url=_api("unit"),
        api_list_url="api:unit-list",
    ),
    ScopeCase(
        model=User,
        make=_person_in,
        page_url=lambda obj: obj.get_absolute_url(),
        api_url=_api("person"),
        api_list_url="api:person-list",
        exclude_self=True,
    ),
    ScopeCase(model=Membership, make=_membership_in, api_list_url="api:membership-list"),
]
