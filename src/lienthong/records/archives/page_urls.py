"""URLs of the archive pages (Vietnamese paths, English names), at "ho-so/luu-tru/"."""

from __future__ import annotations

from django.urls import path

from lienthong.records.archives import pages

urlpatterns = [
    path("", pages.files, name="archives-files"),
    path("sap-den-han/", pages.due, name="archives-due"),
    path("danh-muc/", pages.plans, name="archives-plans"),
    path("danh-muc/moi/", pages.plan_new, name="archives-plan-new"),
    path("danh-muc/<int:pk>/", pages.plan_detail, name="archives-plan"),
    path("danh-muc/<int:pk>/de-muc/", pages.plan_heading, name="archives-plan-heading"),
    path("danh-muc/<int:pk>/ho-so/", pages.plan_entry, name="archives-plan-entry"),
    path("danh-muc/<int:pk>/duyet/", pages.plan_approve, name="archives-plan-approve"),
    path("danh-muc/<int:pk>/nhap/", pages.plan_import, name="archives-plan-import"),
    path("danh-muc/<int:pk>/danh-muc.pdf", pages.plan_pdf, name="archives-plan-pdf"),
    path("danh-muc/<int:pk>/danh-muc.xlsx", pages.plan_xlsx, name="archives-plan-xlsx"),
    path("ho-so/moi/", pages.file_new, name="archives-file-new"),
    path("ho-so/<int:pk>/", pages.file_detail, name="archives-file"),
    path("ho-so/<int:pk>/them/", pages.file_add, name="archives-file-add"),
    path("ho-so/<int:pk>/bo/", pages.file_remove, name="archives-file-remove"),
    path("ho-so/<int:pk>/ket-thuc/", pages.file_close, name="archives-file-close"),
    path("ho-so/<int:pk>/giu-lai/", pages.file_keep_back, name="archives-file-keep"),
    path("ho-so/<int:pk>/muc-luc-van-ban.pdf", pages.file_index_pdf, name="archives-file-index"),
    path("ho-so/<int:pk>/ho-so.zip", pages.file_zip, name="archives-file-zip"),
    path("nop-luu/moi/", pages.handover_new, name="archives-handover-new"),
    path("nop-luu/<int:pk>/", pages.handover_detail, name="archives-handover"),
    path("nop-luu/<int:pk>/da-nhan/", pages.handover_receive, name="archives-handover-receive"),
    path(
        "nop-luu/<int:pk>/bien-ban.pdf",
        pages.handover_minutes_pdf,
        name="archives-handover-minutes",
    ),
    path(
        "nop-luu/<int:pk>/muc-luc.pdf",
        pages.handover_catalogue_pdf,
        name="archives-handover-catalogue",
    ),
    path(
        "nop-luu/<int:pk>/muc-luc.xlsx",
        pages.handover_catalogue_xlsx,
        name="archives-handover-xlsx",
    ),
]
