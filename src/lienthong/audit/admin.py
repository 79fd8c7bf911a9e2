"""The audit log in the admin: read-only, scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from lienthong.audit.models import AuditEvent
from lienthong.audit.services import record
from lienthong.core.admin import RestrictedAdmin

__all__ = ["AuditEventAdmin", "AuditedAdmin"]


class AuditedAdmin(RestrictedAdmin):
    """A scoped model admin whose saves are validated (``full_clean``) and recorded in
    the audit log with the staff member as actor: verb ``<model>.create`` or
    ``<model>.update``, and the names of the fields changed."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        obj.full_clean()
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,  # type: ignore[arg-type]
            verb=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            target=obj,
            data={"fields": sorted(form.changed_data)},
        )


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
