"""Enumerations of the reports app (issue #8 scope 4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    """How often a report form is filled."""

    MONTH = "month", _("monthly")
    QUARTER = "quarter", _("quarterly")
    YEAR = "year", _("yearly")


class FieldType(models.TextChoices):
    """What a field of a report form holds."""

    INTEGER = "integer", _("whole number")
    DECIMAL = "decimal", _("number")
    TEXT = "text", _("text")


class Rollup(models.TextChoices):
    """How a field's values are summed up the tree."""

    SUM = "sum", _("sum")
    AVERAGE = "average", _("average")
    SHARE = "share", _("share (of another field)")
    NONE = "none", _("not rolled up")


class SubmissionState(models.TextChoices):
    """Where a unit's report stands."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
