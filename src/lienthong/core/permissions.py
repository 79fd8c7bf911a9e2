"""The permission engine: ``queryset.restrict(user, action)``.

A permission is (object type, action, scope). The object type and action make a Django
permission name (``"org.view_unit"``); the scope is a token from ``ScopeToken``:
``own_unit`` (the units where the person holds the role), ``subtree`` (those units and
every unit below them) or ``all``. Roles carry grants; people hold roles in units.

Restricting is set-based (STYLE habit 5, anti-pattern B): the allowed units become one
SQL subquery and the queryset is filtered by it; no row is ever checked in a Python loop.
Every scoped model names the path from itself to its owning unit in ``scope_path``
(``"pk"`` for a unit, ``"unit"`` for an object owned by a unit,
``"memberships__unit"`` for a person), which declares the scope inheritance once.

``core`` sits below ``org`` in the import order, so the unit tree is reached through a
resolver that ``org`` registers in its ``AppConfig.ready()`` (DESIGN.md "hooks").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from lienthong.core.choices import ScopeToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser
else:
    AnyUser = Any

_M = TypeVar("_M", bound=models.Model)

#: The standard actions; apps may add their own (``"sign"``, ``"issue"``…).
STANDARD_ACTIONS = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class AllUnits:
    """The scope that covers every unit (a grant with ``ScopeToken.ALL``)."""


ALL_UNITS = AllUnits()


class ScopeResolver(Protocol):
    """What ``org`` provides: the units in which a person holds a permission."""

    def allowed_units(self, user: Any, permission: str) -> AllUnits | QuerySet[Any] | None:
        """Return ``ALL_UNITS``, a queryset of unit primary keys (``values("pk")``), or None."""

    def has_permission_anywhere(self, user: Any, permission: str) -> bool:
        """Tell whether the person holds ``permission`` in at least one unit."""


_resolver: ScopeResolver | None = None


def set_scope_resolver(resolver: ScopeResolver) -> None:
    """Install the resolver (called once by ``org.apps.OrgConfig.ready``)."""
    global _resolver
    _resolver = resolver


def get_scope_resolver() -> ScopeResolver:
    """Return the installed resolver.

    Raises:
        RuntimeError: no app registered one (``lienthong.org`` is not installed).
    """
    if _resolver is None:
        raise RuntimeError("No scope resolver: is lienthong.org in INSTALLED_APPS?")
    return _resolver


def permission_name(model: type[models.Model], action: str) -> str:
    """Return the Django permission name for ``action`` on ``model`` (``"org.view_unit"``)."""
    meta = model._meta
    return f"{meta.app_label}.{action}_{meta.model_name}"


def _usable(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_active", False))


def allowed_units(user: AnyUser | None, permission: str) -> AllUnits | QuerySet[Any] | None:
    """The units where ``user`` holds ``permission``: ``ALL_UNITS``, a pk subquery, or None.

    Results are cached on the user object, which lives for one request.
    """
    if not _usable(user):
        return None
    if getattr(user, "is_superuser", False):
        return ALL_UNITS
    cache: dict[str, Any] = user.__dict__.setdefault("_lienthong_scope_cache", {})
    if permission not in cache:
        cache[permission] = get_scope_resolver().allowed_units(user, permission)
    return cache[permission]


def user_can(user: AnyUser | None, permission: str) -> bool:
    """Tell whether ``user`` holds ``permission`` in some unit (for menus and buttons only).

    Never use this as the gate for an object: restrict the queryset instead (anti-pattern A).
    """
    if not _usable(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return get_scope_resolver().has_permission_anywhere(user, permission)


def holds_in(user: AnyUser | None, unit: Any, permission: str) -> bool:
    """Tell whether ``user`` holds ``permission`` ("documents.add_document") in ``unit``
    itself: the gate of a service that acts in a unit (creating there, filling its
    report), where there is no row to restrict yet."""
    units = allowed_units(user, permission)
    if units is None or unit is None:
        return False
    if isinstance(units, AllUnits):
        return True
    return bool(units.filter(pk=unit.pk).exists())


class RestrictedQuerySet(QuerySet[_M], Generic[_M]):
    """A queryset that can be narrowed to what a person may do."""

    def restrict(self, user: AnyUser | None, action: str = "view") -> RestrictedQuerySet[_M]:
        """Keep only the rows on which ``user`` may perform ``action``.

        Args:
            user: the person (``request.user``); anonymous or inactive users get nothing.
            action: ``view``, ``change``, ``delete`` or an app's own action.

        Returns:
            A queryset filtered by one subquery of allowed units.
        """
        model = self.model
        scope_path: str | None = getattr(model, "scope_path", None)
        if scope_path is None:
            raise TypeError(f"{model.__name__} declares no scope_path; it cannot be restricted")
        units = allowed_units(user, permission_name(model, action))
        condition: Q | None = None
        if isinstance(units, AllUnits):
            return self
        if units is not None:
            if "__" in scope_path:
                # A multi-valued path (a person in several units): one pk subquery keeps
                # rows unique without DISTINCT.
                inner = model._default_manager.filter(**{f"{scope_path}__in": units})
                condition = Q(pk__in=inner.values("pk"))
            else:
                condition = Q(**{f"{scope_path}__in": units})
        extra = getattr(model, "scope_extra", None)
        if extra is not None and _usable(user):
            own = extra(user, action)
            if own is not None:
                condition = own if condition is None else condition | own
        if condition is None:
            return self.none()
        return self.filter(condition)


class RestrictedManager(models.Manager[_M]):
    """The default manager of every scoped model."""

    def get_queryset(self) -> RestrictedQuerySet[_M]:
        return RestrictedQuerySet(self.model, using=self._db)

    def restrict(self, user: AnyUser | None, action: str = "view") -> RestrictedQuerySet[_M]:
        """Shortcut for ``get_queryset().restrict(user, action)``."""
        return self.get_queryset().restrict(user, action)


class ScopedModel(Protocol):
    """What a model needs to be restricted."""

    scope_path: ClassVar[str]


def get_restricted_or_404(
    queryset: QuerySet[_M], user: AnyUser | None, action: str = "view", **lookup: Any
) -> _M:
    """Fetch one object through ``restrict``; out of scope and missing both answer 404.

    Every primary key that comes from a request is resolved through this (or a selector
    built on ``restrict``), never through the raw manager (STYLE anti-pattern A).

    Raises:
        Http404: the object does not exist or the user may not ``action`` it.
    """
    model: Any = queryset.model
    restricted: RestrictedQuerySet[_M] = RestrictedQuerySet(
        model, query=queryset.query.chain(), using=queryset.db
    )
    try:
        return restricted.restrict(user, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def scoped_models() -> Iterator[type[models.Model]]:
    """Every installed model that can be restricted (used by the shared permission tests)."""
    for model in apps.get_models():
        if getattr(model, "scope_path", None) and isinstance(
            model._default_manager.all(), RestrictedQuerySet
        ):
            yield model


__all__ = [
    "ALL_UNITS",
    "STANDARD_ACTIONS",
    "AllUnits",
    "RestrictedManager",
    "RestrictedQuerySet",
    "ScopeResolver",
    "ScopeToken",
    "allowed_units",
    "get_restricted_or_404",
    "get_scope_resolver",
    "holds_in",
    "permission_name",
    "scoped_models",
    "set_scope_resolver",
    "user_can",
]
