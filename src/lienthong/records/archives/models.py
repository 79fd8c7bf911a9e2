"""File plans, record files and their handover to the agency archive (issue #9 scope 4).

The rules come from NĐ 30/2020/NĐ-CP Điều 28-31 and Phụ lục V (vn-rules.md §4):

- a unit's **file plan** (danh mục hồ sơ) for a year is approved by its head at the start
  of the year (Điều 28); its big headings carry Roman numerals and an abbreviation
  ("TCCB"), its sub-headings Arabic numerals; each entry has a code ("01.TCCB"), a title,
  a retention period and the person who keeps the file (§4.1);
- a **record file** (hồ sơ) is opened from an entry, or on its own with the same data
  (§4.2 "Open a hồ sơ"); documents are filed into it through ``FileItem`` so that one
  document sits in several files without being copied (Phụ lục VI Phần I.III);
- a closed file kept five years or more is **handed over** to the agency archive (lưu
  trữ cơ quan) within a year of the end of the work, three months for construction (XDCB)
  files (§4.2); it may be kept back for at most two years with a written approval.

Retention is stored as ``{kind, years}`` with its legal reference (§4.3 "Design").
Every model is scoped to its unit (``scope_path``), restricted through
``core.permissions`` and audited through ``audit_unit_id``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.records.archives.choices import FileState, HandoverState, PlanState, RetentionKind

__all__ = [
    "FileItem",
    "FilePlan",
    "FilePlanEntry",
    "FilePlanHeading",
    "Handover",
    "RecordFile",
    "Retention",
    "add_months",
    "roman",
]

#: Files kept at least this many years are numbered sheet by sheet at closing and handed
#: over to the agency archive (NĐ 30 Điều 29.2, Điều 30; vn-rules.md §4.2).
HANDOVER_MIN_YEARS = 5


def roman(number: int) -> str:
    """``number`` in Roman numerals (the big headings of a file plan: I, II, III…)."""
    parts = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = []
    for value, letters in parts:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - a month has at least 28 days


class Retention(models.Model):
    """The retention period (thời hạn bảo quản) and its legal reference, vn-rules.md §4.3:
    "Vĩnh viễn" or a number of years, e.g. 20 years under "TT 10/2022/TT-BNV, mục 3.1"."""

    retention_kind = models.CharField(
        _("retention"), max_length=12, choices=RetentionKind.choices, default=RetentionKind.YEARS
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention in years"), null=True, blank=True
    )
    retention_basis = models.CharField(
        _("legal reference of the retention"), max_length=200, blank=True
    )

    class Meta:
        abstract = True

    @property
    def retention_label(self) -> str:
        """The retention as the forms print it ("Vĩnh viễn", "20 năm"; Phụ lục V, the
        metadata field ``Maintenance``): legal text, the same in every UI language."""
        if self.retention_kind == RetentionKind.PERMANENT:
            return "Vĩnh viễn"
        return f"{self.retention_years or 0} năm"

    @property
    def is_permanent(self) -> bool:
        """Kept permanently: a document index is written at closing (§4.2)."""
        return self.retention_kind == RetentionKind.PERMANENT

    @property
    def goes_to_archive(self) -> bool:
        """Kept five years or more: sheets numbered at closing, handed over (§4.2)."""
        return self.is_permanent or (self.retention_years or 0) >= HANDOVER_MIN_YEARS


class FilePlan(TimeStampedModel):
    """A unit's file plan for a year (danh mục hồ sơ, NĐ 30 Điều 28, Phụ lục V)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=12, choices=PlanState.choices, default=PlanState.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approval_reference = models.CharField(_("approving decision"), max_length=200, blank=True)

    objects = RestrictedManager["FilePlan"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-year", "unit"]
        verbose_name = _("file plan")
        verbose_name_plural = _("file plans")
        permissions = [("approve_fileplan", _("Can approve a file plan"))]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="archives_fileplan_unique_year",
                violation_error_message=_("This unit already has a file plan for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.unit_id}"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id

    @property
    def is_frozen(self) -> bool:
        """An approved plan no longer changes (Điều 28: approved at the start of the year)."""
        return self.state == PlanState.APPROVED


class FilePlanHeading(models.Model):
    """A heading of a file plan: a big heading (Roman numeral, with the abbreviation that
    ends the codes of its files, "TCCB") or a sub-heading under one (Arabic numeral).

    Reached only through its plan (which is restricted), so not scoped itself."""

    plan = models.ForeignKey(
        FilePlan, verbose_name=_("file plan"), on_delete=models.CASCADE, related_name="headings"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("big heading"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("number"))
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["plan", "parent_id", "order", "pk"]
        verbose_name = _("file plan heading")
        verbose_name_plural = _("file plan headings")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """ "I", "II"… for a big heading, "1", "2"… for a sub-heading."""
        return str(self.order) if self.parent_id else roman(self.order)


class FilePlanEntry(Retention):
    """One file of the plan: "01.TCCB", its title, its retention, who keeps it."""

    plan = models.ForeignKey(
        FilePlan, verbose_name=_("file plan"), on_delete=models.CASCADE, related_name="entries"
    )
    heading = models.ForeignKey(
        FilePlanHeading,
        verbose_name=_("heading"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    code = models.CharField(_("file code"), max_length=20)
    title = models.CharField(_("file title"), max_length=500)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("keeper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    keeper_name = models.CharField(_("keeper's name"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("file plan entry")
        verbose_name_plural = _("file plan entries")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="archives_entry_unique_code",
                violation_error_message=_("This code is already used in the file plan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RecordFile(Retention, TimeStampedModel):
    """A record file (hồ sơ): opened from a plan entry or on its own, filled with
    documents, closed, then handed over to the agency archive or kept back."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("file code"), max_length=20)
    title = models.CharField(_("file title"), max_length=500)
    entry = models.ForeignKey(
        FilePlanEntry,
        verbose_name=_("file plan entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="files",
    )
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("keeper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    keeper_name = models.CharField(_("keeper's name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=FileState.choices, default=FileState.OPEN
    )
    is_construction = models.BooleanField(
        _("construction (XDCB) file"),
        default=False,
        help_text=_("Handed over three months after the final settlement instead of a year."),
    )
    rights = models.CharField(_("access"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=50, default="Tiếng Việt")
    description = models.CharField(_("description"), max_length=500, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    document_index = models.JSONField(_("document index"), default=list, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    handover_due = models.DateField(_("handover due"), null=True, blank=True, db_index=True)
    kept_back_until = models.DateField(_("kept back until"), null=True, blank=True)
    kept_back_reason = models.CharField(_("reason and approval"), max_length=300, blank=True)
    handover = models.ForeignKey(
        "Handover",
        verbose_name=_("handover"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="files",
    )
    documents = models.ManyToManyField(
        "documents.Document",
        through="FileItem",
        verbose_name=_("documents"),
        related_name="record_files",
    )

    objects = RestrictedManager["RecordFile"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-year", "code", "pk"]
        verbose_name = _("record file")
        verbose_name_plural = _("record files")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "code"],
                name="archives_recordfile_unique_code",
                violation_error_message=_("This unit already has a file with this code this year."),
            ),
            models.CheckConstraint(
                condition=Q(retention_kind=RetentionKind.PERMANENT) | Q(retention_years__gte=1),
                name="archives_recordfile_retention",
                violation_error_message=_("Give the retention in years, or permanent."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "state", "handover_due"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id

    def due_on(self) -> dt.date | None:
        """The last day to hand the file over: a year after the end of the work, three
        months for a construction file (NĐ 30 Điều 30, vn-rules.md §4.2); None while the
        file is open or when it is not handed over (kept less than five years)."""
        if self.end_date is None or not self.goes_to_archive:
            return None
        return add_months(self.end_date, 3 if self.is_construction else 12)


class FileItem(models.Model):
    """A document filed in a record file, without copying it: the same document may be
    in several files (Phụ lục VI Phần I.III). Sheet numbers are set at closing."""

    record_file = models.ForeignKey(
        RecordFile, verbose_name=_("record file"), on_delete=models.CASCADE, related_name="items"
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    sheet_from = models.PositiveIntegerField(_("from sheet"), null=True, blank=True)
    sheet_to = models.PositiveIntegerField(_("to sheet"), null=True, blank=True)
    added_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedManager["FileItem"]()

    scope_path: ClassVar[str] = "record_file__unit"

    class Meta:
        ordering = ["record_file", "order", "pk"]
        verbose_name = _("filed document")
        verbose_name_plural = _("filed documents")
        constraints = [
            models.UniqueConstraint(
                fields=["record_file", "document"],
                name="archives_fileitem_unique_document",
                violation_error_message=_("This document is already in the file."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_file_id}: {self.document_id}"

    @property
    def audit_unit_id(self) -> int:
        return self.record_file.unit_id


class Handover(TimeStampedModel):
    """The handover of closed files to the agency archive (biên bản giao nhận hồ sơ, tài
    liệu, NĐ 30 Phụ lục V), with the catalogue of the files (mục lục hồ sơ nộp lưu)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("handing unit"), on_delete=models.PROTECT, related_name="+"
    )
    archive_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("receiving archive"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_on = models.DateField(_("date of the handover"))
    block_name = models.CharField(_("name of the body of records"), max_length=300)
    giver_name = models.CharField(_("handed over by"), max_length=100)
    receiver_name = models.CharField(_("received by"), max_length=100)
    condition = models.CharField(_("condition of the records"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=HandoverState.choices, default=HandoverState.DELIVERED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedManager["Handover"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-handed_on", "-pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.handed_on}: {self.block_name}"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id
