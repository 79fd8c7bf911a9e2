"""The organisation's REST API: units, people, memberships and the current person.

Views stay thin (STYLE habit 7): every queryset comes from a selector that takes
``request.user`` and starts from ``restrict(user, action)``, so an object outside the
person's scope answers 404 exactly like a missing one (habit 6); every write calls a
service of ``lienthong.org.services`` with the person as actor, so it is validated and
audited like a write from any other path.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lienthong.core.errors import PermissionDenied
from lienthong.core.permissions import permission_name, user_can
from lienthong.org import selectors, services
from lienthong.org.api.serializers import (
    MembershipSerializer,
    MeSerializer,
    PersonSerializer,
    UnitInputSerializer,
    UnitSerializer,
)
from lienthong.org.models import Membership, Unit, User

__all__ = ["MeView", "MembershipViewSet", "PersonViewSet", "UnitViewSet"]

#: The permission action each viewset action needs (anything unlisted is a read).
_ACTION_FOR = {"create": "add", "update": "change", "partial_update": "change"}


def _person(request: Request) -> User:
    """The signed-in person making the request (every endpoint needs authentication)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user


def _int_param(request: Request, name: str) -> int | None:
    """Read an optional integer query parameter; a non-integer is a 400, not a 500."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise serializers.ValidationError({name: [_("Expected a whole number.")]}) from exc


class HoldsModelPermission(permissions.BasePermission):
    """Refuse a write (403) to a person who holds the model's permission in no unit.

    This is only the coarse gate that gives a clear 403; which objects a person may write
    is decided by ``restrict(user, action)`` on every object (STYLE anti-pattern A).
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        """Allow reads to any signed-in person; writes need the permission somewhere."""
        if not request.user or not request.user.is_authenticated:
            return False
        action = _ACTION_FOR.get(getattr(view, "action", "") or "")
        if action is None:
            return True
        model = view.queryset_model
        return user_can(request.user, permission_name(model, action))


_UNIT_LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description=(
            "Search words; every word must appear in the name or short name "
            "(diacritics optional). At most 50 results, shallow units first."
        ),
    ),
    OpenApiParameter("parent", OpenApiTypes.INT, description="Only the units directly under it."),
]


@extend_schema_view(
    list=extend_schema(parameters=_UNIT_LIST_PARAMETERS),
    create=extend_schema(request=UnitInputSerializer, responses={201: UnitSerializer}),
    update=extend_schema(request=UnitInputSerializer, responses=UnitSerializer),
    partial_update=extend_schema(request=UnitInputSerializer, responses=UnitSerializer),
)
class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Unit],
):
    """Units (đơn vị) the person may see; creation and changes for IT officers."""

    serializer_class = UnitSerializer
    queryset_model = Unit
    permission_classes = [HoldsModelPermission]

    def get_queryset(self) -> QuerySet[Unit]:
        """The units the person may act on for this request's action."""
        action = _ACTION_FOR.get(self.action or "", "view")
        return selectors.unit_list(user=self.request.user, action=action)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Unit]]:
        """Input serializer for writes, output serializer for reads."""
        if self.action in _ACTION_FOR:
            return UnitInputSerializer
        return UnitSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the visible units, optionally searched (``?q=``) or under one parent."""
        parent_id = _int_param(request, "parent")
        query = request.query_params.get("q", "").strip()
        units: QuerySet[Unit] | list[Unit]
        if query:
            units = selectors.unit_search(user=request.user, query=query)
            if parent_id is not None:
                units = [unit for unit in units if unit.parent_id == parent_id]
        else:
            units = self.get_queryset()
            if parent_id is not None:
                units = units.filter(parent_id=parent_id)
        page = self.paginate_queryset(units)
        if page is not None:
            return self.get_paginated_response(UnitSerializer(page, many=True).data)
        return Response(UnitSerializer(units, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a unit under a parent in the person's scope (``unit_create``)."""
        incoming = UnitInputSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            unit = services.unit_create(actor=_person(request), **incoming.validated_data)
            self._recheck(unit, "add")
        unit = selectors.unit_get(user=request.user, pk=unit.pk)
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a unit the person may change (``unit_update``); a new parent moves it."""
        unit = self.get_object()
        partial = kwargs.get("partial", False)
        incoming = UnitInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            services.unit_update(actor=_person(request), unit=unit, **incoming.validated_data)
            self._recheck(unit, "change")
        unit = selectors.unit_get(user=request.user, pk=unit.pk)
        return Response(UnitSerializer(unit).data)

    def _recheck(self, unit: Unit, action: str) -> None:
        """After a write, the unit must still be in the person's scope, else roll back
        (STYLE habit 6: re-check after writes)."""
        if (
            not selectors.unit_list(user=self.request.user, action=action)
            .filter(pk=unit.pk)
            .exists()
        ):
            raise PermissionDenied(_("The unit would leave the units you may manage."))


class PersonViewSet(viewsets.ReadOnlyModelViewSet[User]):
    """People (người dùng) who hold a role in a unit the person may see."""

    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[User]:
        """The people visible to the person asking."""
        people: QuerySet[User] = selectors.user_list(user=self.request.user)
        return people


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="Only this unit's."),
            OpenApiParameter("person", OpenApiTypes.INT, description="Only this person's."),
        ]
    )
)
class MembershipViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Membership]):
    """Memberships (who holds which role where) in the units the person may see."""

    serializer_class = MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        """Visible memberships, optionally of one unit or one person.

        The filters narrow an already restricted queryset, so naming an out-of-scope
        unit or person simply gives an empty list.
        """
        qs: QuerySet[Membership] = selectors.membership_list(user=self.request.user)
        unit_id = _int_param(self.request, "unit")
        person_id = _int_param(self.request, "person")
        if unit_id is not None:
            qs = qs.filter(unit_id=unit_id)
        if person_id is not None:
            qs = qs.filter(user_id=person_id)
        return qs


class MeView(APIView):
    """The person calling the API and the roles they hold now."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        """Answer the current person with their active memberships."""
        own = Membership.objects.active().select_related("user", "unit", "role", "position")
        # The person's own account, found by their own id (not a client-sent key).
        me = (
            User.objects.filter(pk=request.user.pk)
            .prefetch_related(Prefetch("memberships", queryset=own))
            .get()
        )
        return Response(MeSerializer(me).data)
