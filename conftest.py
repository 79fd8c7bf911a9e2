"""Test fixtures shared by every app: a small country to test scopes against."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lienthong.org.choices import RoleCode, UnitKind, UnitLevel
from lienthong.org.models import Unit, User


@dataclass
class World:
    """Central → two provinces → two communes each, and people holding roles in them."""

    central: Unit
    province_a: Unit
    province_b: Unit
    commune_a1: Unit
    commune_a2: Unit
    commune_b1: Unit
    clerk_a1: User
    clerk_a2: User
    clerk_b1: User
    leader_a: User
    admin_central: User
    outsider: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.

    ``org/tests/test_auth.py`` checks that production hashing is Argon2.
    """
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache, so API rate limits never carry over."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    """GIVEN a small tree of units and one person per interesting role."""
    from lienthong.org.tests.factories import UnitFactory, UserFactory, member

    central = UnitFactory(name="Ban Chấp hành Trung ương", kind=UnitKind.CENTRAL, level=1)
    pa = UnitFactory(name="Tỉnh ủy Hà Nội", parent=central, short_name="TU", level=2)
    pb = UnitFactory(name="Tỉnh ủy Nghệ An", parent=central, short_name="TU", level=2)
    commune = {"kind": UnitKind.COMMUNE_COMMITTEE, "level": UnitLevel.COMMUNE}
    a1 = UnitFactory(name="Đảng ủy phường Hoàn Kiếm", parent=pa, short_name="ĐU", **commune)
    a2 = UnitFactory(name="Đảng ủy phường Cửa Nam", parent=pa, short_name="ĐU", **commune)
    b1 = UnitFactory(name="Đảng ủy xã Nghi Lộc", parent=pb, short_name="ĐU", **commune)
    return World(
        central=central,
        province_a=pa,
        province_b=pb,
        commune_a1=a1,
        commune_a2=a2,
        commune_b1=b1,
        clerk_a1=member(UserFactory(full_name="Văn thư Hoàn Kiếm"), a1, RoleCode.CLERK),
        clerk_a2=member(UserFactory(full_name="Văn thư Cửa Nam"), a2, RoleCode.CLERK),
        clerk_b1=member(UserFactory(full_name="Văn thư Nghi Lộc"), b1, RoleCode.CLERK),
        leader_a=member(UserFactory(full_name="Lãnh đạo Hà Nội"), pa, RoleCode.LEADER),
        admin_central=member(UserFactory(full_name="Quản trị"), central, RoleCode.ADMIN),
        outsider=UserFactory(full_name="Người ngoài"),
    )
