"""The work calendar (lịch công tác) and the staff notifications (issue #10 scopes 4, 5).

An ``Event`` is one entry of a unit's weekly calendar: a meeting, a piece of work or a
business trip, with the leaders who attend, the other participants, the place, the link
of the network's video-conference system for an online meeting (only ``https``; shown as
a link, never embedded), the documents it is about and, after the meeting, its minutes
(a PDF). The unit is the permission scope (``scope_path = "unit"``).

A ``Notification`` belongs to one person (not to a unit: it is never restricted, only
ever read by its owner); ``NotificationPreference`` says how they want it by e-mail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.portal.agenda.choices import (
    EmailFrequency,
    EventKind,
    EventState,
    NotificationKind,
)

__all__ = ["MAX_REMINDER_MINUTES", "Event", "Notification", "NotificationPreference"]

#: The earliest a reminder may be asked for: a week before the start.
MAX_REMINDER_MINUTES = 7 * 24 * 60

#: Only links of the network's video-conference system over TLS.
https_only = URLValidator(
    schemes=["https"], message=_("Give the meeting link as an https:// address.")
)


class Event(TimeStampedModel):
    """One entry of a unit's work calendar."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    place = models.CharField(_("place"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    all_day = models.BooleanField(_("all day"), default=False)
    kind = models.CharField(
        _("kind"), max_length=10, choices=EventKind.choices, default=EventKind.MEETING
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leaders attending"),
        blank=True,
        related_name="+",
    )
    participants = models.TextField(_("participants"), blank=True)
    online_meeting_url = models.URLField(
        _("online meeting link"),
        max_length=500,
        blank=True,
        validators=[https_only],
        help_text=_("The address of the meeting room in the network's video-conference system."),
    )
    documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("documents"), blank=True, related_name="+"
    )
    minutes = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("minutes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    minutes_name = models.CharField(_("minutes file name"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EventState.choices, default=EventState.DRAFT
    )
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    reminder_minutes = models.PositiveIntegerField(
        _("reminder (minutes before)"),
        default=60,
        validators=[MaxValueValidator(MAX_REMINDER_MINUTES)],
        help_text=_("0: no reminder."),
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = RestrictedManager["Event"]()
    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="agenda_event_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
            models.CheckConstraint(
                condition=Q(online_meeting_url="") | Q(online_meeting_url__startswith="https://"),
                name="agenda_event_https_link",
                violation_error_message=_("Give the meeting link as an https:// address."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "starts_at"]),
            models.Index(fields=["state", "reminded_at", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%d/%m/%Y %H:%M} {self.title[:80]}"

    def clean(self) -> None:
        """The end comes after the start; an all-day entry covers whole days."""
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})

    @property
    def audit_unit_id(self) -> int:
        """Audit events about an entry belong to its unit."""
        return self.unit_id

    @property
    def is_cancelled(self) -> bool:
        """True once the entry was cancelled."""
        return self.state == EventState.CANCELLED

    def remind_at(self) -> dt.datetime | None:
        """When the reminder is due (None without one)."""
        if not self.reminder_minutes:
            return None
        return self.starts_at - dt.timedelta(minutes=self.reminder_minutes)


class Notification(models.Model):
    """Something one person should know (a reminder, a new entry of their calendar…)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=NotificationKind.choices, default=NotificationKind.GENERAL
    )
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_read(self) -> bool:
        """True once the person marked it read."""
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants their notifications by e-mail (a daily digest when they
    never said)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    email_frequency = models.CharField(
        _("e-mail"),
        max_length=12,
        choices=EmailFrequency.choices,
        default=EmailFrequency.DAILY,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_frequency}"

    @classmethod
    def frequency_of(cls, user: Any) -> str:
        """The person's choice, ``daily`` when they never made one."""
        value = cls.objects.filter(user=user).values_list("email_frequency", flat=True).first()
        return value or EmailFrequency.DAILY
