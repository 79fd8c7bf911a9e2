from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Official documents: registers, numbering, drafting to issuing, handling, search."""

    name = "lienthong.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from lienthong.documents import checks  # noqa: F401 - registers the search checks
