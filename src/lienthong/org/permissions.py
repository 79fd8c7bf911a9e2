"""The scope resolver ``org`` gives the permission engine: roles held in units."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lienthong.core.choices import ScopeToken
from lienthong.core.permissions import ALL_UNITS, AllUnits
from lienthong.org.choices import UnitKind


def _grant_names(permission: str) -> list[str]:
    """The grant strings that cover ``permission`` (``"org.view_unit"``)."""
    app, _, codename = permission.partition(".")
    action = codename.split("_", 1)[0]
    return [permission, f"{app}.*", f"*.{action}", "*"]


class MembershipScopeResolver:
    """Resolve a person's units from their active memberships and their roles' grants."""

    def _grants(self, user: Any, permission: str) -> list[tuple[int, str, str, str, str | None]]:
        from lienthong.org.models import Membership

        return list(
            Membership.objects.active()
            .filter(
                user_id=user.pk,
                role__grants__permission__in=_grant_names(permission),
            )
            .values_list(
                "unit_id",
                "unit__path",
                "role__grants__scope",
                "unit__kind",
                "unit__parent__path",
            )
        )

    def allowed_units(self, user: Any, permission: str) -> AllUnits | QuerySet[Any] | None:
        """Return every unit where ``user`` may use ``permission``, as one pk subquery."""
        from lienthong.org.models import Unit

        own: set[int] = set()
        prefixes: set[str] = set()
        for unit_id, path, scope, kind, parent_path in self._grants(user, permission):
            if scope == ScopeToken.ALL:
                return ALL_UNITS
            if scope == ScopeToken.SUBTREE:
                prefixes.add(path)
            elif scope == ScopeToken.COMMITTEE:
                # A department reaches the committee it belongs to; any other unit, itself.
                is_department = kind == UnitKind.DEPARTMENT and parent_path
                prefixes.add(parent_path if is_department else path)  # type: ignore[arg-type]
            else:
                own.add(unit_id)
        # A prefix inside another prefix adds nothing: keep the SQL short.
        kept = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
        if not own and not kept:
            return None
        condition = Q(pk__in=sorted(own)) if own else Q()
        for prefix in sorted(kept):
            condition |= Q(path__startswith=prefix)
        return Unit.objects.filter(condition).values("pk")

    def has_permission_anywhere(self, user: Any, permission: str) -> bool:
        """Tell whether ``user`` holds ``permission`` in any active unit."""
        return bool(self._grants(user, permission))
