"""The organisation's REST API: scoped reads, 404 outside scope, audited writes.

Issue #2, scope 9; STYLE habit 6.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lienthong.audit.models import AuditEvent
from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.models import Unit
from lienthong.org.tests.factories import UnitFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _ids(response: Any) -> set[int]:
    return {row["id"] for row in _results(response)}


def _new_unit(parent: Unit, name: str = "Ban Tuyên giáo") -> dict[str, Any]:
    return {
        "parent": parent.pk,
        "name": name,
        "kind": UnitKind.DEPARTMENT,
        "level": UnitLevel.PROVINCE,
        "short_name": "BTG",
    }


def test_commune_clerk_lists_only_their_commune(world):
    """GIVEN a clerk of commune A1 WHEN they list units THEN only commune A1 is returned."""
    response = _client(world.clerk_a1).get(reverse("api:unit-list"))
    assert _ids(response) == {world.commune_a1.pk}
    assert response.json()["count"] == 1


def test_unit_outside_scope_answers_404(world):
    """GIVEN a clerk of commune A1 WHEN they fetch commune B1 THEN 404, like a missing unit."""
    client = _client(world.clerk_a1)
    assert client.get(reverse("api:unit-detail", args=[world.commune_b1.pk])).status_code == 404
    assert client.get(reverse("api:unit-detail", args=[999_999])).status_code == 404
    own = client.get(reverse("api:unit-detail", args=[world.commune_a1.pk]))
    assert own.status_code == 200
    assert own.json()["name"] == "Đảng ủy phường Hoàn Kiếm"


def test_person_outside_scope_answers_404(world):
    """GIVEN a clerk of commune A1 WHEN they fetch the clerk of commune B1 THEN 404."""
    client = _client(world.clerk_a1)
    assert client.get(reverse("api:person-detail", args=[world.clerk_b1.pk])).status_code == 404
    assert client.get(reverse("api:person-detail", args=[world.clerk_a1.pk])).status_code == 200


def test_person_list_never_exposes_password_hash(world):
    """GIVEN a provincial leader WHEN they list people
    THEN they see the province's people and no password or permission flag."""
    rows = _results(_client(world.leader_a).get(reverse("api:person-list")))
    ids = {row["id"] for row in rows}
    assert {world.clerk_a1.pk, world.clerk_a2.pk, world.leader_a.pk} <= ids
    assert world.clerk_b1.pk not in ids
    for row in rows:
        assert "password" not in row
        assert "is_superuser" not in row
        assert not any(str(value).startswith("argon2") for value in row.values())


def test_provincial_leader_sees_the_province(world):
    """GIVEN the leader of province A WHEN they list units
    THEN province A and its two communes, nothing of province B or the centre."""
    response = _client(world.leader_a).get(reverse("api:unit-list"))
    assert _ids(response) == {world.province_a.pk, world.commune_a1.pk, world.commune_a2.pk}


def test_unit_list_filters_by_parent_and_search(world):
    """GIVEN the leader of province A
    WHEN they filter by parent or search without diacritics
    THEN only matching units of their scope are returned."""
    client = _client(world.leader_a)
    url = reverse("api:unit-list")
    children = client.get(url, {"parent": world.province_a.pk})
    assert _ids(children) == {world.commune_a1.pk, world.commune_a2.pk}
    found = client.get(url, {"q": "hoan kiem"})
    assert _ids(found) == {world.commune_a1.pk}
    # Nghi Lộc exists but is in province B: the search does not reveal it.
    assert _ids(client.get(url, {"q": "nghi loc"})) == set()
    assert client.get(url, {"parent": "abc"}).status_code == 400


def test_memberships_are_restricted(world):
    """GIVEN a clerk of commune A1 WHEN they list memberships THEN only those of commune A1."""
    rows = _results(_client(world.clerk_a1).get(reverse("api:membership-list")))
    assert {row["unit"] for row in rows} == {world.commune_a1.pk}
    assert {row["role"] for row in rows} == {RoleCode.CLERK}


def test_me_returns_the_current_person_and_roles(world):
    """GIVEN the clerk of commune A1 WHEN they ask for /me/
    THEN their account and their clerk role in commune A1 come back."""
    response = _client(world.clerk_a1).get(reverse("api:me"))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == world.clerk_a1.pk
    assert body["full_name"] == "Văn thư Hoàn Kiếm"
    assert "password" not in body
    assert [(m["unit"], m["role"]) for m in body["memberships"]] == [
        (world.commune_a1.pk, RoleCode.CLERK)
    ]


