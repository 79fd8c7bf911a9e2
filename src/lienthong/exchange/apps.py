from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Document exchange between units and nodes: edXML, outbox, inbox, status trail."""

    name = "lienthong.exchange"
    label = "exchange"
    verbose_name = _("Exchange")

    def ready(self) -> None:
        # DESIGN.md "hooks": documents calls these inside its own transactions.
        from lienthong.documents.services import issued_hooks
        from lienthong.documents.services.hooks import handling_hooks, recall_hooks
        from lienthong.exchange.services import (
            on_document_issued,
            on_document_recalled,
            on_handling_step,
        )

        if on_document_issued not in issued_hooks:
            issued_hooks.append(on_document_issued)
        if on_handling_step not in handling_hooks:
            handling_hooks.append(on_handling_step)
        if on_document_recalled not in recall_hooks:
            recall_hooks.append(on_document_recalled)

        from lienthong.core.health import CHECKS

        CHECKS["exchange"] = _health


def _health() -> dict[str, object]:
    """/healthz: the exchange lag (informative: a slow peer does not make this server
    unfit to take traffic)."""
    from lienthong.exchange.selectors import operations_summary

    summary = operations_summary()
    return {
        "ok": True,
        "queued": summary.queued,
        "lag_seconds": summary.lag_seconds,
        "dead": summary.dead,
        "quarantined": summary.quarantined,
    }
