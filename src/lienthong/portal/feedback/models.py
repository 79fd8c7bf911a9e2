"""Citizens' feedback (góp ý; issue #10 scope 2).

A ``Topic`` is a subject a citizen chooses on the public form, and the routing rule: the
unit responsible for answering it and the days it has to answer. A topic without a unit
goes to the fallback unit of the node (``FEEDBACK_DEFAULT_UNIT``).

A ``Feedback`` is one submission: its tracking code (the citizen's only key to it), the
topic, the text, the optional contact details (never shown on a public page), the
consent to publish the answer, an optional attachment (in the content-addressed file
store, outside the web root, read by the unit's staff only), and the answer. Its unit
(``unit``, the permission scope) is the responsible unit the topic routed it to; its
``deadline`` is the day of arrival plus the topic's days. The citizen's address is
never stored: only a salted SHA-256 of it (``abuse.address_hash``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.portal.feedback.choices import FeedbackState
from lienthong.portal.feedback.constants import (
    DEFAULT_ANSWER_DAYS,
    MAX_ANSWER_CHARS,
    MAX_TEXT_CHARS,
)

__all__ = ["Feedback", "Topic"]


class Topic(TimeStampedModel):
    """A topic of the feedback form and its routing rule ("Cải cách hành chính" →
    Văn phòng Thành ủy, 15 days)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Feedback on this topic goes to this unit; empty: the node's fallback unit."),
    )
    days_to_answer = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=DEFAULT_ANSWER_DAYS,
        help_text=_("The answer is due this many days after the feedback arrives."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active topics are offered on the form.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("feedback topic")
        verbose_name_plural = _("feedback topics")
        constraints = [
            models.CheckConstraint(
                condition=Q(days_to_answer__gte=1) & Q(days_to_answer__lte=365),
                name="feedback_topic_days_range",
                violation_error_message=_("The days to answer must be between 1 and 365."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit_id(self) -> int | None:
        """Audit events about a topic belong to its responsible unit."""
        return self.unit_id


class Feedback(TimeStampedModel):
    """One citizen's feedback and its answer."""

    code = models.CharField(_("tracking code"), max_length=20, unique=True, editable=False)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="feedback"
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("feedback"), max_length=MAX_TEXT_CHARS)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    consent_publish = models.BooleanField(_("consents to publication of the answer"), default=False)
    attachment = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=FeedbackState.choices, default=FeedbackState.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    deadline = models.DateField(_("answer due"), db_index=True)
    answer = models.TextField(_("answer"), max_length=MAX_ANSWER_CHARS, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    published = models.BooleanField(_("answer published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    submitter_hash = models.CharField(
        _("sender's address (hashed)"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A salted SHA-256 of the sender's network address, never the address."),
    )

    objects = RestrictedManager["Feedback"]()
    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False)
                | Q(consent_publish=True, state=FeedbackState.ANSWERED),
                name="feedback_published_needs_consent",
                violation_error_message=_(
                    "Only an answer the citizen consented to publish can be published."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(state=FeedbackState.ANSWERED) | Q(answered_at__isnull=False),
                name="feedback_answered_has_time",
                violation_error_message=_("An answered feedback needs the time of its answer."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "deadline"]),
            models.Index(fields=["published", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """An answered feedback has its answer; a published one is answered and the
        citizen consented."""
        super().clean()
        errors: dict[str, Any] = {}
        if self.state == FeedbackState.ANSWERED and not (self.answer or "").strip():
            errors["answer"] = _("Write the answer.")
        if self.published and not self.consent_publish:
            errors["published"] = _(
                "The citizen did not consent to publication: the answer cannot be published."
            )
        elif self.published and self.state != FeedbackState.ANSWERED:
            errors["published"] = _("Only an answered feedback can be published.")
        if errors:
            raise ValidationError(errors)

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a feedback belong to its responsible unit."""
        return self.unit_id

    @property
    def is_open(self) -> bool:
        """True while it waits for an answer."""
        return self.state == FeedbackState.RECEIVED

    @property
    def is_overdue(self) -> bool:
        """True when it still waits for an answer after its deadline."""
        return self.is_open and self.deadline < timezone.localdate()
