"""URLs of the organisation pages (Vietnamese paths, English names)."""

from __future__ import annotations

from django.urls import path

from lienthong.org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/", views.unit_tree, name="unit-tree"),
    path("don-vi/tim/", views.unit_search_view, name="unit-search"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("don-vi/<int:pk>/con/", views.unit_children_view, name="unit-children"),
    path("nguoi-dung/<int:pk>/", views.person_detail, name="person-detail"),
]
