"""URLs of the organisation's REST API, under ``/api/v1/`` in the ``api`` namespace.

Names: ``api:unit-list``, ``api:unit-detail``, ``api:person-list``, ``api:person-detail``,
``api:membership-list``, ``api:me`` (the namespace keeps them apart from the pages'
``unit-detail`` and ``person-detail``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from lienthong.org.api import views

app_name = "api"

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
