"""Enumerations of the public portal."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AnnouncementState"]


class AnnouncementState(models.TextChoices):
    """Where an announcement stands: draft → submitted → published (→ withdrawn)."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")
