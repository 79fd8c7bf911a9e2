"""Documents in the Django admin: types and unit settings to configure, registers, and a
read-only view of documents and handling (they change only through the services).

Unit settings and registers are scoped to the staff member's units (``RestrictedAdmin``)
and every save is audited with the staff member as actor; documents are also limited by
the person's clearance (vn-rules.md §5.2), as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from lienthong.audit.admin import AuditedAdmin
from lienthong.audit.services import record
from lienthong.core.admin import RestrictedAdmin
from lienthong.documents.models import (
    Assignment,
    Document,
    DocumentEvent,
    DocumentType,
    Register,
    UnitProfile,
)


class _ReadOnly:
    """No add, change or delete from the admin: these rows change through services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    """The types of documents: data an administrator can extend (issue #4, scope 1)."""

    list_display = ["name", "code", "convention", "is_letter", "is_active", "sort_order"]
    list_filter = ["convention", "is_active", "is_letter"]
    search_fields = ["name", "code"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        obj.full_clean()
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,  # type: ignore[arg-type]
            verb="documenttype.update" if change else "documenttype.create",
            target=obj,
            data={"fields": sorted(form.changed_data)},
        )


@admin.register(UnitProfile)
class UnitProfileAdmin(AuditedAdmin):
    """A unit's convention, issuing body abbreviation and place name."""

    list_display = ["unit", "convention", "issuer_code", "place_name"]
    list_filter = ["convention"]
    search_fields = ["unit__name", "issuer_code"]
    autocomplete_fields = ["unit"]


@admin.register(Register)
class RegisterAdmin(AuditedAdmin):
    """Registers and how they number (period, series, classified documents)."""

    list_display = ["name", "unit", "direction", "period_kind", "series_kind", "is_active"]
    list_filter = ["direction", "period_kind", "series_kind", "is_active"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


class DocumentEventInline(admin.TabularInline):
    model = DocumentEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "text")
    readonly_fields = ("created_at", "kind", "actor", "text")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(_ReadOnly, RestrictedAdmin):
    """Documents, read-only (the pages and the API change them through the services)."""

    list_display = ["__str__", "unit", "direction", "state", "issued_date", "arrival_number"]
    list_filter = ["direction", "state", "convention", "priority"]
    search_fields = ["subject", "code_notation", "issuer_name"]
    date_hierarchy = "created_at"
    inlines = [DocumentEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if getattr(request.user, "is_superuser", False):
            return qs
        return qs.filter(classification__lte=getattr(request.user, "clearance", 0))


@admin.register(Assignment)
class AssignmentAdmin(_ReadOnly, RestrictedAdmin):
    """Handling assignments, read-only."""

    list_display = ["document", "role", "assignee", "assignee_unit", "deadline", "state"]
    list_filter = ["role", "state"]
