"""URLs of the public portal at "cong-thong-tin/" (Vietnamese paths, English names
prefixed ``portal-``): the public pages, and the back office under "quan-tri/".
Sub-apps (feedback at "cong-thong-tin/gop-y/") mount their own URLconf beside this one
in lienthong.config.urls."""

from __future__ import annotations

from django.urls import path

from lienthong.portal import pages, views

urlpatterns = [
    path("", views.home, name="portal-home"),
    path("thong-bao/", views.announcements, name="portal-announcements"),
    path("thong-bao/<int:pk>/", views.announcement_detail, name="portal-announcement"),
    path("van-ban/", views.documents, name="portal-documents"),
    path("van-ban/<int:pk>/", views.document_detail, name="portal-document"),
    path("van-ban/<int:pk>/tep.pdf", views.document_pdf, name="portal-document-pdf"),
    path("van-kien/<int:pk>/", views.publication_detail, name="portal-publication"),
    path("van-kien/<int:pk>/tep.pdf", views.publication_pdf, name="portal-publication-pdf"),
    path("tim-kiem/", views.search, name="portal-search"),
    # The back office (staff, logged in).
    path("quan-tri/", pages.staff_home, name="portal-staff"),
    path("quan-tri/thong-bao/moi/", pages.announcement_new, name="portal-staff-new"),
    path(
        "quan-tri/thong-bao/<int:pk>/",
        pages.announcement_staff,
        name="portal-staff-announcement",
    ),
    path("quan-tri/thong-bao/<int:pk>/sua/", pages.announcement_edit, name="portal-staff-edit"),
    path(
        "quan-tri/thong-bao/<int:pk>/gui-duyet/",
        pages.announcement_submit_page,
        name="portal-staff-submit",
    ),
    path(
        "quan-tri/thong-bao/<int:pk>/dang/",
        pages.announcement_publish_page,
        name="portal-staff-publish",
    ),
    path(
        "quan-tri/thong-bao/<int:pk>/go/",
        pages.announcement_withdraw_page,
        name="portal-staff-withdraw",
    ),
    path("quan-tri/van-ban/", pages.documents_staff, name="portal-staff-documents"),
    path(
        "quan-tri/van-ban/<int:pk>/go/",
        pages.document_unpublish_page,
        name="portal-staff-unpublish",
    ),
]
