"""Exchange between units and nodes (issue #5): directory, outbox, inbox, status trail.

DESIGN.md "the main path of a document", steps 4-7: issuing writes one envelope per
recipient *node* into the outbox in the issuing transaction; a worker delivers it
(locally without HTTP when the recipient is on this node, else over mutual-TLS HTTPS);
the receiving node verifies, de-duplicates, puts the document in each recipient unit's
inbox and answers with a signed status. Anything invalid is kept in quarantine, never
dropped. Every step of a document's journey to a recipient is a link of a hash chain
(``StatusEntry``) that the sender can check on its own.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager, RestrictedQuerySet
from lienthong.exchange.choices import (
    InboundState,
    InboxState,
    MessageKind,
    OutboxState,
    StatusCode,
)

__all__ = ["Envelope", "InboundMessage", "InboxItem", "Peer", "StatusEntry", "UnitAddress"]


class Peer(TimeStampedModel):
    """What this node knows of a node of the network (its own included): the directory.

    The node itself (address, network profile, the units it hosts) is ``org.Node`` and
    ``org.Unit.node``; this row adds the certificates the exchange needs and the state
    of the link. It is filled by importing the directory the central node signs
    (``lienthong exchange_directory import``), never typed by hand.
    """

    node = models.OneToOneField(
        "org.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="peer"
    )
    envelope_certificate = models.TextField(
        _("envelope signing certificate"),
        blank=True,
        help_text=_("PEM; the node signs its edXML envelopes and status messages with it."),
    )
    encryption_certificate = models.TextField(
        _("encryption certificate"),
        blank=True,
        help_text=_("PEM (RSA); attachments sent to the node are encrypted to it."),
    )
    tls_certificate = models.TextField(
        _("TLS certificate"),
        blank=True,
        help_text=_("PEM; the client certificate the node presents on /exchange/v1/."),
    )
    directory_serial = models.PositiveIntegerField(_("directory version"), default=0)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("peer node")
        verbose_name_plural = _("peer nodes")

    def __str__(self) -> str:
        return str(self.node)


class UnitAddress(models.Model):
    """The exchange address of a unit hosted by another node, as the directory gave it.

    A unit with a mã định danh is addressed by it everywhere. One without (most Party
    bodies today, vn-rules.md §3.8) is addressed by its hosting node's provisional
    address ("<node>.L<id>"), which other nodes learn from the directory and keep here.
    """

    unit = models.OneToOneField(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="exchange_address",
    )
    address = models.CharField(_("address"), max_length=35, unique=True)

    class Meta:
        verbose_name = _("unit address")
        verbose_name_plural = _("unit addresses")

    def __str__(self) -> str:
        return self.address


class ExchangeQuerySet(RestrictedQuerySet[Any]):
    pass


class ExchangeManager(RestrictedManager[Any]):
    def get_queryset(self) -> ExchangeQuerySet:
        return ExchangeQuerySet(self.model, using=self._db)


class Envelope(models.Model):
    """An outgoing edXML message waiting for, or past, delivery (the outbox).

    One per recipient node and message: the recipient units of that node are listed in
    the envelope (``recipient_organ_ids``). Delivery is at least once; the receiver
    de-duplicates. Order: priority first (hỏa tốc before thường), then age.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("sending unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination = models.ForeignKey(
        "org.Node",
        verbose_name=_("recipient node"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_organ_ids = models.JSONField(_("recipient units"), default=list)
    edxml_id = models.CharField(_("document id (edXML)"), max_length=300)
    business_type = models.PositiveSmallIntegerField(_("business type"), null=True, blank=True)
    status_code = models.CharField(
        _("status code"), max_length=2, choices=StatusCode.choices, blank=True
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    payload = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("edXML"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=OutboxState.choices, default=OutboxState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = ExchangeManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        verbose_name = _("outgoing envelope")
        verbose_name_plural = _("outgoing envelopes")
        ordering = ["-priority", "created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at", "priority"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.edxml_id} → {self.destination}"

    @property
    def audit_unit_id(self) -> int:
        return int(self.unit_id)


class InboundMessage(models.Model):
    """A received envelope, as received (kept whatever became of it).

    ``dedup_key`` makes a replay register nothing new: the sender's organisation id,
    the edXML document id, the kind and business type (and the status code and time for a
    status message); it is set only for accepted messages.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The first recipient unit on this node, or the node's top unit."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices, blank=True)
    sender_node = models.ForeignKey(
        "org.Node",
        verbose_name=_("sending node"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender_organ_id = models.CharField(_("sender"), max_length=35, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=300, blank=True)
    edxml_id = models.CharField(_("document id (edXML)"), max_length=300, blank=True)
    business_type = models.PositiveSmallIntegerField(_("business type"), null=True, blank=True)
    status_code = models.CharField(_("status code"), max_length=2, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    payload = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("as received"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dedup_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=InboundState.choices)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        "org.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ExchangeManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        verbose_name = _("received envelope")
        verbose_name_plural = _("received envelopes")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.sender_organ_id or '?'} {self.edxml_id or '?'} ({self.state})"

    @property
    def audit_unit_id(self) -> int:
        return int(self.unit_id)


class InboxItem(models.Model):
    """A received document waiting in, or registered from, one unit's inbox.

    "Đã đến" (01) when it lands here; the clerk then registers it in the incoming
    register ("đã tiếp nhận", 03) or refuses it with a reason (02) (NĐ 30 Điều 21-22;
    vn-rules.md §1.5, §3.6).
    """

    message = models.ForeignKey(
        InboundMessage,
        verbose_name=_("received envelope"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=InboxState.choices, default=InboxState.ARRIVED
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("registered as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(pgettext_lazy("document", "subject"), max_length=500)
    issuer_name = models.CharField(_("issuing body"), max_length=300)
    issuer_organ_id = models.CharField(_("issuing body id"), max_length=35)
    code_number = models.CharField(_("number"), max_length=11, blank=True)
    code_notation = models.CharField(_("notation"), max_length=30, blank=True)
    issued_date = models.DateField(_("date of the document"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    type_name = models.CharField(_("type"), max_length=100, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    signer_name = models.CharField(_("signed by"), max_length=50, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    verification = models.JSONField(_("verification"), default=dict)
    arrived_at = models.DateTimeField(_("arrived"), auto_now_add=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)

    objects = ExchangeManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        ordering = ["-priority", "-arrived_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "unit"], name="exchange_inbox_once")
        ]

    def __str__(self) -> str:
        return f"{self.code_number}/{self.code_notation} {self.subject[:60]}"

    @property
    def audit_unit_id(self) -> int:
        return int(self.unit_id)


class StatusEntry(models.Model):
    """One step of a document's journey to one recipient unit, on either side.

    Entries of one (document id, recipient) form a hash chain: ``hash`` is the SHA-256
    of ``previous_hash`` and the entry's fields, so a removed or edited step breaks the
    chain; ``message`` keeps the signed status message where the step came from another
    node (signed by the node where it happened), so the sender can verify it on its own.
    """

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit of this node the entry belongs to (sender or recipient)."),
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    edxml_id = models.CharField(_("document id (edXML)"), max_length=300, db_index=True)
    recipient_organ_id = models.CharField(_("recipient"), max_length=35)
    code = models.CharField(_("status"), max_length=2, choices=StatusCode.choices)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    node_code = models.CharField(_("node"), max_length=35)
    at = models.DateTimeField(_("time"))
    message = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("signed message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ExchangeManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        verbose_name = _("status entry")
        verbose_name_plural = _("status entries")
        ordering = ["edxml_id", "recipient_organ_id", "pk"]
        indexes = [models.Index(fields=["edxml_id", "recipient_organ_id"])]
        constraints = [
            # One chain per (document, recipient) on this node: no fork.
            models.UniqueConstraint(
                fields=["edxml_id", "recipient_organ_id", "previous_hash", "unit"],
                name="exchange_status_no_fork",
            ),
            models.CheckConstraint(condition=~Q(hash=""), name="exchange_status_hashed"),
        ]

    def __str__(self) -> str:
        return f"{self.edxml_id} → {self.recipient_organ_id}: {self.code}"

    @property
    def audit_unit_id(self) -> int:
        return int(self.unit_id)
