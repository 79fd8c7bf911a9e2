"""Periodic report forms (issue #8 scope 4): the steering committee defines a form, the
units of a kind under it fill it every period, leaders approve, the values roll up the
tree; a submitted report is locked.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.org.choices import UnitKind
from lienthong.reports.choices import FieldType, PeriodKind, Rollup, SubmissionState

__all__ = ["ReportField", "ReportForm", "ReportSubmission"]


class ReportForm(TimeStampedModel):
    """A report the units of ``filler_kind`` under ``unit`` fill every period."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("defined by"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    period = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    #: Days after the period's end by which the report is due.
    deadline_days = models.PositiveSmallIntegerField(_("due days after the period"), default=10)
    filler_kind = models.CharField(
        _("filled by units of kind"), max_length=24, choices=UnitKind.choices
    )
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedManager["ReportForm"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class ReportField(models.Model):
    """One field of a form: its type, limits and how it rolls up."""

    form = models.ForeignKey(
        ReportForm, verbose_name=_("form"), on_delete=models.CASCADE, related_name="fields"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=300)
    type = models.CharField(_("type"), max_length=8, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=True)
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rollup = models.CharField(_("roll-up"), max_length=8, choices=Rollup.choices)
    #: For a share: the code of the field it is a share of (the denominator).
    of_field = models.SlugField(_("share of field"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedManager["ReportField"]()

    scope_path: ClassVar[str] = "form__unit"

    class Meta:
        ordering = ["form", "order", "pk"]
        verbose_name = _("report field")
        verbose_name_plural = _("report fields")
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="reports_field_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


class ReportSubmission(TimeStampedModel):
    """A unit's report for one period; locked once submitted."""

    form = models.ForeignKey(
        ReportForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="submissions"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period starts"))
    state = models.CharField(
        _("state"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    values = models.JSONField(_("values"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    objects = RestrictedManager["ReportSubmission"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["form", "-period_start", "unit"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("approve_reportsubmission", _("Can approve a unit's report"))]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "unit", "period_start"], name="reports_one_per_unit_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.unit_id} {self.period_start:%m/%Y}"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id
