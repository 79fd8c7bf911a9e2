from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """Party-member records, file plans and the archive catalogue, the library of Party
    documents (issue #9): the specialised databases of the data-integration centre."""

    name = "lienthong.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self) -> None:
        # DESIGN.md "hooks": a member's record travels as an exchange payload.
        from lienthong.exchange.services.payloads import payload_hooks, status_hooks
        from lienthong.records.transfers import PAYLOAD, on_payload, on_status

        payload_hooks[PAYLOAD] = on_payload
        if on_status not in status_hooks:
            status_hooks.append(on_status)
