"""The audit log in the admin: read-only, scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.audit.models import AuditEvent
from lienthong.core.admin import RestrictedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(RestrictedAdmin):
    """Nobody edits or deletes audit events, not even a superuser."""

    list_display = ["seq", "created_at", "actor_label", "verb", "target_repr"]
    list_filter = ["actor_kind", "verb"]
    search_fields = ["actor_label", "verb", "target_repr", "target_id"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
