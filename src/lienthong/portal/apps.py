from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal of the node (issue #10 scope 1): anonymous, light, phone-first
    pages at ``/cong-thong-tin/`` (DESIGN.md "Contracts: HTTP")."""

    name = "lienthong.portal"
    label = "portal"
    verbose_name = _("Public portal")