def test_token_authentication(world):
    """GIVEN a token for the leader of province A WHEN it is sent in the header
    THEN the API answers with the leader's scope."""
    token = Token.objects.create(user=world.leader_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(reverse("api:unit-list"))
    assert _ids(response) == {world.province_a.pk, world.commune_a1.pk, world.commune_a2.pk}
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(reverse("api:unit-list")).status_code in (401, 403)


def test_session_authentication(world, client):
    """GIVEN a person logged in through the session WHEN they call the API THEN it answers."""
    client.force_login(world.clerk_a1)
    response = client.get(reverse("api:unit-list"))
    assert _ids(response) == {world.commune_a1.pk}


@pytest.mark.parametrize(
    "name", ["api:unit-list", "api:person-list", "api:membership-list", "api:me"]
)
def test_anonymous_is_refused(world, name):
    """GIVEN no credentials WHEN any endpoint is called THEN 401 or 403 and no data."""
    response = APIClient().get(reverse(name))
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_clerk_cannot_create_units(world):
    """GIVEN a clerk (no org.add_unit anywhere) WHEN they post a unit THEN 403, nothing created."""
    before = Unit.objects.count()
    response = _client(world.clerk_a1).post(
        reverse("api:unit-list"), _new_unit(world.commune_a1), format="json"
    )
    assert response.status_code == 403
    assert Unit.objects.count() == before


def test_create_under_parent_out_of_scope_is_refused(world):
    """GIVEN an IT officer of province A
    WHEN they create a unit under province B
    THEN 400 naming the parent, and nothing is created or audited."""
    it_officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    units_before = Unit.objects.count()
    events_before = AuditEvent.objects.filter(verb="unit.create").count()
    response = _client(it_officer).post(
        reverse("api:unit-list"), _new_unit(world.province_b), format="json"
    )
    assert response.status_code in (400, 404)
    assert "parent" in response.json()
    assert Unit.objects.count() == units_before
    assert AuditEvent.objects.filter(verb="unit.create").count() == events_before


def test_it_officer_creates_a_unit_under_their_unit(world):
    """GIVEN an IT officer of province A
    WHEN they create a department under province A
    THEN it is created there by unit_create and audited with them as actor."""
    it_officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    response = _client(it_officer).post(
        reverse("api:unit-list"), _new_unit(world.province_a), format="json"
    )
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(pk=response.json()["id"])
    assert unit.parent == world.province_a
    assert unit.path == f"{world.province_a.path}{unit.pk}/"
    event = AuditEvent.objects.get(verb="unit.create", target_id=str(unit.pk))
    assert event.actor_user == it_officer


def test_create_with_invalid_organ_id_is_a_400(world):
    """GIVEN an IT officer of province A WHEN the organ_id is malformed
    THEN 400 naming organ_id (from the model's validation), nothing created."""
    it_officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    before = Unit.objects.count()
    data = {**_new_unit(world.province_a), "organ_id": "abc-def"}
    response = _client(it_officer).post(reverse("api:unit-list"), data, format="json")
    assert response.status_code == 400
    assert "organ_id" in response.json()
    assert Unit.objects.count() == before


def test_it_officer_updates_only_units_in_scope(world):
    """GIVEN an IT officer of province A
    WHEN they rename commune A1, then try commune B1
    THEN the first is changed and audited, the second answers 404 and is unchanged."""
    it_officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    client = _client(it_officer)
    response = client.patch(
        reverse("api:unit-detail", args=[world.commune_a1.pk]),
        {"name": "Đảng ủy phường Hoàn Kiếm mới"},
        format="json",
    )
    assert response.status_code == 200, response.content
    world.commune_a1.refresh_from_db()
    assert world.commune_a1.name == "Đảng ủy phường Hoàn Kiếm mới"
    assert AuditEvent.objects.filter(verb="unit.update", target_id=str(world.commune_a1.pk))
    other = client.patch(
        reverse("api:unit-detail", args=[world.commune_b1.pk]), {"name": "X"}, format="json"
    )
    assert other.status_code == 404
    world.commune_b1.refresh_from_db()
    assert world.commune_b1.name == "Đảng ủy xã Nghi Lộc"


def test_unit_cannot_move_under_a_parent_out_of_scope(world):
    """GIVEN an IT officer of province A WHEN they move commune A1 under province B
    THEN 400 and the unit stays where it was."""
    it_officer = member(UserFactory(), world.province_a, RoleCode.IT_OFFICER)
    response = _client(it_officer).patch(
        reverse("api:unit-detail", args=[world.commune_a1.pk]),
        {"parent": world.province_b.pk},
        format="json",
    )
    assert response.status_code == 400
    world.commune_a1.refresh_from_db()
    assert world.commune_a1.parent == world.province_a


def _count_list_queries(user: Any, url: str) -> tuple[int, int]:
    # A fresh user object, as in a real request (scopes are cached on the user object).
    client = _client(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"limit": 100})
    return len(ctx.captured_queries), len(_results(response))


@pytest.mark.parametrize("name", ["api:unit-list", "api:person-list", "api:membership-list"])
def test_list_query_count_does_not_grow_with_rows(world, name):
    """GIVEN the leader of province A with 3 then 30 extra communes (each with a clerk)
    WHEN a list endpoint is called
    THEN the number of SQL queries is the same (no per-row query)."""

    def grow(count: int) -> None:
        for _ in range(count):
            commune = UnitFactory(
                parent=world.province_a, kind=UnitKind.COMMUNE_COMMITTEE, level=UnitLevel.COMMUNE
            )
            member(UserFactory(), commune, RoleCode.CLERK)

    grow(3)
    small_queries, small_rows = _count_list_queries(world.leader_a, reverse(name))
    grow(27)
    large_queries, large_rows = _count_list_queries(world.leader_a, reverse(name))
    assert large_rows > small_rows
    assert large_queries == small_queries


def test_api_root_lists_the_endpoints(world):
    """GIVEN a signed-in person WHEN they open /api/v1/
    THEN the browsable root links the units, people and memberships endpoints."""
    response = _client(world.clerk_a1).get(reverse("api:api-root"))
    assert response.status_code == 200
    assert set(response.json()) == {"units", "people", "memberships"}
