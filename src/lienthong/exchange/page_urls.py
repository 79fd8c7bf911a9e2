"""URLs of the exchange pages (Vietnamese paths, English names), included at "lien-thong/"."""

from __future__ import annotations

from django.urls import path

from lienthong.exchange import pages

urlpatterns = [
    path("hop-den/", pages.inbox, name="exchange-inbox"),
    path("hop-den/<int:pk>/vao-so/", pages.inbox_register, name="exchange-inbox-register"),
    path("hop-den/<int:pk>/tu-choi/", pages.inbox_refuse, name="exchange-inbox-refuse"),
    path("hop-den/<int:pk>/tra-lai/", pages.recall_accept, name="exchange-recall-accept"),
    path("hop-den/<int:pk>/khong-tra-lai/", pages.recall_refuse, name="exchange-recall-refuse"),
    path("van-ban/<int:pk>/", pages.sent_trail, name="exchange-trail"),
    path("van-hanh/", pages.operations, name="exchange-operations"),
    path("van-hanh/gui-lai/<uuid:pk>/", pages.redrive, name="exchange-redrive"),
    path("van-hanh/cach-ly/<uuid:pk>/tha/", pages.inbound_release, name="exchange-release"),
    path("van-hanh/cach-ly/<uuid:pk>/huy/", pages.inbound_discard, name="exchange-discard"),
]
