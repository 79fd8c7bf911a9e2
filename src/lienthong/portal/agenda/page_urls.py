"""URLs of the work calendar and the notifications (Vietnamese paths, English names), at
"lich/"."""

from __future__ import annotations

from django.urls import path

from lienthong.portal.agenda import pages

urlpatterns = [
    path("", pages.week, name="agenda-week"),
    path("in/", pages.week_print, name="agenda-week-print"),
    path("moi/", pages.event_new, name="agenda-new"),
    path("<int:pk>/", pages.event_detail, name="agenda-event"),
    path("<int:pk>/sua/", pages.event_edit, name="agenda-edit"),
    path("<int:pk>/cong-bo/", pages.event_publish_page, name="agenda-publish"),
    path("<int:pk>/huy/", pages.event_cancel_page, name="agenda-cancel"),
    path("<int:pk>/bien-ban/", pages.event_minutes_upload, name="agenda-minutes-upload"),
    path("<int:pk>/bien-ban.pdf", pages.event_minutes, name="agenda-minutes"),
    path("thong-bao/", pages.notifications_page, name="agenda-notifications"),
    path("thong-bao/<int:pk>/", pages.notification_open, name="agenda-notification-open"),
    path("thong-bao/doc-het/", pages.notifications_read_all_page, name="agenda-notifications-read"),
]
