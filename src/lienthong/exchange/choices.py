"""Choice sets of the exchange app (QCVN 102:2016 code lists; vn-rules.md §3.4-3.6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageKind(models.TextChoices):
    """What an envelope carries: a document (edoc) or a status message."""

    EDOC = "edoc", _("document")
    STATUS = "status", _("status message")


class BusinessType(models.IntegerChoices):
    """Bussiness/BussinessDocType (vn-rules.md §3.4)."""

    NEW = 0, _("new document")
    RECALL = 1, _("recall")
    UPDATE = 2, _("update")
    REPLACE = 3, _("replacement")


class StatusCode(models.TextChoices):
    """StatusCode of a status message (vn-rules.md §3.6), and the sender's own "sent".

    ``00`` is lienthong's: the first step of a trail, written by the sender when the
    envelope leaves; it never travels as a status message.
    """

    SENT = "00", pgettext_lazy("exchange status", "sent")
    ARRIVED = "01", pgettext_lazy("exchange status", "arrived")
    REFUSED = "02", pgettext_lazy("exchange status", "refused")
    REGISTERED = "03", pgettext_lazy("exchange status", "registered")
    ASSIGNED = "04", pgettext_lazy("exchange status", "assigned")
    IN_PROGRESS = "05", pgettext_lazy("exchange status", "being handled")
    DONE = "06", pgettext_lazy("exchange status", "done")
    RECALL_REQUESTED = "13", pgettext_lazy("exchange status", "recall requested")
    CHANGE_ACCEPTED = "15", pgettext_lazy("exchange status", "recall or update accepted")
    CHANGE_REFUSED = "16", pgettext_lazy("exchange status", "recall or update refused")


class OutboxState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    DELIVERED = "delivered", _("delivered")
    DEAD = "dead", _("undeliverable")


class InboundState(models.TextChoices):
    """What became of a received envelope."""

    ACCEPTED = "accepted", _("accepted")
    QUARANTINED = "quarantined", _("in quarantine")
    RELEASED = "released", _("released from quarantine")
    DISCARDED = "discarded", _("discarded")


class InboxState(models.TextChoices):
    """A received document in one unit's inbox (NĐ 30 Điều 21-22)."""

    ARRIVED = "arrived", _("arrived")
    REGISTERED = "registered", _("registered")
    REFUSED = "refused", _("refused")
    RECALLED = "recalled", _("taken back by the sender")
    #: Registered here when the sender asked for it back (13): the clerk agrees (15) or
    #: refuses (16).
    RECALL_ASKED = "recall_asked", _("the sender asks for it back")
    #: Not registered yet when a replacement (BussinessDocType 3) of it arrived.
    REPLACED = "replaced", _("replaced by a newer document")
