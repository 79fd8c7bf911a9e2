"""The REST API at /api/v1/ and its OpenAPI schema."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("lienthong.org.api.urls")),
    path("documents/", include("lienthong.documents.api.urls")),
]
