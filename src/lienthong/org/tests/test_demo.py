"""Tests of ``lienthong.org.demo`` and ``lienthong load_demo``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from lienthong.core.errors import InvalidInput
from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.demo import DEFAULT_DEMO_PASSWORD, DEMO_ACCOUNTS, demo_load
from lienthong.org.models import Membership, Unit, User
from lienthong.org.services import unit_create
from lienthong.org.tests.factories import TEST_ACTOR


@pytest.fixture
def real_units(db) -> dict[str, Unit]:
    """GIVEN the three real units the demo uses, with the keys `load_units` gives them
    (built by hand: loading the whole country is test_loaders' job)."""
    central = unit_create(
        actor=TEST_ACTOR,
        name="Ban Chấp hành Trung ương Đảng",
        kind=UnitKind.CENTRAL,
        level=UnitLevel.CENTRAL,
        source_key="vn:central",
    )
    hanoi = unit_create(
        actor=TEST_ACTOR,
        name="Thành ủy Hà Nội",
        kind=UnitKind.COMMITTEE,
        level=UnitLevel.PROVINCE,
        parent=central,
        short_name="TU",
        source_key="vn:p:01",
    )
    hoan_kiem = unit_create(
        actor=TEST_ACTOR,
        name="Đảng ủy phường Hoàn Kiếm",
        kind=UnitKind.COMMUNE_COMMITTEE,
        level=UnitLevel.COMMUNE,
        parent=hanoi,
        short_name="ĐU",
        source_key="vn:w:00070",
    )
    return {"central": central, "hanoi": hanoi, "hoan_kiem": hoan_kiem}


def test_demo_load_creates_every_account_in_its_unit_and_is_idempotent(real_units, monkeypatch):
    """GIVEN the real units and no LIENTHONG_DEMO_PASSWORD
    WHEN demo_load runs twice
    THEN every demo account exists once, with the default password, its role in its unit
    and a position; the second run creates nothing."""
    monkeypatch.delenv("LIENTHONG_DEMO_PASSWORD", raising=False)

    first = demo_load(actor=TEST_ACTOR)
    second = demo_load(actor=TEST_ACTOR)

    assert first.users_created == len(DEMO_ACCOUNTS)
    assert (second.users_created, second.memberships_created) == (0, 0)
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEFAULT_DEMO_PASSWORD)
        membership = Membership.objects.get(user=user)
        assert membership.unit.source_key == account.unit_key
        assert membership.role.code == account.role
        assert membership.position is not None
        assert membership.is_primary
    clerk = User.objects.get(username="vanthu.hanoi")
    assert Membership.objects.get(user=clerk).unit == real_units["hanoi"]
    admin = User.objects.get(username="quantri")
    assert admin.is_staff
    assert admin.is_superuser


def test_demo_accounts_see_what_their_roles_allow(real_units):
    """GIVEN the demo accounts
    WHEN the Hà Nội clerk and the Hoàn Kiếm clerk list units
    THEN the first sees the ward below their committee, the second not the committee."""
    demo_load(actor=TEST_ACTOR, password="mật-khẩu-demo-khác")
    hanoi_clerk = User.objects.get(username="vanthu.hanoi")
    ward_clerk = User.objects.get(username="vanthu.hoankiem")

    assert Unit.objects.restrict(hanoi_clerk, "view").filter(pk=real_units["hoan_kiem"].pk).exists()
    assert not Unit.objects.restrict(ward_clerk, "view").filter(pk=real_units["hanoi"].pk).exists()
    assert hanoi_clerk.check_password("mật-khẩu-demo-khác")


def test_demo_password_comes_from_the_environment(real_units, monkeypatch):
    """GIVEN LIENTHONG_DEMO_PASSWORD set
    WHEN `lienthong load_demo --json` runs
    THEN the accounts get that password and the log-ins are printed as one JSON line."""
    monkeypatch.setenv("LIENTHONG_DEMO_PASSWORD", "mật-khẩu-từ-môi-trường")
    out = io.StringIO()

    call_command("load_demo", "--json", stdout=out, stderr=io.StringIO())

    data = json.loads(out.getvalue())
    assert data["users_created"] == len(DEMO_ACCOUNTS)
    logins = {x["username"]: x for x in data["logins"]}
    assert logins["vanthu.hanoi"]["password"] == "mật-khẩu-từ-môi-trường"
    assert logins["vanthu.hanoi"]["unit"] == "Thành ủy Hà Nội"
    assert User.objects.get(username="lanhdao.hanoi").check_password("mật-khẩu-từ-môi-trường")


def test_load_demo_prints_a_table_and_a_warning(real_units, monkeypatch):
    """GIVEN the real units
    WHEN `lienthong load_demo` runs
    THEN it prints one line per log-in and a demo-only warning."""
    monkeypatch.delenv("LIENTHONG_DEMO_PASSWORD", raising=False)
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    text = out.getvalue()
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert DEFAULT_DEMO_PASSWORD in text
    assert "DEMO ONLY" in text


def test_load_demo_without_real_units_fails_clearly_and_writes_nothing(db):
    """GIVEN no loaded units
    WHEN the demo is loaded
    THEN it says to run load_units first, and no account is created."""
    with translation.override("en"), pytest.raises(InvalidInput, match="load_units"):
        demo_load(actor=TEST_ACTOR)
    with translation.override("en"), pytest.raises(CommandError, match="load_units"):
        call_command("load_demo", stdout=io.StringIO())
    assert User.objects.count() == 0
