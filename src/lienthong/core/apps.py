from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel: base models, permissions, text, tasks wiring, the page shell."""

    name = "lienthong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from lienthong.core import checks  # noqa: F401 - registers the deploy checks
