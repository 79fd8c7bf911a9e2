from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    """Congress vote counting: set-up, ballots, entry and scans, the Party's counting rules."""

    name = "lienthong.elections"
    label = "elections"
    verbose_name = _("Elections")
