"""Enumerations of the library of Party documents."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["PublicationStatus", "RelationKind", "Visibility"]


class Visibility(models.TextChoices):
    """Who may read a publication.

    ``restricted`` is the classified part of the library: it carries a classification
    (Mật, Tối mật, Tuyệt mật; vn-rules.md §5.1) and is read only by people whose
    clearance reaches it; it can exist only on a node of the dedicated network
    (vn-rules.md §5.2).
    """

    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")
    RESTRICTED = "restricted", _("restricted")


class RelationKind(models.TextChoices):
    """How a publication relates to an earlier one ("A replaces B")."""

    REPLACES = "replaces", _("replaces")
    AMENDS = "amends", _("amends")
    GUIDES = "guides", _("guides")
    IMPLEMENTS = "implements", _("implements")


class PublicationStatus(models.TextChoices):
    """The effective status of a publication, as the library shows it."""

    IN_FORCE = "in_force", _("in force")
    REPLACED = "replaced", _("replaced")
    WITHDRAWN = "withdrawn", _("withdrawn")
