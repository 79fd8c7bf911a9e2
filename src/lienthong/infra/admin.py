"""The admin of IT assets (issue #8 scope 1): IT officers list, filter and edit the
equipment of their units; every save goes through the services (history and audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.audit.admin import AuditedAdmin
from lienthong.core.admin import RestrictedAdmin
from lienthong.core.errors import ApplicationError
from lienthong.infra import services
from lienthong.infra.models import (
    Asset,
    AssetChange,
    Contest,
    ContestEntry,
    ItStaff,
    Link,
    Probe,
    TrainingClass,
    TrainingParticipant,
)


class AssetChangeInline(admin.TabularInline):
    """The history of an asset, read-only."""

    model = AssetChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "action", "changed_by", "fields")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssetForm(ModelForm):
    """The services' checks, shown on the form's fields before anything is saved."""

    class Meta:
        model = Asset
        fields = ("unit", *services.EDITABLE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in services.asset_check(data).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data


@admin.register(Asset)
class AssetAdmin(RestrictedAdmin):
    """Equipment by unit, kind and status; "due for replacement" shown per row."""

    list_display = ("__str__", "unit", "serial", "year_acquired", "status", "due")
    list_filter = ("kind", "status", "funding")
    search_fields = ("make", "model", "serial", "unit__name")
    form = AssetForm
    fields = ("unit", *services.EDITABLE)
    inlines = (AssetChangeInline,)

    @admin.display(boolean=True, description=_("due for replacement"))
    def due(self, obj: Asset) -> bool:
        return obj.due_for_replacement()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.EDITABLE}
        try:
            if change:
                services.asset_update(actor=request.user, asset=obj, **values)  # type: ignore[arg-type]
            else:
                created = services.asset_create(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=form.cleaned_data["unit"],
                    **values,
                )
                obj.pk = created.pk
        except ApplicationError as exc:  # a race (the same serial saved meanwhile)
            self.message_user(request, str(exc.message), level="error")


@admin.register(Link)
class LinkAdmin(AuditedAdmin):
    """The units' connections (medium, provider, since, bandwidth)."""

    list_display = ("unit", "medium", "provider", "since", "bandwidth_mbps")
    list_filter = ("medium",)
    search_fields = ("unit__name", "provider")


@admin.register(Probe)
class ProbeAdmin(AuditedAdmin):
    """The live checks of the units; the state columns follow the results."""

    list_display = ("name", "unit", "kind", "last_ok", "last_checked_at", "down_since")
    list_filter = ("kind", "enabled", "last_ok")
    search_fields = ("name", "unit__name", "host", "url")
    fields = (
        "unit",
        "name",
        "kind",
        "host",
        "port",
        "url",
        "expected_status",
        "interval_seconds",
        "timeout_seconds",
        "enabled",
        "last_checked_at",
        "last_ok",
        "down_since",
        "alerted_at",
    )
    readonly_fields = ("last_checked_at", "last_ok", "down_since", "alerted_at")


@admin.register(ItStaff)
class ItStaffAdmin(AuditedAdmin):
    """The units' IT staff, dedicated or part-time, with their qualification."""

    list_display = ("full_name", "unit", "dedicated", "qualification", "since")
    list_filter = ("dedicated", "qualification")
    search_fields = ("full_name", "unit__name")


class TrainingParticipantInline(admin.TabularInline):
    model = TrainingParticipant
    extra = 1
    fields = ("full_name", "unit", "completed")


@admin.register(TrainingClass)
class TrainingClassAdmin(AuditedAdmin):
    """Training classes with their participants."""

    list_display = ("topic", "unit", "starts_on", "ends_on")
    search_fields = ("topic", "unit__name")
    inlines = (TrainingParticipantInline,)


class ContestEntryInline(admin.TabularInline):
    model = ContestEntry
    extra = 1
    fields = ("round", "unit", "entrant", "score", "prize")


@admin.register(Contest)
class ContestAdmin(AuditedAdmin):
    """IT contests, their rounds, entrants and results."""

    list_display = ("name", "year", "unit")
    search_fields = ("name", "unit__name")
    inlines = (ContestEntryInline,)
