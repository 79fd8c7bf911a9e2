"""Writes to the organisation: one keyword-only function per use case (STYLE habit 2).

Each runs in a transaction, validates the model with ``full_clean()`` and writes an audit
record with the actor it was given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput
from lienthong.org.models import Membership, Node, Position, Role, Unit, User

__all__ = [
    "UNIT_FIELDS",
    "membership_create",
    "node_ensure_local",
    "position_get_or_create",
    "unit_close",
    "unit_create",
    "unit_update",
    "user_create",
]

#: Fields a caller may set on a unit (``path`` and ``depth`` follow from ``parent``).
UNIT_FIELDS = (
    "parent",
    "kind",
    "level",
    "name",
    "short_name",
    "organ_id",
    "node",
    "active_from",
    "active_to",
    "successor",
    "sort_order",
)


def node_ensure_local(*, actor: Actor) -> Node:
    """Return this installation's node, creating it from the settings on first use.

    Args:
        actor: who asks (a ``SystemActor`` for commands).
    """
    with transaction.atomic():
        node = Node.objects.select_for_update().filter(is_local=True).first()
        if node is None:
            node = Node(
                code=settings.NODE_CODE,
                name=settings.NODE_NAME,
                network_profile=settings.NETWORK_PROFILE,
                is_local=True,
            )
            node.full_clean()
            node.save()
            record(actor=actor, verb="node.create", target=node, data={"code": node.code})
        return node


def _set_path(unit: Unit) -> None:
    parent = unit.parent
    unit.path = f"{parent.path}{unit.pk}/" if parent else f"/{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0


def unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    level: int,
    parent: Unit | None = None,
    node: Node | None = None,
    short_name: str = "",
    organ_id: str | None = None,
    active_from: dt.date | None = None,
    source_key: str | None = None,
    sort_order: int = 0,
    audit: bool = True,
) -> Unit:
    """Create a unit under ``parent`` (a root when None).

    Args:
        actor: who creates it.
        name, kind, level, short_name, organ_id, active_from, sort_order: the unit's fields.
        parent: the unit above; None for a root.
        node: the hosting node; this node by default.
        source_key: stable key from a reference list, for idempotent re-loads.
        audit: False only for bulk loaders that write one summary record themselves.

    Returns:
        The saved unit, with its path.

    Raises:
        django.core.exceptions.ValidationError: a field is invalid (bad organ_id, a
            duplicate organ_id, dates out of order).
    """
    with transaction.atomic():
        unit = Unit(
            parent=parent,
            name=name.strip(),
            kind=kind,
            level=level,
            short_name=short_name.strip(),
            organ_id=(organ_id or "").strip() or None,
            node=node or node_ensure_local(actor=actor),
            active_from=active_from,
            source_key=source_key,
            sort_order=sort_order,
            path="/0/",  # replaced below, once the primary key is known
        )
        unit.full_clean(exclude=["path"])
        unit.save()
        _set_path(unit)
        unit.save(update_fields=["path", "depth"])
        if audit:
            record(
                actor=actor,
                verb="unit.create",
                target=unit,
                data={"name": unit.name, "parent": parent.pk if parent else None},
            )
        return unit


def unit_update(*, actor: Actor, unit: Unit, audit: bool = True, **changes: Any) -> bool:
    """Change a unit's fields; moving it (a new ``parent``) moves its whole subtree.

    Args:
        actor: who changes it.
        unit: the unit (already resolved through ``restrict(user, "change")``).
        audit: False only for bulk loaders that write one summary record themselves.
        changes: field names from ``UNIT_FIELDS`` and their new values.

    Returns:
        True when something changed.

    Raises:
        InvalidInput: an unknown field, or a move under the unit's own subtree.
        django.core.exceptions.ValidationError: a field is invalid.
    """
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown unit fields: {', '.join(sorted(unknown))}")
    diff: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "organ_id":
            value = value or None
        current = getattr(unit, name)
        if current != value:
            diff[name] = value
    if not diff:
        return False
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        old_path, old_depth = unit.path, unit.depth
        new_parent = diff.get("parent", unit.parent)
        if "parent" in diff and new_parent is not None and new_parent.path.startswith(old_path):
            raise InvalidInput("A unit cannot be moved under itself or one of its own units.")
        for name, value in diff.items():
            setattr(unit, name, value)
        unit.full_clean()
        if "parent" in diff:
            _set_path(unit)
        unit.save()
        if "parent" in diff and unit.path != old_path:
            Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
                path=Concat(Value(unit.path), Substr("path", Length(Value(old_path)) + 1)),
                depth=F("depth") + (unit.depth - old_depth),
            )
        if audit:
            record(
                actor=actor,
                verb="unit.update",
                target=unit,
                data={k: _jsonable(v) for k, v in diff.items()},
            )
    return True


def unit_close(*, actor: Actor, unit: Unit, on: dt.date, successor: Unit | None = None) -> Unit:
    """Close a unit on a date (units are never deleted), optionally merged into another."""
    unit_update(actor=actor, unit=unit, active_to=on, successor=successor)
    unit.refresh_from_db()
    return unit


def _jsonable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def position_get_or_create(*, actor: Actor, name: str, rank: int = 100) -> Position:
    """Return the position named ``name``, creating it when new."""
    with transaction.atomic():
        position, created = Position.objects.get_or_create(
            name=name.strip(), defaults={"rank": rank}
        )
        if created:
            record(actor=actor, verb="position.create", target=position)
        return position


def user_create(
    *,
    actor: Actor,
    username: str,
    full_name: str,
    password: str | None = None,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account; without a password it cannot log in until one is set.

    Raises:
        django.core.exceptions.ValidationError: the username is taken or invalid.
    """
    with transaction.atomic():
        user = User(
            username=username.strip(),
            full_name=full_name.strip(),
            email=email.strip(),
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        record(actor=actor, verb="user.create", target=user, data={"username": user.username})
        return user


def membership_create(
    *,
    actor: Actor,
    user: User,
    unit: Unit,
    role: Role,
    position: Position | None = None,
    is_primary: bool = False,
    active_from: dt.date | None = None,
) -> Membership:
    """Give ``user`` a role (and a position) in ``unit``.

    Raises:
        django.core.exceptions.ValidationError: the person already holds this role there.
    """
    with transaction.atomic():
        membership = Membership(
            user=user,
            unit=unit,
            role=role,
            position=position,
            is_primary=is_primary,
            active_from=active_from,
        )
        membership.full_clean()
        membership.save()
        record(
            actor=actor,
            verb="membership.create",
            target=membership,
            data={"user": user.pk, "unit": unit.pk, "role": role.code},
        )
        return membership
