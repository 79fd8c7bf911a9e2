"""Party-member records (issue #9 scope 1): the fields of the Phiếu đảng viên (Mẫu
2-HSĐV) and of the member list (Mẫu 7-HSĐV, 14 columns), vn-rules.md §6.

A record belongs to the unit where the member takes part in Party life (a cell or a
committee): ``unit``. It is strictly private: only the organisation department of that
unit's committee and the levels above may read it (the grant ``records.view_member``
with the scope "committee", org/roles.py), and every read is audited
(``records.selectors.member_get``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.core.text import fold
from lienthong.records.choices import (
    Gender,
    LeavingForm,
    MemberEventKind,
    MemberState,
    Service,
    TheoryLevel,
    TransferDirection,
    TransferState,
)

__all__ = ["Member", "MemberEvent", "Reconciliation", "Transfer"]


class Member(TimeStampedModel):
    """One party member's record (Phiếu đảng viên, Mẫu 2-HSĐV)."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("party cell or committee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Mẫu 2-HSĐV items 1-10 (vn-rules.md §6.3).
    full_name = models.CharField(_("full name"), max_length=200)
    full_name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    birth_name = models.CharField(_("name at birth"), max_length=200, blank=True)
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    born_on = models.DateField(_("date of birth"))
    birth_place = models.CharField(_("place of birth"), max_length=300, blank=True)
    home_town = models.CharField(_("home town"), max_length=300, blank=True)
    residence = models.CharField(_("residence"), max_length=300, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=50, default="Kinh")
    religion = models.CharField(_("religion"), max_length=50, blank=True)
    # Items 11-13: occupation and levels.
    occupation_before = models.CharField(
        _("occupation before admission"), max_length=200, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    education = models.CharField(_("general education"), max_length=20, blank=True)
    professional = models.CharField(_("professional qualification"), max_length=200, blank=True)
    theory = models.CharField(
        _("political theory"),
        max_length=16,
        choices=TheoryLevel.choices,
        default=TheoryLevel.NONE,
        blank=True,
    )
    foreign_language = models.CharField(_("foreign language"), max_length=100, blank=True)
    # Items 14-15: admission and becoming official.
    admitted_on = models.DateField(_("date of admission"))
    admitted_place = models.CharField(_("place of admission"), max_length=300, blank=True)
    official_on = models.DateField(_("date made official"), null=True, blank=True)
    official_place = models.CharField(_("place made official"), max_length=300, blank=True)
    # The identifiers (vn-rules.md §6.2) and the badge (Mẫu 7 column 8).
    card_number = models.CharField(_("party card number"), max_length=8, blank=True)
    file_number = models.CharField(_("member file number"), max_length=9, blank=True)
    badge = models.CharField(_("party badge"), max_length=100, blank=True)
    service = models.CharField(
        _("army, police, retired"),
        max_length=8,
        choices=Service.choices,
        default=Service.NONE,
        blank=True,
    )
    # Mẫu 7 columns 10-13: transfers, death, leaving; exemption from Party life.
    state = models.CharField(
        _("state"), max_length=16, choices=MemberState.choices, default=MemberState.ACTIVE
    )
    transferred_in_on = models.DateField(_("transferred in on"), null=True, blank=True)
    transferred_in_from = models.CharField(_("transferred in from"), max_length=300, blank=True)
    transferred_out_on = models.DateField(_("transferred out on"), null=True, blank=True)
    transferred_out_to = models.CharField(_("transferred out to"), max_length=300, blank=True)
    exempt_since = models.DateField(_("exempt from Party life since"), null=True, blank=True)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    left_on = models.DateField(_("date of leaving the Party"), null=True, blank=True)
    leaving_form = models.CharField(
        _("form of leaving"), max_length=16, choices=LeavingForm.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    #: The 3x4 portrait (records/photos.py keeps a re-encoded JPEG, never the upload).
    photo = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedManager["Member"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["full_name_folded", "pk"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        constraints = [
            # A record closed by a transfer keeps its numbers beside the record opened
            # at the receiving committee (Mẫu 7 column 10: the line stays in the
            # register of the cell the member left).
            models.UniqueConstraint(
                fields=["card_number"],
                condition=~Q(card_number="") & ~Q(state="transferred_out"),
                name="records_member_unique_card",
                violation_error_message=_("Another member holds this party card number."),
            ),
            models.UniqueConstraint(
                fields=["file_number"],
                condition=~Q(file_number="") & ~Q(state="transferred_out"),
                name="records_member_unique_file",
                violation_error_message=_("Another member has this member file number."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "full_name_folded"]),
            models.Index(fields=["state", "full_name_folded"]),
            # The list filtered by year of admission: each unit's range of dates, with the
            # name to sort by (docs/benchmarks.md, member list).
            models.Index(
                fields=["unit", "admitted_on", "full_name_folded"],
                name="records_member_unit_admitted",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.full_name_folded = fold(self.full_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class MemberEvent(models.Model):
    """A post held, a reward or a discipline in a member's record."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MemberEventKind.choices)
    title = models.CharField(_("what"), max_length=300)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=200, blank=True)

    objects = RestrictedManager["MemberEvent"]()

    scope_path: ClassVar[str] = "member__unit"

    class Meta:
        ordering = ["member", "since", "pk"]
        verbose_name = _("member record entry")
        verbose_name_plural = _("member record entries")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.title}"

    @property
    def audit_unit_id(self) -> int:
        return self.member.unit_id


class Transfer(TimeStampedModel):
    """A transfer of Party life (chuyển sinh hoạt đảng, issue #9 scope 2), one side of it.

    The sending committee's row (``OUT``) belongs to the unit the member leaves; the
    receiving committee's row (``IN``) to the unit they join, and carries the record as
    it was sent. On one node both rows are here (``linked``); across nodes the record
    travels in a signed envelope, encrypted to the receiving node
    (exchange/services/payloads.py), and the answer comes back as a signed status
    message. When the receiving committee accepts, a record is opened there and the
    sender's record is closed ("transferred out", Mẫu 7-HSĐV column 10): the member is
    never active twice.
    """

    direction = models.CharField(_("direction"), max_length=4, choices=TransferDirection.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("party cell or committee"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit the member leaves (out) or joins (in)."),
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        help_text=_("Out: the record closed by the transfer. In: the record it opened."),
    )
    other_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("other party cell or committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    other_name = models.CharField(_("to or from"), max_length=300)
    other_address = models.CharField(_("address of the other unit"), max_length=35, blank=True)
    node = models.ForeignKey(
        "org.Node",
        verbose_name=_("other node"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=TransferState.choices, default=TransferState.PENDING
    )
    transfer_on = models.DateField(_("date of transfer"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    #: In: the record as received (Mẫu 2-HSĐV fields and entries); out: as sent.
    record = models.JSONField(_("record"), default=dict, editable=False)
    full_name = models.CharField(_("full name"), max_length=200)
    edxml_id = models.CharField(_("document id (edXML)"), max_length=300, blank=True)
    code = models.CharField(_("number"), max_length=60, blank=True)
    arrival = models.ForeignKey(
        "exchange.InboundMessage",
        verbose_name=_("envelope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked = models.OneToOneField(
        "self",
        verbose_name=_("other side"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = RestrictedManager["Transfer"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("transfer of Party life")
        verbose_name_plural = _("transfers of Party life")
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "unit", "edxml_id"],
                condition=~Q(edxml_id=""),
                name="records_transfer_once",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(direction="out", state="pending"),
                name="records_transfer_one_pending",
                violation_error_message=_("This member's transfer is already on its way."),
            ),
        ]
        indexes = [models.Index(fields=["edxml_id"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.full_name} ({self.get_state_display()})"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class Reconciliation(models.Model):
    """A committee's confirmation of its member figures for a quarter (issue #9 scope 3):
    the register is checked against the committees above and below every 3 months
    (vn-rules.md §6.4). ``figures`` is the row of the unit's whole subtree as computed
    when it was confirmed (``records.reconciliation.FIGURES``), so the level above sees
    what changed since (a backdated death shows as a difference)."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("party cell or committee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    figures = models.JSONField(_("figures"), default=dict, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager["Reconciliation"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-year", "-quarter", "unit"]
        verbose_name = _("quarterly reconciliation")
        verbose_name_plural = _("quarterly reconciliations")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"],
                name="records_reconciliation_once",
                violation_error_message=_(
                    "The figures of this unit for this quarter are already confirmed."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: Q{self.quarter}/{self.year}"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id
