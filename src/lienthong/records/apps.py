from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """Party-member records, file plans and the archive catalogue, the library of Party
    documents (issue #9): the specialised databases of the data-integration centre."""

    name = "lienthong.records"
    label = "records"
    verbose_name = _("Records")
