"""Enumerations of the audit log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    """Who caused an audited change."""

    USER = "user", _("person")
    PEER = "peer", _("peer node")
    SYSTEM = "system", _("system")
