"""The organisation: nodes, the unit tree, people, positions, roles and memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.choices import Clearance, ScopeToken
from lienthong.core.models import TimeStampedModel
from lienthong.core.permissions import RestrictedManager, RestrictedQuerySet
from lienthong.core.text import collation_key, fold
from lienthong.org.choices import NetworkProfile, UnitKind, UnitLevel

__all__ = [
    "ORGAN_ID_VALIDATOR",
    "Membership",
    "Node",
    "Position",
    "Role",
    "RoleGrant",
    "Unit",
    "User",
]

#: Mã định danh (QĐ 20/2020/QĐ-TTg; vn-rules.md §3.8): groups of [0-9A-Z] separated by
#: dots, at most 35 characters. Malformed real codes ("28.22.H17") still match; what is
#: refused is lower case, other characters, empty groups.
ORGAN_ID_VALIDATOR = RegexValidator(
    regex=r"^(?=.{1,35}$)[0-9A-Z]+(\.[0-9A-Z]+)*$",
    message=_(
        "An organisation id has groups of digits and capital letters separated by dots, "
        "at most 35 characters (QĐ 20/2020/QĐ-TTg)."
    ),
    code="invalid_organ_id",
)


class Node(TimeStampedModel):
    """A lienthong installation (trung tâm tích hợp dữ liệu) that hosts units."""

    code = models.CharField(
        _("code"),
        max_length=35,
        unique=True,
        validators=[ORGAN_ID_VALIDATOR],
        help_text=_("Unique code of the node in the network."),
    )
    name = models.CharField(_("name"), max_length=200)
    network_profile = models.CharField(
        _("network"),
        max_length=16,
        choices=NetworkProfile.choices,
        default=NetworkProfile.INTERNET,
    )
    is_local = models.BooleanField(_("this node"), default=False)
    base_url = models.URLField(_("address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_local"],
                condition=Q(is_local=True),
                name="org_node_one_local",
                violation_error_message=_("Only one node can be this node."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(RestrictedQuerySet["Unit"]):
    """Queries over the unit tree."""

    def active(self, on: dt.date | None = None) -> UnitQuerySet:
        """Units open on ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=day),
            Q(active_to__isnull=True) | Q(active_to__gte=day),
        )

    def descendants_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        """The subtree under ``unit`` (one indexed prefix match on ``path``)."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class UnitManager(RestrictedManager["Unit"]):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db)

    def active(self, on: dt.date | None = None) -> UnitQuerySet:
        """Units open on ``on`` (today by default)."""
        return self.get_queryset().active(on)


class Unit(TimeStampedModel):
    """A unit of the organisation (đơn vị, cơ quan): a node of a tree of any depth.

    The tree is an adjacency list (``parent``) plus a materialised path of primary keys
    (``"/1/35/420/"``), so a subtree is one indexed prefix match on both SQLite and
    PostgreSQL (STYLE habit 19: no MPTT). Units are never deleted: they close
    (``active_to``) and may name the unit they merged into (``successor``).
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=UnitLevel.choices)
    name = models.CharField(_("name"), max_length=300)
    name_folded = models.CharField(max_length=300, db_index=True, editable=False)
    sort_key = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    short_name = models.CharField(
        _("short name"),
        max_length=30,
        blank=True,
        help_text=_('Used in document numbers, e.g. "TU", "ĐU", "UBND".'),
    )
    organ_id = models.CharField(
        _("organisation id"),
        max_length=35,
        null=True,
        blank=True,
        unique=True,
        validators=[ORGAN_ID_VALIDATOR],
        help_text=_("Mã định danh, e.g. 000.00.00.H41."),
    )
    node = models.ForeignKey(
        Node, verbose_name=_("node"), on_delete=models.PROTECT, related_name="units"
    )
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    source_key = models.CharField(
        _("source key"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Stable key of a unit loaded from a reference list (re-loads update it)."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = UnitManager()

    scope_path: ClassVar[str] = "pk"

    class Meta:
        ordering = ["depth", "sort_order", "sort_key"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="org_unit_active_dates_ordered",
                violation_error_message=_("A unit cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(f"{self.name} {self.short_name}")
        self.sort_key = collation_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The unit's page."""
        return reverse("unit-detail", args=[self.pk])

    @property
    def audit_unit_id(self) -> int | None:
        """The unit an audit event about this unit belongs to: itself."""
        return self.pk

    @property
    def is_active(self) -> bool:
        """Open today."""
        today = timezone.localdate()
        return (self.active_from is None or self.active_from <= today) and (
            self.active_to is None or self.active_to >= today
        )

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read from ``path``."""
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class UserQuerySet(RestrictedQuerySet["User"]):
    """Queries over people."""


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager, restrictable."""

    def restrict(self, user: Any, action: str = "view") -> UserQuerySet:
        return self.get_queryset().restrict(user, action)


class User(AbstractUser):
    """A person with an account (người dùng).

    People belong to units through ``Membership`` rows, each with a role; what a person
    may see and do follows from those (``lienthong.core.permissions``).
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    full_name_folded = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=[("vi", "Tiếng Việt"), ("en", "English")], blank=True
    )

    objects: ClassVar[UserManager] = UserManager()

    scope_path: ClassVar[str] = "memberships__unit"

    class Meta:
        ordering = ["full_name", "username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name_folded = fold(self.full_name or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The person's page."""
        return reverse("person-detail", args=[self.pk])

    @staticmethod
    def scope_extra(user: Any, action: str) -> Q | None:
        """A person may always see their own account."""
        return Q(pk=user.pk) if action == "view" else None

    @property
    def audit_unit_id(self) -> int | None:
        """Audit events about a person belong to their primary unit."""
        membership = self.memberships.filter(is_primary=True).first()
        return membership.unit_id if membership else None

    @property
    def clearance(self) -> int:
        """The highest clearance among the person's active roles."""
        value = self.memberships.active().aggregate(top=models.Max("role__clearance")).get("top")
        return int(value or Clearance.NONE)


class Position(TimeStampedModel):
    """A post (chức vụ): Bí thư, Phó Bí thư, Chánh Văn phòng, Chuyên viên…"""

    name = models.CharField(_("name"), max_length=200, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=100, help_text=_("Smaller ranks are listed first.")
    )

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.name


class Role(TimeStampedModel):
    """A role a person holds in a unit; it carries permissions and a clearance level."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Clearance.choices, default=Clearance.NONE
    )
    is_builtin = models.BooleanField(_("built in"), default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class RoleGrant(models.Model):
    """One permission of a role and how far it reaches.

    ``permission`` is a Django permission name (``"org.view_unit"``) or a wildcard:
    ``"org.*"`` (every action on every model of an app), ``"*.view"`` (view anything),
    ``"*"`` (everything).
    """

    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="grants"
    )
    permission = models.CharField(_("permission"), max_length=100)
    scope = models.CharField(
        _("scope"), max_length=16, choices=ScopeToken.choices, default=ScopeToken.OWN_UNIT
    )

    class Meta:
        ordering = ["role", "permission"]
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "permission"],
                name="org_rolegrant_unique",
                violation_error_message=_("This role already has this permission."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.permission} ({self.get_scope_display()})"


class MembershipQuerySet(RestrictedQuerySet["Membership"]):
    """Queries over memberships."""

    def active(self, on: dt.date | None = None) -> MembershipQuerySet:
        """Memberships in force on ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=day),
            Q(active_to__isnull=True) | Q(active_to__gte=day),
        )


class MembershipManager(RestrictedManager["Membership"]):
    def get_queryset(self) -> MembershipQuerySet:
        return MembershipQuerySet(self.model, using=self._db)

    def active(self, on: dt.date | None = None) -> MembershipQuerySet:
        return self.get_queryset().active(on)


class Membership(TimeStampedModel):
    """A person holds a role (and perhaps a position) in a unit for a period."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="memberships"
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    active_from = models.DateField(_("from"), null=True, blank=True)
    active_to = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipManager()

    scope_path: ClassVar[str] = "unit"

    class Meta:
        ordering = ["unit__path", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="org_membership_unique",
                violation_error_message=_("This person already holds this role in this unit."),
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="org_membership_dates_ordered",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.unit}"

    @property
    def audit_unit_id(self) -> int:
        """Audit events about a membership belong to its unit."""
        return self.unit_id
