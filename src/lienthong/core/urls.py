"""URLs of the page shell: health, log-in, log-out (the home page is in ``org.urls``)."""

from __future__ import annotations

from django.urls import path

from lienthong.core import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
]
