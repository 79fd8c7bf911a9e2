"""URLs of the infra pages (Vietnamese paths, English names), at "ha-tang/"."""

from __future__ import annotations

from django.urls import path

from lienthong.infra import pages

urlpatterns = [
    path("thiet-bi/", pages.assets, name="infra-assets"),
    path("thiet-bi/xuat.xlsx", pages.assets_export, name="infra-assets-export"),
    path("thiet-bi/nhap/", pages.assets_import, name="infra-assets-import"),
    path("giam-sat/", pages.probes, name="infra-probes"),
]
