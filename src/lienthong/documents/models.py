"""Official documents, their types, registers, numbers, files, history and handling.

The rules come from NĐ 30/2020/NĐ-CP (State) and HD 36-HD/VPTW / QĐ 399-QĐ/TW (Party):
see shared/reference/vn-rules.md §1-2, cited field by field below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lienthong.core.choices import Clearance
from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager, RestrictedQuerySet
from lienthong.core.text import fold
from lienthong.documents.choices import (
    Competence,
    Convention,
    Direction,
    DocumentState,
    EventKind,
    FileKind,
    HandlingRole,
    HandlingState,
    IntakeSource,
    IntakeState,
    PeriodKind,
    Priority,
    SecretSeries,
    SeriesKind,
)

__all__ = [
    "Assignment",
    "Document",
    "DocumentEvent",
    "DocumentFile",
    "DocumentType",
    "IntakeBatch",
    "IntakeFile",
    "NumberCounter",
    "Recipient",
    "Register",
    "StoredFile",
    "UnitProfile",
]


class DocumentType(TimeStampedModel):
    """A type of document (tên loại) and its abbreviation (vn-rules.md §1.1, §2.3).

    Data an administrator can extend; the built-in lists are loaded by a migration.
    """

    convention = models.CharField(_("convention"), max_length=8, choices=Convention.choices)
    code = models.CharField(
        _("abbreviation"),
        max_length=10,
        blank=True,
        help_text=_("Empty for a State công văn, whose ký hiệu names the drafting unit instead."),
    )
    name = models.CharField(_("name"), max_length=100)
    is_letter = models.BooleanField(
        _("công văn"), default=False, help_text=_("Subject written as “V/v …”, no type line.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["convention", "sort_order", "name"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "name"],
                name="documents_type_unique_name",
                violation_error_message=_("This convention already has a type with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class UnitProfile(TimeStampedModel):
    """What the documents app needs to know about a unit (org stays below documents)."""

    unit = models.OneToOneField(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="document_profile",
    )
    convention = models.CharField(
        _("convention"), max_length=8, choices=Convention.choices, default=Convention.PARTY
    )
    issuer_code = models.CharField(
        _("issuing body abbreviation"),
        max_length=20,
        help_text=_('The part after the slash: "TU" in 12-NQ/TU, "UBND" in 15/QĐ-UBND.'),
    )
    place_name = models.CharField(
        _("place name"), max_length=100, blank=True, help_text=_('"Hà Nội, ngày …"')
    )

    scope_path: ClassVar[str] = "unit"

    objects = RestrictedManager["UnitProfile"]()

    class Meta:
        verbose_name = _("unit document settings")
        verbose_name_plural = _("unit document settings")

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_convention_display()})"


class Register(TimeStampedModel):
    """A register (sổ đăng ký) of a unit, and how it numbers (vn-rules.md §1.2, §2.4)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="registers"
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    name = models.CharField(_("name"), max_length=200)
    period_kind = models.CharField(
        _("numbering restarts"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    series_kind = models.CharField(
        _("series"), max_length=10, choices=SeriesKind.choices, default=SeriesKind.ALL_TYPES
    )
    secret_series = models.CharField(
        _("classified documents"),
        max_length=8,
        choices=SecretSeries.choices,
        default=SecretSeries.OWN,
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedManager["Register"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["unit", "direction", "name"]
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "direction", "name"],
                name="documents_register_unique_name",
                violation_error_message=_("This unit already has a register with this name."),
            ),
            models.CheckConstraint(
                condition=~Q(period_kind=PeriodKind.TERM)
                | Q(term_start__isnull=False, term_end__isnull=False),
                name="documents_register_term_dates",
                violation_error_message=_("A register numbered by term needs the term's dates."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.unit}"

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a register belong to its unit."""
        return self.unit_id


class NumberCounter(models.Model):
    """The last number taken in one series of one period of a register.

    Allocation locks this row (``select_for_update``) inside the issuing transaction, so
    numbers have no gaps and no duplicates under concurrency (issue #4, scope 2).
    """

    register = models.ForeignKey(
        Register, verbose_name=_("register"), on_delete=models.CASCADE, related_name="counters"
    )
    period_key = models.CharField(_("period"), max_length=40)
    series_key = models.CharField(_("series"), max_length=40)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "period_key", "series_key"],
                name="documents_counter_unique",
                violation_error_message=_("This series already has a counter."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.period_key}/{self.series_key}: {self.last_number}"


class StoredFile(models.Model):
    """File content, stored once by its SHA-256 under the data directory (scope 8)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    storage_name = models.CharField(_("stored as"), max_length=300)
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.sha256


class DocumentQuerySet(RestrictedQuerySet["Document"]):
    """Queries over documents."""

    def overdue(self, on: dt.date | None = None) -> DocumentQuerySet:
        """Incoming documents past their handling deadline and not done."""
        day = on or timezone.localdate()
        return self.filter(direction=Direction.INCOMING, due_date__lt=day).exclude(
            state=DocumentState.DONE
        )


class DocumentManager(RestrictedManager["Document"]):
    def get_queryset(self) -> DocumentQuerySet:
        return DocumentQuerySet(self.model, using=self._db)

    def overdue(self, on: dt.date | None = None) -> DocumentQuerySet:
        """Incoming documents past their handling deadline and not done."""
        return self.get_queryset().overdue(on)


#: Document fields only UPDATE statements write (``Document.save`` leaves them alone).
DERIVED_FIELDS = frozenset({"has_signed_file", "has_digitised_file", "done_on"})


class Document(TimeStampedModel):
    """An official document, outgoing or incoming, with the metadata of NĐ 30 Phụ lục VI."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("Issuing unit (outgoing) or receiving unit (incoming)."),
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    convention = models.CharField(
        _("convention"), max_length=8, choices=Convention.choices, default=Convention.PARTY
    )
    state = models.CharField(_("state"), max_length=16, choices=DocumentState.choices)
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    # The trích yếu; "subject" alone is also a certificate's subject (chủ thể).
    subject = models.CharField(pgettext_lazy("document", "subject"), max_length=500)
    body = models.TextField(_("content"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("urgency"), choices=Priority.choices, default=Priority.NORMAL
    )
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance.choices, default=Clearance.NONE
    )
    # Số, ký hiệu (Phụ lục VI: CodeNumber ≤ 11, CodeNotation ≤ 30).
    register = models.ForeignKey(
        Register,
        verbose_name=_("register"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    code_number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    code_notation = models.CharField(_("notation"), max_length=30, blank=True)
    number_year = models.PositiveSmallIntegerField(_("year of the number"), null=True, blank=True)
    issued_date = models.DateField(_("date of the document"), null=True, blank=True)
    # The issuing body, as the document names it (ours for outgoing, the author's for incoming).
    issuer_name = models.CharField(_("issuing body"), max_length=200, blank=True)
    issuer_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    issuer_organ_id = models.CharField(_("issuing body id"), max_length=35, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=50, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    competence = models.CharField(
        _("competence"), max_length=8, choices=Competence.choices, blank=True, default=""
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Văn bản đến (Phụ lục VI II: ArrivalNumber, ArrivalDate).
    arrival_number = models.PositiveIntegerField(_("arrival number"), null=True, blank=True)
    arrival_date = models.DateTimeField(_("arrival date"), null=True, blank=True)
    arrival_year = models.PositiveSmallIntegerField(_("year of arrival"), null=True, blank=True)
    recipients_text = models.TextField(_("recipients (Nơi nhận)"), blank=True)
    copies = models.PositiveSmallIntegerField(_("copies issued"), default=1)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=30, default="Tiếng Việt")
    note = models.CharField(_("note"), max_length=500, blank=True)
    text_content = models.TextField(_("text for search"), blank=True, editable=False)
    #: The incoming document arrived as an electronic original (through the exchange),
    #: not on paper (for the digitisation rate, issue #7 scope 5).
    received_electronically = models.BooleanField(
        _("received electronically"), default=False, editable=False
    )
    #: Derived, for the programme's figures (issue #8): a signed file is attached, a
    #: digitised copy is attached, the day the document was handled. Counting them on a
    #: million documents through their files and events took seconds; the services keep
    #: them with UPDATE statements (``DERIVED_FIELDS``), so a full save of a copy loaded
    #: earlier never resets them.
    has_signed_file = models.BooleanField(_("signed file attached"), default=False, editable=False)
    has_digitised_file = models.BooleanField(
        _("digitised copy attached"), default=False, editable=False
    )
    done_on = models.DateField(_("handled on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.ForeignKey(
        "self",
        verbose_name=_("answers"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_by",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_(
            "The issued document this one replaces (a content error: a document of the "
            "same type, NĐ 30 Điều 18)."
        ),
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        help_text=_(
            "The issued document this công văn corrects (đính chính: an error of form or "
            "procedure, NĐ 30 Điều 18)."
        ),
    )
    replaced_at = models.DateTimeField(
        _("replaced on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the document replacing this one was issued."),
    )

    objects = DocumentManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # Counting documents for the programme's figures (issue #8), without reading
        # them: the IT steering committee's KPIs (reports.kpis).
        permissions = [("count_document", _("Can count documents in the programme's figures"))]
        constraints = [
            # Phụ lục VI III.1.h: the same số + ký hiệu + issuing body is a duplicate
            # (numbers are unique within their year, NĐ 30 Điều 15).
            # Incoming copies are per receiving unit: two units on this node may both
            # register the same document of the Trung ương.
            models.UniqueConstraint(
                fields=[
                    "direction",
                    "unit",
                    "issuer_key",
                    "code_notation",
                    "code_number",
                    "number_year",
                ],
                condition=Q(code_number__isnull=False, direction=Direction.INCOMING),
                name="documents_incoming_unique_number",
                violation_error_message=_(
                    "A document with this number, notation and issuing body already exists."
                ),
            ),
            models.UniqueConstraint(
                fields=["direction", "issuer_key", "code_notation", "code_number", "number_year"],
                condition=Q(code_number__isnull=False, direction=Direction.OUTGOING),
                name="documents_document_unique_number",
                violation_error_message=_(
                    "A document with this number, notation and issuing body already exists."
                ),
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | Q(corrects__isnull=True),
                name="documents_document_one_link",
                violation_error_message=_(
                    "A document either replaces or corrects another one, not both."
                ),
            ),
            models.UniqueConstraint(
                fields=["register", "arrival_number", "arrival_year"],
                condition=Q(arrival_number__isnull=False),
                name="documents_document_unique_arrival",
                violation_error_message=_("This arrival number is already taken in the register."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "direction", "state"])]

    def __str__(self) -> str:
        number = self.number_display or _("(no number)")
        return f"{number} — {self.subject[:80]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.issuer_key = fold(self.issuer_name)
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in DERIVED_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a document belong to its unit."""
        return self.unit_id

    @property
    def number_display(self) -> str:
        """ "12-NQ/TU" (Party: dash, HD 36) or "15/QĐ-UBND" (State: slash, NĐ 30): the
        number zero-padded below 10 (vn-rules.md §1.2, §2.4), then the notation."""
        if self.code_number is None:
            return ""
        number = f"{self.code_number:02d}"
        if not self.code_notation:
            return number
        separator = "-" if self.convention == Convention.PARTY else "/"
        return f"{number}{separator}{self.code_notation}"

    @property
    def link_kind(self) -> str:
        """ "replaces", "corrects" or "" (how the document relates to an earlier one).

        In edXML a replacement travels as BussinessDocType 3 with ReplacementInfo; a
        correction (đính chính) is a công văn of its own, with its own number, so it
        travels as a new document (0) (vn-rules.md §3.4).
        """
        if self.replaces_id is not None:
            return "replaces"
        if self.corrects_id is not None:
            return "corrects"
        return ""

    @property
    def state_label(self) -> str:
        """The state as shown in lists: "replaced" for an issued document that another
        has replaced (NĐ 30 Điều 18), else the state's name."""
        if self.replaced_at is not None:
            return str(_("replaced"))
        return str(self.get_state_display())

    @property
    def number_line(self) -> str:
        """The number as printed: "Số 12-NQ/TU" (Party, no colon) or "Số: 15/QĐ-UBND"."""
        if self.code_number is None:
            return ""
        label = "Số" if self.convention == Convention.PARTY else "Số:"
        return f"{label} {self.number_display}"


class Recipient(models.Model):
    """One recipient of an outgoing document: a unit (here or on another node) or text."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="recipients"
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.CharField(_("recipient"), max_length=300, blank=True)
    is_for_information = models.BooleanField(_("for information"), default=False)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(text=""),
                name="documents_recipient_named",
                violation_error_message=_("A recipient is a unit or a name."),
            )
        ]

    def __str__(self) -> str:
        return str(self.unit or self.text)


class DocumentFile(TimeStampedModel):
    """A file of a document: a draft version, the signed original, an attachment, a scan."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FileKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    stored = models.ForeignKey(
        StoredFile, verbose_name=_("content"), on_delete=models.PROTECT, related_name="uses"
    )
    name = models.CharField(_("file name"), max_length=255)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["document", "kind", "-version"]
        verbose_name = _("document file")
        verbose_name_plural = _("document files")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class DocumentEvent(models.Model):
    """One step of a document's history: every comment, approval, version and status."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("document event")
        verbose_name_plural = _("document events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.document_id}"


class Assignment(TimeStampedModel):
    """The handling of an incoming document by a person or a unit (phiếu giải quyết):
    lead handler or co-handler, deadline, the leader's directive, progress, answer."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=8, choices=HandlingRole.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    assignee_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    directive = models.TextField(_("directive"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=HandlingState.choices, default=HandlingState.OPEN
    )
    progress = models.TextField(_("progress"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    objects = RestrictedManager["Assignment"]()

    scope_path: ClassVar[str] = "document__unit"

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | Q(assignee_unit__isnull=False),
                name="documents_assignment_has_assignee",
                violation_error_message=_("An assignment names a person or a unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.assignee or self.assignee_unit} ({self.role})"

    @property
    def audit_unit_id(self) -> int:
        """Audit events about an assignment belong to the document's unit."""
        return self.document.unit_id


class IntakeBatch(models.Model):
    """Scans that came in together (issue #7 scope 2): one upload, one file dropped in the
    watched folder, or one run of ``lienthong import_scans`` (re-runs of the same folder
    and spreadsheet continue the same batch)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=8, choices=IntakeSource.choices)
    #: The folder and spreadsheet of a bulk import (how a re-run finds its batch), or a
    #: description of an upload.
    name = models.CharField(_("name"), max_length=500)
    #: Seal the digitised copies as "bản sao điện tử" (NĐ 30 Phụ lục I ô 14).
    seal = models.BooleanField(_("seal the copies"), default=False)
    #: The register spreadsheet's rows of an upload (``register.RegisterRow`` as dicts),
    #: matched to the files as they arrive one by one.
    register = models.JSONField(_("register rows"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)

    objects = RestrictedManager["IntakeBatch"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class IntakeFile(models.Model):
    """One scanned file in the intake and what became of it (issue #7 scopes 1-4).

    The row is the truth (STYLE habit 8): the task that reads it only carries its id, and
    a row left "being read" by a worker that died is read again. The original scan is
    kept (``original``) next to the PDF/A made from it (``digitised``, on the document).
    """

    batch = models.ForeignKey(
        IntakeBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="files"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("file name"), max_length=255)
    #: The spreadsheet row of a bulk import (1 = the header), for the report and re-runs.
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    original = models.ForeignKey(
        StoredFile,
        verbose_name=_("original scan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    #: The register data given with the scan (number, notation, date, subject…).
    entry = models.JSONField(_("register data"), default=dict, blank=True)
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes",
    )
    digitised = models.ForeignKey(
        DocumentFile,
        verbose_name=_("digitised copy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same content as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=IntakeState.choices, default=IntakeState.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedManager["IntakeFile"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("scanned file")
        verbose_name_plural = _("scanned files")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row"],
                condition=Q(row__isnull=False),
                name="documents_intake_one_per_row",
                violation_error_message=_("This row of the batch is already taken in."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id
