"""The public portal's data (issue #10 scope 1).

An ``Announcement`` (tin, thông báo) is written by the office of a unit (the publishing
unit, its permission scope), submitted, and published by a leader holding
``portal.publish_announcement`` in that unit; it may be withdrawn later. Its body is
plain text (paragraphs separated by blank lines), never HTML from a person.

A ``PublishedDocument`` puts an issued, unclassified document of the documents app on
the portal (vn-rules.md §5.2: nothing classified is ever posted on the Internet); its
unit is the document's, for scope. Unpublishing keeps the row (``withdrawn_at``); the
same document may be published again later (a new row).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.core.text import fold
from lienthong.portal.choices import AnnouncementState

__all__ = ["Announcement", "PublishedDocument"]


def _key(*parts: str) -> str:
    """Folded, space-collapsed text for diacritic-insensitive search."""
    return " ".join(fold(" ".join(p for p in parts if p)).split())


class Announcement(TimeStampedModel):
    """One announcement or piece of news of a unit on the public portal."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("publishing unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.CharField(
        _("summary"),
        max_length=600,
        blank=True,
        help_text=_("One or two sentences shown in lists."),
    )
    body = models.TextField(
        _("text"), help_text=_("Plain text; leave an empty line between paragraphs.")
    )
    search_key = models.CharField(max_length=1000, editable=False, db_index=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=AnnouncementState.choices,
        default=AnnouncementState.DRAFT,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True, editable=False)
    withdrawn_reason = models.CharField(_("reason"), max_length=500, blank=True, editable=False)

    objects = RestrictedManager["Announcement"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        permissions = [("publish_announcement", _("Can publish announcements on the portal"))]
        indexes = [models.Index(fields=["state", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=AnnouncementState.PUBLISHED) | Q(published_at__isnull=False),
                name="portal_announcement_published_dated",
                violation_error_message=_("A published announcement needs its date."),
            ),
        ]

    def __str__(self) -> str:
        return self.title[:100]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = _key(self.title, self.summary)[:1000]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "summary"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def audit_unit_id(self) -> int:
        """Audit events about an announcement belong to its publishing unit."""
        return self.unit_id

    @property
    def is_public(self) -> bool:
        """True while anyone may read it on the portal."""
        return self.state == AnnouncementState.PUBLISHED

    @property
    def is_editable(self) -> bool:
        """Drafts and submitted announcements may still be changed."""
        return self.state in (AnnouncementState.DRAFT, AnnouncementState.SUBMITTED)


class PublishedDocument(models.Model):
    """An issued document of a unit, put on the public portal by its clerk."""

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The document's unit."),
    )
    search_key = models.CharField(max_length=1000, editable=False, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("published on"), db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = RestrictedManager["PublishedDocument"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("document on the portal")
        verbose_name_plural = _("documents on the portal")
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(withdrawn_at__isnull=True),
                name="portal_publisheddocument_once",
                violation_error_message=_("This document is already on the portal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} @ {self.published_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.search_key and self.document_id is not None:
            document = self.document
            self.search_key = _key(document.number_display, document.subject, document.issuer_name)[
                :1000
            ]
        super().save(*args, **kwargs)

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a published document belong to the document's unit."""
        return self.unit_id
