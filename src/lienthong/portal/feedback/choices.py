"""Enumerations of citizens' feedback."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["FeedbackState"]


class FeedbackState(models.TextChoices):
    """Where a piece of feedback stands, as the citizen's status page shows it.

    ``received``: waiting for the responsible unit's answer (the unit's open work, with a
    deadline); ``answered``: the unit answered (the citizen is told by e-mail);
    ``closed``: closed without an answer (spam, a duplicate), with a reason.
    """

    RECEIVED = "received", _("received")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
