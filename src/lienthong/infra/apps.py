from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    """The programme's IT assets (issue #8): equipment per unit, its age and state."""

    name = "lienthong.infra"
    label = "infra"
    verbose_name = _("IT infrastructure")
