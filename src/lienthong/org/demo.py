"""Demo accounts in real units (``lienthong load_demo``), for trying lienthong out.

DEMO ONLY: every account shares one well-known password (``LIENTHONG_DEMO_PASSWORD``,
default ``lienthong-demo``). Never run this on a node that holds real data.

The accounts sit in units loaded by ``lienthong load_units`` (found by ``source_key``),
so ``load_units`` must run first. Running ``load_demo`` twice changes nothing: existing
accounts, positions and memberships are kept as they are (passwords are not reset).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.org.choices import RoleCode
from lienthong.org.loaders import CENTRAL_KEY, commune_source_key, province_source_key
from lienthong.org.models import Membership, Role, Unit, User
from lienthong.org.services import membership_create, position_get_or_create, user_create

__all__ = [
    "DEFAULT_DEMO_PASSWORD",
    "DEMO_ACCOUNTS",
    "DemoAccount",
    "DemoReport",
    "demo_load",
    "demo_password",
]

#: The demo password when ``LIENTHONG_DEMO_PASSWORD`` is not set. Demo only.
DEFAULT_DEMO_PASSWORD = "lienthong-demo"

HANOI = province_source_key(1)  # Thành ủy Hà Nội
HOAN_KIEM = commune_source_key(70)  # Đảng ủy phường Hoàn Kiếm


@dataclass(frozen=True)
class DemoAccount:
    """One demo log-in: who, where, in which role and post."""

    username: str
    full_name: str
    role: str
    unit_key: str
    """``source_key`` of the unit (see ``lienthong.org.loaders``)."""
    position: str
    position_rank: int = 100
    is_staff: bool = False
    is_superuser: bool = False


#: The demo log-ins. Page and browser tests log in as ``vanthu.hanoi``.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("vanthu.hanoi", "Nguyễn Thị Hoa", RoleCode.CLERK, HANOI, "Văn thư", 90),
    DemoAccount("chuyenvien.hanoi", "Trần Văn Minh", RoleCode.SPECIALIST, HANOI, "Chuyên viên", 80),
    DemoAccount("lanhdao.hanoi", "Lê Văn Hùng", RoleCode.LEADER, HANOI, "Phó Bí thư", 20),
    DemoAccount("vanthu.hoankiem", "Phạm Thị Mai", RoleCode.CLERK, HOAN_KIEM, "Văn thư", 90),
    # The IT officer manages the province's units and accounts in the admin (scoped).
    DemoAccount(
        "cntt.hanoi",
        "Đỗ Quang Huy",
        RoleCode.IT_OFFICER,
        HANOI,
        "Chuyên viên CNTT",
        80,
        is_staff=True,
    ),
    DemoAccount(
        "bantochuc.hanoi",
        "Vũ Thị Thu",
        RoleCode.ORGANISATION,
        HANOI,
        "Chuyên viên Ban Tổ chức",
        80,
    ),
    DemoAccount(
        "kiemphieu.hanoi",
        "Hoàng Văn Nam",
        RoleCode.COUNTING_BOARD,
        HANOI,
        "Trưởng ban Kiểm phiếu",
        60,
    ),
    DemoAccount(
        "bcd.trunguong",
        "Bùi Đức Thắng",
        RoleCode.STEERING,
        CENTRAL_KEY,
        "Thành viên Ban Chỉ đạo",
        50,
    ),
    DemoAccount(
        "quantri",
        "Quản trị hệ thống",
        RoleCode.ADMIN,
        CENTRAL_KEY,
        "Quản trị hệ thống",
        100,
        is_staff=True,
        is_superuser=True,
    ),
)


@dataclass
class DemoLogin:
    """One line of the log-in table the command prints."""

    username: str
    role: str
    unit: str
    password: str
    created: bool


@dataclass
class DemoReport:
    """What ``demo_load`` did."""

    users_created: int = 0
    memberships_created: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def demo_password() -> str:
    """The demo password: ``LIENTHONG_DEMO_PASSWORD`` or ``DEFAULT_DEMO_PASSWORD``."""
    return os.environ.get("LIENTHONG_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_load(*, actor: Actor, password: str | None = None) -> DemoReport:
    """Create the demo accounts and their roles in real units; idempotent.

    Args:
        actor: who loads (``SystemActor("load_demo")`` on the command line).
        password: the password of new accounts; ``demo_password()`` when None.

    Returns:
        The log-ins and what was created.

    Raises:
        InvalidInput: the real units are not loaded (run ``lienthong load_units``), or a
            built-in role is missing (run ``lienthong migrate``). Nothing is written.
    """
    password = password or demo_password()
    keys = {account.unit_key for account in DEMO_ACCOUNTS}
    units = {u.source_key: u for u in Unit.objects.filter(source_key__in=keys)}
    missing = sorted(keys - set(units))
    if missing:
        raise InvalidInput(
            _("The real units are not loaded (missing %(keys)s): run “lienthong load_units” first.")
            % {"keys": ", ".join(missing)}
        )
    roles = {r.code: r for r in Role.objects.filter(code__in={a.role for a in DEMO_ACCOUNTS})}
    missing = sorted({str(a.role) for a in DEMO_ACCOUNTS} - set(roles))
    if missing:
        raise InvalidInput(
            _("Built-in roles are missing (%(codes)s): run “lienthong migrate”.")
            % {"codes": ", ".join(missing)}
        )
    report = DemoReport()
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            unit = units[account.unit_key]
            role = roles[account.role]
            user = User.objects.filter(username=account.username).first()
            created = user is None
            if user is None:
                user = user_create(
                    actor=actor,
                    username=account.username,
                    full_name=account.full_name,
                    password=password,
                    is_staff=account.is_staff,
                    is_superuser=account.is_superuser,
                )
                report.users_created += 1
            if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
                position = position_get_or_create(
                    actor=actor, name=account.position, rank=account.position_rank
                )
                membership_create(
                    actor=actor,
                    user=user,
                    unit=unit,
                    role=role,
                    position=position,
                    is_primary=not user.memberships.filter(is_primary=True).exists(),
                )
                report.memberships_created += 1
            report.logins.append(
                DemoLogin(
                    username=account.username,
                    role=role.name,
                    unit=unit.name,
                    password=password
                    if created or user.check_password(password)
                    else "(changed since)",
                    created=created,
                )
            )
        if report.users_created or report.memberships_created:
            record(
                actor=actor,
                verb="demo.load",
                data={
                    "users_created": report.users_created,
                    "memberships_created": report.memberships_created,
                },
            )
    return report
