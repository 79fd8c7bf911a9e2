"""URL map of a lienthong node (DESIGN.md "Contracts: HTTP")."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("lienthong.core.urls")),
    path("", include("lienthong.org.urls")),
    path("trust/", include("lienthong.trust.urls")),
    path("van-ban/", include("lienthong.documents.urls")),
    path("exchange/", include("lienthong.exchange.urls")),
    path("lien-thong/", include("lienthong.exchange.page_urls")),
    path("bau-cu/", include("lienthong.elections.page_urls")),
    path("bao-cao/", include("lienthong.reports.page_urls")),
    path("ha-tang/", include("lienthong.infra.page_urls")),
    path("ho-so/luu-tru/", include("lienthong.records.archives.page_urls")),
    path("ho-so/", include("lienthong.records.page_urls")),
    path("thu-vien/", include("lienthong.records.library.page_urls")),
    path("cong-thong-tin/gop-y/", include("lienthong.portal.feedback.urls")),
    path("cong-thong-tin/", include("lienthong.portal.urls")),
    path("lich/", include("lienthong.portal.agenda.page_urls")),
    path("api/v1/", include("lienthong.config.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = settings.NODE_NAME
admin.site.site_title = "lienthong"
