"""Enumerations of the work calendar and the notifications."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["EmailFrequency", "EventKind", "EventState", "NotificationKind"]


class EventKind(models.TextChoices):
    """What an entry of the work calendar is."""

    MEETING = "meeting", _("meeting")
    WORK = "work", _("work")
    TRIP = "trip", _("business trip")


class EventState(models.TextChoices):
    """Where an entry stands: a draft is seen only by those who keep the calendar."""

    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class NotificationKind(models.TextChoices):
    """What a notification is about."""

    EVENT_REMINDER = "event_reminder", _("calendar reminder")
    EVENT_PUBLISHED = "event_published", _("new calendar entry")
    EVENT_CANCELLED = "event_cancelled", _("calendar entry cancelled")
    DOCUMENT = "document", _("document")
    GENERAL = "general", _("general")


class EmailFrequency(models.TextChoices):
    """How a person wants their notifications by e-mail."""

    IMMEDIATELY = "immediately", _("immediately")
    DAILY = "daily", _("daily digest")
    NONE = "none", _("never")
