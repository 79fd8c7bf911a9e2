"""URLs of the counting board's pages (Vietnamese paths, English names), at "bau-cu/"."""

from __future__ import annotations

from django.urls import path

from lienthong.elections import pages

urlpatterns = [
    path("", pages.home, name="elections-home"),
    path("dai-hoi/<int:pk>/", pages.congress, name="elections-congress"),
    path("cuoc-bau/<int:pk>/", pages.election, name="elections-election"),
    path("cuoc-bau/<int:pk>/ung-cu-vien/", pages.candidates_add, name="elections-candidates"),
    path("cuoc-bau/<int:pk>/ban-kiem-phieu/", pages.board_set, name="elections-board"),
    path("cuoc-bau/<int:pk>/mo-lan-bau/", pages.round_open, name="elections-round-open"),
    path("lan-bau/<int:pk>/", pages.round_detail, name="elections-round"),
    path("lan-bau/<int:pk>/phieu-bau.pdf", pages.ballots_pdf, name="elections-ballots"),
    path("lan-bau/<int:pk>/nhap/<int:team>/", pages.entry, name="elections-entry"),
    path("lan-bau/<int:pk>/quyet-dinh/<int:number>/", pages.decide, name="elections-decide"),
    path("lan-bau/<int:pk>/kiem-phieu/", pages.count, name="elections-count"),
    path("lan-bau/<int:pk>/bien-ban.pdf", pages.minutes, name="elections-minutes"),
    path("lan-bau/<int:pk>/ky-bien-ban/", pages.minutes_sign, name="elections-minutes-sign"),
    path("lan-bau/<int:pk>/ho-so.zip", pages.evidence, name="elections-evidence"),
    path("lan-bau/<int:pk>/trinh-chieu/", pages.projector, name="elections-projector"),
    path("lan-bau/<int:pk>/nhat-ky/", pages.journal, name="elections-journal"),
    path("lan-bau/<int:pk>/phieu-quet/", pages.scans_status, name="elections-scans"),
    path("lan-bau/<int:pk>/tai-phieu-quet/", pages.scans_upload, name="elections-scans-upload"),
    path("lan-bau/<int:pk>/duyet-phieu-quet/", pages.review, name="elections-review"),
    path(
        "lan-bau/<int:pk>/phieu-quet/<int:number>.png",
        pages.scan_image,
        name="elections-scan-image",
    ),
]
