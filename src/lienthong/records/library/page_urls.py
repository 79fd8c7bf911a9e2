"""URLs of the library of Party documents (Vietnamese paths, English names), at
"thu-vien/"."""

from __future__ import annotations

from django.urls import path

from lienthong.records.library import pages

urlpatterns = [
    path("", pages.library, name="library-list"),
    path("xuat.xlsx", pages.library_export, name="library-export"),
    path("nhap/", pages.library_import, name="library-import"),
    path("moi/", pages.publication_new, name="library-new"),
    path("<int:pk>/", pages.publication_detail, name="library-publication"),
    path("<int:pk>/tep.pdf", pages.publication_pdf, name="library-pdf"),
    path("<int:pk>/sua/", pages.publication_edit, name="library-edit"),
    path("<int:pk>/quan-he/", pages.publication_relation_add, name="library-relate"),
    path("<int:pk>/thu-hoi/", pages.publication_withdraw_page, name="library-withdraw"),
]
