"""Enumerations shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeToken(models.TextChoices):
    """How far a role's grant reaches from the unit where it is held."""

    OWN_UNIT = "own_unit", _("my unit")
    SUBTREE = "subtree", _("my unit and the units below it")
    #: A department's grant reaching its whole committee: the organisation department of
    #: a provincial committee keeps the records of every member in the province.
    COMMITTEE = "committee", _("my committee and the units below it")
    ALL = "all", _("all units")


class Clearance(models.IntegerChoices):
    """Security clearance (độ mật a person may read); Luật Bảo vệ BMNN, vn-rules.md §5.1."""

    NONE = 0, _("none")
    CONFIDENTIAL = 1, _("confidential (mật)")
    SECRET = 2, _("secret (tối mật)")
    TOP_SECRET = 3, _("top secret (tuyệt mật)")
