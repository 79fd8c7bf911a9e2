"""Choices of the archives app (vn-rules.md §4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    """A file plan is drafted, then approved by the head at the start of the year
    (NĐ 30 Điều 28); an approved plan no longer changes."""

    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


class RetentionKind(models.TextChoices):
    """Thời hạn bảo quản: "Vĩnh viễn" or a number of years (NĐ 30 Phụ lục V.I.4,
    vn-rules.md §4.3)."""

    PERMANENT = "permanent", _("permanent")
    YEARS = "years", _("a number of years")


class FileState(models.TextChoices):
    """Where a record file stands (NĐ 30 Điều 28-31)."""

    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    HANDED_OVER = "handed_over", _("handed over to the archive")
    KEPT_BACK = "kept_back", _("kept back")


class HandoverState(models.TextChoices):
    """A handover is recorded when the files are given; the archive confirms receipt."""

    DELIVERED = "delivered", _("delivered")
    RECEIVED = "received", _("received by the archive")
