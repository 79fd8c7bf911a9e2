"""The programme's IT assets (issue #8 scope 1): the equipment of every unit, its age and
state, and the history of its changes.

"Due for replacement" is a rule of age: a piece of equipment in use for longer than the
lifetime of its kind (``INFRA_LIFETIME_YEARS``, [INFERRED]: no text fixes the lifetimes
of IT equipment for the Party's programme; the defaults follow common depreciation
periods and are a setting).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager
from lienthong.core.text import fold
from lienthong.infra.choices import (
    AssetKind,
    AssetStatus,
    Funding,
    LinkMedium,
    ProbeKind,
    Qualification,
)

__all__ = [
    "Asset",
    "AssetChange",
    "Contest",
    "ContestEntry",
    "ItStaff",
    "Link",
    "Probe",
    "ProbeHour",
    "ProbeResult",
    "TrainingClass",
    "TrainingParticipant",
    "lifetime_years",
]

#: The first year an asset of the programme can have been acquired (the 1990s networks).
FIRST_YEAR = 1990

#: Years of use after which equipment is due for replacement, by kind ([INFERRED]).
DEFAULT_LIFETIMES: dict[str, int] = {
    AssetKind.SERVER: 5,
    AssetKind.SWITCH: 7,
    AssetKind.ROUTER: 7,
    AssetKind.SURGE_PROTECTOR: 5,
    AssetKind.WORKSTATION: 5,
    AssetKind.PRINTER: 5,
    AssetKind.UPS: 4,
    AssetKind.NETWORK_PORT: 10,
    AssetKind.OTHER: 5,
}


def lifetime_years(kind: str) -> int:
    """The years of use after which equipment of ``kind`` is due for replacement."""
    configured: dict[str, int] = getattr(settings, "INFRA_LIFETIME_YEARS", {}) or {}
    return int(configured.get(kind, DEFAULT_LIFETIMES.get(kind, 5)))


class Asset(TimeStampedModel):
    """One piece of equipment (or a count of network ports) of a unit."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    make = models.CharField(_("make"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    #: The serial and make as compared for duplicates (folded, upper case, no spaces).
    serial_key = models.CharField(max_length=220, blank=True, editable=False, db_index=True)
    year_acquired = models.PositiveSmallIntegerField(_("year acquired"))
    funding = models.CharField(
        _("funding"), max_length=16, choices=Funding.choices, default=Funding.OTHER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssetStatus.choices, default=AssetStatus.IN_USE
    )
    #: How many: 1 for a device; the number of ports for a row of network ports.
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    location = models.CharField(_("location"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager["Asset"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["unit", "kind", "pk"]
        verbose_name = _("IT asset")
        verbose_name_plural = _("IT assets")
        constraints = [
            models.UniqueConstraint(
                fields=["serial_key"],
                condition=~Q(serial_key=""),
                name="infra_asset_unique_serial",
                violation_error_message=_("Another asset has this make and serial number."),
            ),
            models.CheckConstraint(
                condition=Q(year_acquired__gte=FIRST_YEAR),
                name="infra_asset_year_plausible",
                violation_error_message=_("The year acquired is too early."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="infra_asset_quantity_positive",
                violation_error_message=_("The quantity is at least 1."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind", "status"])]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.make, self.model) if part)
        return f"{self.get_kind_display()} {name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.serial_key = serial_key(self.make, self.serial)
        super().save(*args, **kwargs)

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id

    def due_for_replacement(self, on: dt.date | None = None) -> bool:
        """In service (not retired) for at least its kind's lifetime on ``on``."""
        year = (on or timezone.localdate()).year
        if self.status == AssetStatus.RETIRED:
            return False
        return year - int(self.year_acquired) >= lifetime_years(self.kind)


def serial_key(make: str, serial: str) -> str:
    """The make and serial as compared for duplicates ("" when there is no serial)."""
    number = "".join(fold(serial or "").upper().split())
    if not number:
        return ""
    return f"{''.join(fold(make or '').upper().split())}:{number}"


class AssetChange(models.Model):
    """One change of an asset: who, when, and each field's value before and after."""

    class Action(models.TextChoices):
        CREATED = "created", _("added")
        IMPORTED = "imported", _("imported")
        CHANGED = "changed", _("changed")

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    #: ``{"field": [before, after]}``; for a new asset, ``{"field": [None, value]}``.
    fields = models.JSONField(_("changes"), default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = RestrictedManager["AssetChange"]()

    scope_path: ClassVar[str] = "asset__unit"

    class Meta:
        ordering = ["asset", "changed_at", "pk"]
        verbose_name = _("asset change")
        verbose_name_plural = _("asset changes")

    def __str__(self) -> str:
        return f"{self.asset_id} {self.action} {self.changed_at:%Y-%m-%d}"


class Link(TimeStampedModel):
    """One connection of a unit to the network (issue #8 scope 2)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    medium = models.CharField(_("medium"), max_length=16, choices=LinkMedium.choices)
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    since = models.DateField(_("connected since"), null=True, blank=True)
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager["Link"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["unit", "medium", "pk"]
        verbose_name = _("network link")
        verbose_name_plural = _("network links")

    def __str__(self) -> str:
        return f"{self.get_medium_display()} {self.provider}".strip()

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class Probe(TimeStampedModel):
    """A live check of a unit's reachability, run every ``interval_seconds`` by the
    probe sweep; its state (``down_since``, ``alerted_at``) follows its results."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=ProbeKind.choices)
    host = models.CharField(_("host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    url = models.CharField(_("address (URL)"), max_length=500, blank=True)
    expected_status = models.PositiveSmallIntegerField(_("expected HTTP status"), default=200)
    interval_seconds = models.PositiveIntegerField(_("every (seconds)"), default=60)
    timeout_seconds = models.FloatField(_("timeout (seconds)"), default=5.0)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    last_ok = models.BooleanField(_("last result"), null=True, blank=True)
    down_since = models.DateTimeField(_("down since"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("alert sent"), null=True, blank=True)

    objects = RestrictedManager["Probe"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["unit", "name", "pk"]
        verbose_name = _("probe")
        verbose_name_plural = _("probes")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_seconds__gte=1) & Q(timeout_seconds__gt=0),
                name="infra_probe_timing_positive",
                violation_error_message=_("The interval and the timeout must be positive."),
            ),
        ]
        indexes = [models.Index(fields=["enabled", "next_check_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class ProbeResult(models.Model):
    """One check's outcome (the raw time series, kept ``INFRA_PROBE_RAW_DAYS`` days)."""

    probe = models.ForeignKey(
        Probe, verbose_name=_("probe"), on_delete=models.CASCADE, related_name="results"
    )
    at = models.DateTimeField(_("time"))
    ok = models.BooleanField(_("reachable"))
    latency_ms = models.FloatField(_("latency (ms)"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = RestrictedManager["ProbeResult"]()

    scope_path: ClassVar[str] = "probe__unit"

    class Meta:
        ordering = ["probe", "at"]
        verbose_name = _("probe result")
        verbose_name_plural = _("probe results")
        indexes = [models.Index(fields=["probe", "at"])]

    def __str__(self) -> str:
        return f"{self.probe_id} {self.at:%Y-%m-%d %H:%M:%S} {'up' if self.ok else 'down'}"


class ProbeHour(models.Model):
    """The results of one probe in one hour, once the raw results are older than
    ``INFRA_PROBE_RAW_DAYS`` (the downsampled time series)."""

    probe = models.ForeignKey(
        Probe, verbose_name=_("probe"), on_delete=models.CASCADE, related_name="hours"
    )
    hour = models.DateTimeField(_("hour"))
    checks = models.PositiveIntegerField(_("checks"))
    ok_checks = models.PositiveIntegerField(_("reachable"))
    latency_ms = models.FloatField(_("mean latency (ms)"), null=True, blank=True)

    objects = RestrictedManager["ProbeHour"]()

    scope_path: ClassVar[str] = "probe__unit"

    class Meta:
        ordering = ["probe", "hour"]
        verbose_name = _("probe hour")
        verbose_name_plural = _("probe hours")
        constraints = [
            models.UniqueConstraint(fields=["probe", "hour"], name="infra_probehour_unique")
        ]

    def __str__(self) -> str:
        return f"{self.probe_id} {self.hour:%Y-%m-%d %H}h {self.ok_checks}/{self.checks}"


class ItStaff(TimeStampedModel):
    """A person of a unit who works on IT (issue #8 scope 3): dedicated (chuyên trách)
    or part-time (kiêm nhiệm), with their qualification."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("full name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dedicated = models.BooleanField(_("dedicated (chuyên trách)"), default=True)
    qualification = models.CharField(
        _("qualification"), max_length=16, choices=Qualification.choices, default=Qualification.NONE
    )
    certificates = models.CharField(_("certificates"), max_length=300, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)

    objects = RestrictedManager["ItStaff"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["unit", "full_name", "pk"]
        verbose_name = _("IT staff member")
        verbose_name_plural = _("IT staff")

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class TrainingClass(TimeStampedModel):
    """A training class a unit organised (issue #8 scope 3)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=300)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    location = models.CharField(_("location"), max_length=200, blank=True)

    objects = RestrictedManager["TrainingClass"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="infra_training_dates_in_order",
                violation_error_message=_("A class cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_on:%d/%m/%Y})"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class TrainingParticipant(models.Model):
    """One person who took part in a class, from their unit."""

    training = models.ForeignKey(
        TrainingClass,
        verbose_name=_("training class"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("full name"), max_length=100)
    completed = models.BooleanField(_("completed"), default=True)

    objects = RestrictedManager["TrainingParticipant"]()

    scope_path: ClassVar[str] = "training__unit"

    class Meta:
        ordering = ["training", "full_name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.full_name


class Contest(TimeStampedModel):
    """An IT contest a unit organised (issue #8 scope 3), held in rounds."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))

    objects = RestrictedManager["Contest"]()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["-year", "name", "pk"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    @property
    def audit_unit_id(self) -> int:
        return self.unit_id


class ContestEntry(models.Model):
    """One entrant of a contest round, with the result."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="entries"
    )
    round = models.CharField(_("round"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    entrant = models.CharField(_("entrant"), max_length=200)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    prize = models.CharField(_("prize"), max_length=100, blank=True)

    objects = RestrictedManager["ContestEntry"]()

    scope_path: ClassVar[str] = "contest__unit"

    class Meta:
        ordering = ["contest", "round", "-score", "pk"]
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")

    def __str__(self) -> str:
        return f"{self.entrant} ({self.round})"
