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

from lienthong.reports import form_pages  # noqa: E402

urlpatterns += [
    path("mau/", form_pages.form_list, name="reports-forms"),
    path(
        "mau/<int:form_id>/don-vi/<int:unit_id>/ky/<str:day>/",
        form_pages.fill,
        name="reports-fill",
    ),
    path("mau/<int:form_id>/tong-hop/", form_pages.rollup_page, name="reports-rollup"),
    path(
        "mau/<int:form_id>/tong-hop.xlsx", form_pages.rollup_xlsx_view, name="reports-rollup-xlsx"
    ),
    path("mau/<int:form_id>/tong-hop.pdf", form_pages.rollup_pdf_view, name="reports-rollup-pdf"),
]
