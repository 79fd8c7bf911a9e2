from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    """The node's CA, certificates, keys, PAdES signing and validation, timestamps."""

    name = "lienthong.trust"
    label = "trust"
    verbose_name = _("Trust")
