"""Units, people, roles and memberships in the Django admin.

Saves go through the org services so that paths stay right and every change is audited
with the staff member as actor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.audit.services import record
from lienthong.core.admin import RestrictedAdmin
from lienthong.org import services
from lienthong.org.models import Membership, Node, Position, Role, RoleGrant, Unit, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit", "role", "position"]
    fk_name = "user"


@admin.register(Unit)
class UnitAdmin(RestrictedAdmin):
    list_display = ["name", "short_name", "organ_id", "kind", "level", "parent", "active_to"]
    list_filter = ["kind", "level", "node"]
    search_fields = ["name", "name_folded", "organ_id", "short_name"]
    autocomplete_fields = ["parent", "successor"]
    readonly_fields = ["path", "depth", "source_key"]

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name]
            for name in services.UNIT_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.unit_update(actor=request.user, unit=Unit.objects.get(pk=obj.pk), **fields)  # type: ignore[arg-type]
        else:
            fields.pop("successor", None)
            fields.pop("active_to", None)
            created = services.unit_create(actor=request.user, **fields)  # type: ignore[arg-type]
            obj.pk = created.pk


@admin.register(User)
class UserAdmin(DjangoUserAdmin, RestrictedAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "full_name_folded", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Profile"), {"fields": ("full_name", "phone", "preferred_language")}),
    )
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,  # type: ignore[arg-type]
            verb="user.update" if change else "user.create",
            target=obj,
            data={"fields": sorted(form.changed_data)},
        )


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "clearance", "is_builtin"]
    search_fields = ["code", "name"]
    inlines = [RoleGrantInline]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "rank"]
    search_fields = ["name"]


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "network_profile", "is_local"]


@admin.register(Membership)
class MembershipAdmin(RestrictedAdmin):
    list_display = ["user", "unit", "role", "position", "is_primary", "active_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit", "role", "position"]
