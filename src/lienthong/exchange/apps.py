from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Document exchange between units and nodes: edXML, outbox, inbox, status trail."""

    name = "lienthong.exchange"
    label = "exchange"
    verbose_name = _("Exchange")
