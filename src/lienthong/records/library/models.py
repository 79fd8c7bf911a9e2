"""The library of Party documents (văn kiện; issue #9 scope 5).

A ``Publication`` is one issued Party document kept for reference: its number and
notation ("Số 57-NQ/TW", vn-rules.md §2.3-2.4), date, issuing body, type (the Party
types of ``documents.DocumentType``, §2.2), term (khóa), trích yếu, the PDF and the text
of its text layer, tags, and how far it may be read (``Visibility``; a restricted one
carries a classification, vn-rules.md §5). The unit that keeps it (``unit``, the
permission scope) is the office that entered it; reading is shared across the network
(org/roles.py grants ``library.view_publication`` with the scope "all").

``PublicationRelation`` says how one publication relates to an earlier one (replaces,
amends, guides, implements): "A replaces B" makes B show as "replaced by A".
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from lienthong.core.choices import Clearance
from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager, RestrictedQuerySet
from lienthong.core.text import fold
from lienthong.documents.search.analysis import number_key
from lienthong.records.library.choices import PublicationStatus, RelationKind, Visibility

__all__ = ["Publication", "PublicationRelation", "Tag"]

#: Roman numerals of a term (khóa I … khóa XX…).
TERM_LETTERS = frozenset("IVXLC")


class Tag(models.Model):
    """A subject tag of the library ("chuyển đổi số", "xây dựng Đảng")."""

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        ordering = ["key"]
        verbose_name = _("subject tag")
        verbose_name_plural = _("subject tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.key = " ".join(fold(self.name).split())
        super().save(*args, **kwargs)


class PublicationQuerySet(RestrictedQuerySet["Publication"]):
    """Queries over publications."""

    def with_status(self) -> PublicationQuerySet:
        """Annotate ``replaced``: another publication, not withdrawn, replaces this one."""
        return self.annotate(replaced=_replacing())

    def of_status(self, status: str) -> PublicationQuerySet:
        """Only the publications whose effective status is ``status``."""
        qs = self.with_status()
        if status == PublicationStatus.WITHDRAWN:
            return qs.filter(withdrawn_at__isnull=False)
        if status == PublicationStatus.REPLACED:
            return qs.filter(_replacing(), withdrawn_at__isnull=True)
        if status == PublicationStatus.IN_FORCE:
            return qs.filter(~_replacing(), withdrawn_at__isnull=True)
        return qs


def _replacing() -> Exists:
    """True for a publication that another one, not withdrawn, replaces."""
    return Exists(
        PublicationRelation.objects.filter(
            target=OuterRef("pk"), kind=RelationKind.REPLACES, source__withdrawn_at__isnull=True
        )
    )


class PublicationManager(RestrictedManager["Publication"]):
    def get_queryset(self) -> PublicationQuerySet:
        return PublicationQuerySet(self.model, using=self._db)

    def with_status(self) -> PublicationQuerySet:
        """Every publication, with ``replaced`` annotated."""
        return self.get_queryset().with_status()

    def of_status(self, status: str) -> PublicationQuerySet:
        """The publications whose effective status is ``status``."""
        return self.get_queryset().of_status(status)


class Publication(TimeStampedModel):
    """One Party document of the library."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The office that keeps this entry of the library."),
    )
    document_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"convention": "party"},
    )
    # Số, ký hiệu: "57" and "NQ/TW" (vn-rules.md §2.4: number, dash, type, slash, body).
    number = models.PositiveIntegerField(_("number"))
    notation = models.CharField(
        _("notation"), max_length=30, help_text=_('The part after the dash: "NQ/TW" in 57-NQ/TW.')
    )
    number_key = models.CharField(max_length=50, editable=False, db_index=True)
    issued_on = models.DateField(_("date issued"))
    issuer_name = models.CharField(_("issuing body"), max_length=200)
    issuer_key = models.CharField(max_length=200, editable=False, db_index=True)
    issuer_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("issuing unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The issuing body among the units of the network, when it is one."),
    )
    term = models.CharField(
        _("term"), max_length=10, blank=True, help_text=_('The khóa, in Roman numerals: "XIII".')
    )
    title = models.CharField(_("subject"), max_length=1000)
    text_content = models.TextField(_("full text"), blank=True, editable=False)
    file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("PDF file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("subject tags"), blank=True, related_name="+")
    tags_text = models.CharField(max_length=1000, blank=True, editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance.choices, default=Clearance.NONE
    )
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True, editable=False)
    withdrawn_reason = models.CharField(_("reason"), max_length=500, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = PublicationManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_key", "number", "notation", "issued_on"],
                name="library_publication_unique_number",
                violation_error_message=_(
                    "The library already holds a document of this issuing body with this "
                    "number, notation and date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(visibility=Visibility.RESTRICTED, classification__gt=0)
                | (~Q(visibility=Visibility.RESTRICTED) & Q(classification=0)),
                name="library_publication_classified_is_restricted",
                violation_error_message=_(
                    "A classified document is restricted, and a restricted one is classified."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "issued_on"]),
            models.Index(fields=["document_type", "issued_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number_display} — {self.title[:80]}"

    def _derive(self) -> None:
        """The folded issuing body and the number's search key (kept by every save, and
        set before validation so that the unique constraint is checked on them)."""
        self.notation = (self.notation or "").strip()
        self.issuer_key = " ".join(fold(self.issuer_name or "").split())
        self.number_key = number_key(self.number_display) if self.number else ""

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._derive()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The number follows the Party's form (vn-rules.md §2.4: "57-NQ/TW", the type's
        abbreviation before the slash); the type is a Party type; the term is a Roman
        numeral; a classified document is restricted (vn-rules.md §5)."""
        super().clean()
        self._derive()
        errors: dict[str, Any] = {}
        notation = self.notation
        if notation:
            kind, slash, body = notation.partition("/")
            if not slash or not kind or not body or " " in notation:
                errors["notation"] = _(
                    'Write the notation as the type, a slash and the issuing body: "NQ/TW".'
                )
            elif self.document_type_id is not None:
                code = self.document_type.code
                if code and kind.casefold() != code.casefold():
                    errors["notation"] = _(
                        "The notation of a %(type)s starts with %(code)s (vn-rules.md §2.3)."
                    ) % {"type": self.document_type.name, "code": code}
        if self.document_type_id is not None and self.document_type.convention != "party":
            errors["document_type"] = _("Choose a type of Party document.")
        term = (self.term or "").strip().upper()
        if term and not set(term) <= TERM_LETTERS:
            errors["term"] = _('Write the term in Roman numerals: "XIII".')
        self.term = term
        visibility = self.visibility
        level = int(self.classification or 0)
        if visibility == Visibility.RESTRICTED and level == Clearance.NONE:
            errors["classification"] = _("A restricted document needs its classification.")
        if visibility != Visibility.RESTRICTED and level != Clearance.NONE:
            errors["visibility"] = _("A classified document can only be restricted.")
        if errors:
            raise ValidationError(errors)

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a publication belong to the unit that keeps it."""
        return self.unit_id

    @property
    def number_display(self) -> str:
        """ "57-NQ/TW": the number zero-padded below 10 (vn-rules.md §2.4), a dash, the
        notation."""
        if not self.number:
            return ""
        return f"{self.number:02d}-{self.notation}" if self.notation else f"{self.number:02d}"

    @property
    def number_line(self) -> str:
        """The number as printed on a Party document: "Số 57-NQ/TW" (no colon, HD 36)."""
        return f"Số {self.number_display}" if self.number else ""

    @property
    def is_classified(self) -> bool:
        """True when the publication carries a classification (vn-rules.md §5.1)."""
        return int(self.classification or 0) > Clearance.NONE

    def effective_status(self) -> str:
        """``PublicationStatus``: withdrawn, replaced (a publication that is not withdrawn
        replaces it) or in force. Uses the ``replaced`` annotation when present."""
        if self.withdrawn_at is not None:
            return PublicationStatus.WITHDRAWN
        replaced = getattr(self, "replaced", None)
        if replaced is None:
            replaced = self.replaced_by().exists()
        return PublicationStatus.REPLACED if replaced else PublicationStatus.IN_FORCE

    def get_effective_status_display(self) -> str:
        """The effective status's label."""
        return str(PublicationStatus(self.effective_status()).label)

    def replaced_by(self) -> models.QuerySet[Publication]:
        """The publications, not withdrawn, that replace this one (unrestricted: the
        caller narrows them to what the reader may read)."""
        return Publication.objects.filter(
            relations_out__target=self,
            relations_out__kind=RelationKind.REPLACES,
            withdrawn_at__isnull=True,
        )


class PublicationRelation(models.Model):
    """``source`` replaces / amends / guides / implements ``target``."""

    source = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="relations_out",
    )
    target = models.ForeignKey(
        Publication,
        verbose_name=_("related publication"),
        on_delete=models.CASCADE,
        related_name="relations_in",
    )
    kind = models.CharField(_("relation"), max_length=12, choices=RelationKind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["source", "kind", "pk"]
        verbose_name = _("relation between publications")
        verbose_name_plural = _("relations between publications")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"],
                name="library_relation_unique",
                violation_error_message=_("These two publications are already related so."),
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="library_relation_not_self",
                violation_error_message=_("A publication cannot relate to itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"

    @property
    def audit_unit_id(self) -> int:
        return self.source.unit_id
