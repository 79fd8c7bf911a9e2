"""The admin of report forms (issue #8 scope 4): the steering committee defines a form
and its fields; the units' reports are read here and written through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lienthong.audit.admin import AuditedAdmin
from lienthong.core.admin import RestrictedAdmin
from lienthong.reports.models import ReportField, ReportForm, ReportSubmission


class ReportFieldInline(admin.TabularInline):
    model = ReportField
    extra = 1
    fields = (
        "order",
        "code",
        "label",
        "type",
        "required",
        "minimum",
        "maximum",
        "rollup",
        "of_field",
    )


@admin.register(ReportForm)
class ReportFormAdmin(AuditedAdmin):
    """A form, its period, its deadline, who fills it and its fields."""

    list_display = ("title", "unit", "period", "deadline_days", "filler_kind", "is_active")
    list_filter = ("period", "is_active")
    inlines = (ReportFieldInline,)


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(RestrictedAdmin):
    """The units' reports, read-only: they change through the services (audited)."""

    list_display = ("form", "unit", "period_start", "state", "submitted_at", "approved_at")
    list_filter = ("state", "form")
    readonly_fields = (
        "form",
        "unit",
        "period_start",
        "state",
        "values",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "reminded_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
