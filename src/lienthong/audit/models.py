"""The audit log: append-only rows, each carrying the hash of the one before."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong.audit.choices import ActorKind
from lienthong.core.permissions import RestrictedManager

__all__ = ["GENESIS_HASH", "AuditChainHead", "AuditEvent"]

#: The "previous hash" of the first row.
GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One audited change. Never updated, never deleted.

    ``hash`` is SHA-256 over a canonical JSON form of the row's content and ``prev_hash``,
    so editing, inserting or deleting any row breaks the chain at that row and
    ``lienthong audit_verify`` names it.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=8, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    verb = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(_("object"), max_length=300, blank=True)
    unit_id = models.BigIntegerField(_("unit"), null=True, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = RestrictedManager["AuditEvent"]()

    # Scoped by the unit the change concerns (org's resolver understands unit ids).
    scope_path: ClassVar[str] = "unit_id"

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.verb} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only")

    def canonical(self) -> bytes:
        """The bytes that are hashed: every content field, in a fixed order and form."""
        payload: dict[str, Any] = {
            "seq": self.seq,
            "created_at": self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_kind": self.actor_kind,
            "actor_user": self.actor_user_id,
            "actor_label": self.actor_label,
            "verb": self.verb,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "unit_id": self.unit_id,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(
            payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        ).encode("utf-8")

    def compute_hash(self) -> str:
        """SHA-256 of ``canonical()`` in hex."""
        return hashlib.sha256(self.canonical()).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while appending, so two writers never share a ``prev_hash``."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
