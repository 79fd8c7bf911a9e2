"""Reads of the organisation that reach a person: each takes the ``user`` (STYLE habit 3)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from lienthong.core.permissions import get_restricted_or_404
from lienthong.core.text import fold_terms
from lienthong.org.models import Membership, Unit, UnitQuerySet, User

__all__ = [
    "membership_list",
    "unit_children",
    "unit_get",
    "unit_list",
    "unit_search",
    "user_get",
    "user_list",
]


def unit_list(*, user: Any, action: str = "view") -> UnitQuerySet:
    """Every unit ``user`` may ``action``, in tree order."""
    return Unit.objects.restrict(user, action).select_related("parent", "node")  # type: ignore[return-value]


def unit_get(*, user: Any, pk: Any, action: str = "view") -> Unit:
    """One unit by primary key; missing or out of scope raise ``Http404``."""
    return get_restricted_or_404(Unit.objects.select_related("parent", "node"), user, action, pk=pk)


def unit_children(*, user: Any, parent: Unit | None) -> UnitQuerySet:
    """The visible units directly under ``parent`` (roots when None), by order and then
    Vietnamese alphabetical order of the name (``core.text.collation_key``)."""
    qs = unit_list(user=user).filter(parent=parent)
    return qs.order_by("sort_order", "sort_key")


def unit_search(*, user: Any, query: str, limit: int = 50) -> list[Unit]:
    """Units whose name or short name contains every term of ``query``.

    Matching is on folded text, so diacritics are optional: "tinh uy ha noi" finds
    "Tỉnh ủy Hà Nội". Results come shallow first (committees before their communes).

    Args:
        user: the person searching; only units in their scope are returned.
        query: the words typed.
        limit: the most results to return.
    """
    terms = fold_terms(query)
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition &= Q(name_folded__contains=term)
    qs = unit_list(user=user).filter(condition).order_by("depth", "sort_order", "sort_key")
    return list(qs[:limit])


def user_list(*, user: Any, action: str = "view") -> Any:
    """Every person ``user`` may ``action``."""
    return User.objects.restrict(user, action)


def user_get(*, user: Any, pk: Any, action: str = "view") -> User:
    """One person by primary key; missing or out of scope raise ``Http404``."""
    return get_restricted_or_404(User.objects.all(), user, action, pk=pk)


def membership_list(*, user: Any, unit: Unit | None = None, person: User | None = None) -> Any:
    """Visible memberships, optionally of one unit or one person."""
    qs = Membership.objects.restrict(user, "view").select_related(
        "user", "unit", "role", "position"
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    if person is not None:
        qs = qs.filter(user=person)
    return qs
