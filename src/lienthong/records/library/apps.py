from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """The library of Party documents (văn kiện; issue #9 scope 5): the nghị quyết, chỉ
    thị, kết luận, quy định, hướng dẫn… that every staff member of the network may search
    within their clearance, kept by the committee offices."""

    name = "lienthong.records.library"
    label = "library"
    verbose_name = _("Library of Party documents")

    def ready(self) -> None:
        # The documents search facade indexes publications too (a second collection with
        # the same Vietnamese analysis): registered here, since documents sits below us.
        from lienthong.documents.search import register_collection
        from lienthong.records.library.search import COLLECTION

        register_collection(COLLECTION)
