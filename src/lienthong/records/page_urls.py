"""URLs of the party-member record pages (Vietnamese paths, English names), at "ho-so/"."""

from __future__ import annotations

from django.urls import path

from lienthong.records import pages

urlpatterns = [
    path("dang-vien/", pages.members, name="records-members"),
    path("dang-vien/xuat.xlsx", pages.members_export, name="records-members-export"),
    path("dang-vien/xuat.pdf", pages.members_export_pdf, name="records-members-pdf"),
    path("dang-vien/nhap/", pages.members_import, name="records-members-import"),
    path("dang-vien/thong-ke/", pages.member_statistics_page, name="records-statistics"),
    path(
        "dang-vien/thong-ke/xuat.xlsx",
        pages.member_statistics_export,
        name="records-statistics-export",
    ),
    path("dang-vien/doi-chieu/", pages.reconciliation_page, name="records-reconciliation"),
    path(
        "dang-vien/doi-chieu/xuat.xlsx",
        pages.reconciliation_export,
        name="records-reconciliation-export",
    ),
    path(
        "dang-vien/doi-chieu/xuat.pdf",
        pages.reconciliation_export_pdf,
        name="records-reconciliation-pdf",
    ),
    path("dang-vien/moi/", pages.member_new, name="records-member-new"),
    path("dang-vien/<int:pk>/", pages.member_detail, name="records-member"),
    path("dang-vien/<int:pk>/sua/", pages.member_edit, name="records-member-edit"),
    path("dang-vien/<int:pk>/anh.jpg", pages.member_photo_image, name="records-member-photo"),
    path("dang-vien/<int:pk>/anh/", pages.member_photo_upload, name="records-member-photo-upload"),
    path("dang-vien/<int:pk>/chuyen/", pages.transfer_send_page, name="records-member-transfer"),
    path(
        "dang-vien/<int:pk>/qua-trinh/them/",
        pages.member_event_new,
        name="records-member-event-new",
    ),
    path(
        "dang-vien/<int:pk>/qua-trinh/<int:event_pk>/sua/",
        pages.member_event_edit,
        name="records-member-event-edit",
    ),
    path(
        "dang-vien/<int:pk>/qua-trinh/<int:event_pk>/xoa/",
        pages.member_event_remove_page,
        name="records-member-event-remove",
    ),
    path("chuyen-sinh-hoat/", pages.transfers, name="records-transfers"),
    path(
        "chuyen-sinh-hoat/<int:pk>/nhan/",
        pages.transfer_accept_page,
        name="records-transfer-accept",
    ),
    path(
        "chuyen-sinh-hoat/<int:pk>/tu-choi/",
        pages.transfer_refuse_page,
        name="records-transfer-refuse",
    ),
]
