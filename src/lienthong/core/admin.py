"""Admin helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lienthong.core.permissions import permission_name, user_can


class RestrictedAdmin(admin.ModelAdmin):
    """A model admin whose permissions come from the person's roles, scoped to their units.

    Staff (``is_staff``) see a model when a role grants them its view or change
    permission somewhere; they list, open and edit only the objects
    ``restrict(user, action)`` allows. Superusers see everything.
    """

    def _may(self, request: HttpRequest, action: str) -> bool:
        return user_can(request.user, permission_name(self.model, action))

    def _may_object(self, request: HttpRequest, action: str, obj: Any) -> bool:
        manager: Any = type(obj)._default_manager
        return bool(manager.restrict(request.user, action).filter(pk=obj.pk).exists())

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.restrict(request.user, "view")  # type: ignore[attr-defined]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Offer (and accept) only related objects the person may see (anti-pattern A)."""
        related: Any = db_field.related_model
        if "queryset" not in kwargs and hasattr(related._default_manager, "restrict"):
            kwargs["queryset"] = related._default_manager.restrict(request.user, "view")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "view") or self._may(request, "change")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._may(request, "view") or self._may(request, "change")
        return self._may_object(request, "view", obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._may(request, "change")
        return self._may_object(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self._may(request, "delete")
        return self._may_object(request, "delete", obj)
