"""Serializers of the organisation's REST API (``/api/v1/``).

Output serializers describe what a client reads; input serializers only parse and
validate what a client sends, and the view hands the result to a service (STYLE habit 7).
Every object a client names by its primary key is resolved through ``restrict`` for the
person asking (STYLE habit 6, anti-pattern A): a parent outside their scope is "not
found", exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lienthong.org.choices import UnitKind, UnitLevel
from lienthong.org.models import Membership, Node, Position, Role, Unit, User

__all__ = [
    "MeSerializer",
    "MembershipSerializer",
    "OwnMembershipSerializer",
    "PersonSerializer",
    "UnitInputSerializer",
    "UnitSerializer",
]


class UnitSerializer(serializers.ModelSerializer[Unit]):
    """A unit as a client reads it."""

    node = serializers.SlugRelatedField[Node](slug_field="code", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Unit
        fields = (
            "id",
            "parent",
            "depth",
            "kind",
            "level",
            "name",
            "short_name",
            "organ_id",
            "node",
            "active_from",
            "active_to",
            "successor",
            "sort_order",
            "is_active",
        )
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ScopedParentField(serializers.PrimaryKeyRelatedField[Unit]):
    """A parent unit given by primary key, looked up among the units where the person asking
    may add units (``Unit.objects.restrict(user, "add")``); anything else is "not found"."""

    default_error_messages = {
        "does_not_exist": _("Unit {pk_value} does not exist or is outside your units."),
    }

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return Unit.objects.restrict(user, "add")


class UnitInputSerializer(serializers.Serializer[Unit]):
    """What a client sends to create or change a unit; the view calls the service with it.

    Placing a unit under ``parent`` (on creation or on a move) needs the ``add`` permission
    on that parent: it adds a unit below it.
    """

    # "parent" shadows Field.parent only for the type checker; DRF collects it as a field.
    parent = _ScopedParentField(  # type: ignore[assignment]
        help_text=_("The unit above; it must be one where you may add units.")
    )
    name = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    level = serializers.ChoiceField(choices=UnitLevel.choices)
    short_name = serializers.CharField(max_length=30, required=False, allow_blank=True)
    organ_id = serializers.CharField(
        max_length=35, required=False, allow_blank=True, allow_null=True
    )
    active_from = serializers.DateField(required=False, allow_null=True)
    sort_order = serializers.IntegerField(min_value=0, required=False)

    def validate_name(self, value: str) -> str:
        """Refuse a name made only of spaces."""
        if not value.strip():
            raise serializers.ValidationError(_("A unit needs a name."))
        return value.strip()


class PersonSerializer(serializers.ModelSerializer[User]):
    """A person as a colleague reads them: never the password hash or permission flags."""

    class Meta:
        model = User
        fields = ("id", "username", "full_name", "email", "phone", "is_active")
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    """A role held by a person in a unit."""

    person = serializers.PrimaryKeyRelatedField[User](source="user", read_only=True)
    person_name = serializers.CharField(source="user.__str__", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role = serializers.SlugRelatedField[Role](slug_field="code", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)
    position = serializers.SlugRelatedField[Position](slug_field="name", read_only=True)

    class Meta:
        model = Membership
        fields: tuple[str, ...] = (
            "id",
            "person",
            "person_name",
            "unit",
            "unit_name",
            "role",
            "role_name",
            "position",
            "is_primary",
            "active_from",
            "active_to",
        )
        read_only_fields: tuple[str, ...] = fields


class OwnMembershipSerializer(MembershipSerializer):
    """One of the current person's own memberships, with the role's clearance."""

    clearance = serializers.IntegerField(source="role.clearance", read_only=True)

    class Meta(MembershipSerializer.Meta):
        fields = (*MembershipSerializer.Meta.fields, "clearance")
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer[User]):
    """The person calling the API, with the roles they hold in their units."""

    memberships = OwnMembershipSerializer(many=True, read_only=True)
    language = serializers.CharField(source="preferred_language", read_only=True)

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "full_name",
            "email",
            "phone",
            "language",
            "is_staff",
            "is_superuser",
            "memberships",
        )
        read_only_fields = fields
