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
from lienthong.infra.choices import AssetKind, AssetStatus, Funding

__all__ = ["Asset", "AssetChange", "lifetime_years"]

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
