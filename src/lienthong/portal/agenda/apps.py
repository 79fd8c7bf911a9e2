from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    """The work calendar (lịch công tác), staff notifications and the panels of the
    internal home page (issue #10 scopes 3, 4, 5)."""

    name = "lienthong.portal.agenda"
    label = "agenda"
    verbose_name = _("Work calendar")

    def ready(self) -> None:
        # The home page is served by org, which sits below us: we register its panels
        # (DESIGN.md "hooks").
        from lienthong.org.home import register_home_panel
        from lienthong.portal.agenda import home

        for panel in home.PANELS:
            register_home_panel(panel)
