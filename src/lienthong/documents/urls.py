"""URLs of the documents pages (Vietnamese paths, English names), included at "van-ban/"."""

from __future__ import annotations

from django.urls import path

from lienthong.documents.views import dashboard, incoming, intake, outgoing, registers

urlpatterns = [
    path("", dashboard.home, name="documents-home"),
    path("van-thu/", dashboard.clerk, name="documents-clerk"),
    path("chuyen-vien/", dashboard.specialist, name="documents-specialist"),
    path("lanh-dao/", dashboard.leader, name="documents-leader"),
    path("soan-thao/", outgoing.draft_new, name="documents-new"),
    path("don-vi-nhan/", outgoing.recipient_search, name="documents-recipient-search"),
    path("den/moi/", incoming.incoming_new, name="documents-incoming-new"),
    path("so/", registers.register_page, name="documents-registers"),
    path("so-hoa/", intake.intake_page, name="documents-intake"),
    path("so-hoa/lo/", intake.intake_batch, name="documents-intake-batch"),
    path("so-hoa/tai-len/", intake.intake_upload_one, name="documents-intake-upload"),
    path("so-hoa/hang-doi/", intake.intake_queue, name="documents-intake-queue"),
    path("so-hoa/<int:pk>/doc-lai/", intake.intake_retry, name="documents-intake-retry"),
    path("tep/<int:pk>/", outgoing.file_download, name="documents-file"),
    path("<int:pk>/", outgoing.document_detail, name="documents-detail"),
    path("<int:pk>/sua/", outgoing.draft_edit, name="documents-edit"),
    path("<int:pk>/y-kien/", outgoing.comment, name="documents-comment"),
    path("<int:pk>/trinh/", outgoing.submit, name="documents-submit"),
    path("<int:pk>/duyet/", outgoing.approve, name="documents-approve"),
    path("<int:pk>/tra-lai/", outgoing.return_draft, name="documents-return"),
    path("<int:pk>/ky/", outgoing.sign, name="documents-sign"),
    path("<int:pk>/ban-hanh/", outgoing.issue, name="documents-issue"),
    path("<int:pk>/thu-hoi/", outgoing.recall, name="documents-recall"),
    path("<int:pk>/dinh-chinh/", outgoing.correct, name="documents-correct"),
    path("<int:pk>/thay-the/", outgoing.replace, name="documents-replace"),
    path("<int:pk>/giao/", incoming.assign, name="documents-assign"),
    path(
        "giao-viec/<int:pk>/tien-do/",
        incoming.assignment_progress,
        name="documents-assignment-progress",
    ),
    path("giao-viec/<int:pk>/xong/", incoming.assignment_done, name="documents-assignment-done"),
]
