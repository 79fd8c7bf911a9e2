from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Citizens' feedback (góp ý; issue #10 scope 2): the public form with its tracking
    code and status page, routing to the responsible unit by topic, the staff's answer,
    the published answers and the figures for Reports."""

    name = "lienthong.portal.feedback"
    label = "feedback"
    verbose_name = _("Citizens' feedback")
