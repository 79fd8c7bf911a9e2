"""URLs of the reports pages (Vietnamese paths, English names), at "bao-cao/"."""

from __future__ import annotations

from django.urls import path

from lienthong.reports import pages

urlpatterns = [
    path("", pages.dashboard, name="reports-dashboard"),
    path("chi-tiet/<slug:key>/", pages.drill, name="reports-drill"),
    path("xuat.xlsx", pages.export_xlsx, name="reports-export-xlsx"),
    path("xuat.pdf", pages.export_pdf, name="reports-export-pdf"),
]
