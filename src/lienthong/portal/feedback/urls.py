"""URLs of citizens' feedback, mounted at ``/cong-thong-tin/gop-y/`` (config/urls.py):
the public form, status and answered pages; the staff pages under ``quan-ly/``."""

from __future__ import annotations

from django.urls import path

from lienthong.portal.feedback import views

urlpatterns = [
    path("", views.feedback_new, name="feedback-new"),
    path("tra-cuu/", views.feedback_status, name="feedback-status"),
    path("da-tra-loi/", views.feedback_answered, name="feedback-answered"),
    path("quan-ly/", views.feedback_list_page, name="feedback-list"),
    path("quan-ly/thong-ke/", views.feedback_statistics_page, name="feedback-statistics"),
    path("quan-ly/chu-de/", views.topics, name="feedback-topics"),
    path("quan-ly/chu-de/<int:pk>/", views.topic_edit, name="feedback-topic-edit"),
    path("quan-ly/<int:pk>/", views.feedback_detail, name="feedback-detail"),
    path("quan-ly/<int:pk>/tra-loi/", views.feedback_answer_page, name="feedback-answer"),
    path("quan-ly/<int:pk>/dong/", views.feedback_close_page, name="feedback-close"),
    path("quan-ly/<int:pk>/cong-khai/", views.feedback_publish_page, name="feedback-publish"),
    path(
        "quan-ly/<int:pk>/tep-dinh-kem/",
        views.feedback_attachment_page,
        name="feedback-attachment",
    ),
]
