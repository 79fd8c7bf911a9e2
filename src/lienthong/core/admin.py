"""Admin helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class RestrictedAdmin(admin.ModelAdmin):
    """A model admin that shows staff only what ``restrict(user, action)`` allows.

    Superusers see everything; other staff see and edit only objects in their scope.
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.restrict(request.user, "view")  # type: ignore[attr-defined]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return bool(
            type(obj)._default_manager.restrict(request.user, "change").filter(pk=obj.pk).exists()
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return bool(
            type(obj)._default_manager.restrict(request.user, "delete").filter(pk=obj.pk).exists()
        )
