from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The programme's figures (issue #8): KPIs computed from the data, dashboards,
    periodic report forms rolled up the tree."""

    name = "lienthong.reports"
    label = "reports"
    verbose_name = _("Reports")
