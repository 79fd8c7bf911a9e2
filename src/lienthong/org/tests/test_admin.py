"""The Django admin for staff who are not superusers: role grants, unit scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lienthong.audit.models import AuditEvent
from lienthong.org.models import Unit
from lienthong.org.tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_officer(world):
    """GIVEN an IT officer of province A with staff access to the admin."""
    return member(UserFactory(is_staff=True), world.province_a, "it_officer")


def test_it_officer_lists_only_units_of_the_province(client, world, it_officer):
    """WHEN the IT officer opens the unit list in the admin THEN only province A's units."""
    client.force_login(it_officer)
    response = client.get(reverse("admin:org_unit_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {world.province_a, world.commune_a1, world.commune_a2}


def test_it_officer_cannot_open_a_unit_of_another_province(client, world, it_officer):
    """WHEN the IT officer opens province B's commune THEN it is not there (redirect away)."""
    client.force_login(it_officer)
    url = reverse("admin:org_unit_change", args=[world.commune_b1.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_it_officer_edits_a_commune_through_the_service(client, world, it_officer):
    """WHEN the IT officer renames a commune in the admin THEN it is saved and audited
    with the officer as actor."""
    client.force_login(it_officer)
    url = reverse("admin:org_unit_change", args=[world.commune_a1.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="Đảng ủy phường Hoàn Kiếm (mới)", parent=world.province_a.pk)
    data["node"] = world.commune_a1.node_id
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Unit.objects.get(pk=world.commune_a1.pk).name == "Đảng ủy phường Hoàn Kiếm (mới)"
    event = AuditEvent.objects.filter(verb="unit.update").latest("seq")
    assert event.actor_user == it_officer


def test_clerk_with_staff_flag_sees_no_unit_admin(client, world):
    """GIVEN a staff clerk (view only) WHEN opening the admin THEN units are read-only."""
    clerk = world.clerk_a1
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    url = reverse("admin:org_unit_change", args=[world.commune_a1.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.get(reverse("admin:org_unit_add")).status_code == 403


def test_it_officer_cannot_move_a_commune_under_another_province(client, world, it_officer):
    """WHEN the IT officer posts a parent outside their scope THEN the form refuses it and
    nothing moves (the parent is resolved through restrict, not the raw manager)."""
    client.force_login(it_officer)
    url = reverse("admin:org_unit_change", args=[world.commune_a1.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(parent=world.province_b.pk, node=world.commune_a1.node_id)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Unit.objects.get(pk=world.commune_a1.pk).parent_id == world.province_a.pk
