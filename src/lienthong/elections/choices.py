"""Choice sets of the elections app (vote-rules.md §0, §A3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Body(models.TextChoices):
    """Who votes: it decides the base (vote-rules.md §A3.1)."""

    MEMBERS = "members", _("party members' congress")
    DELEGATES = "delegates", _("delegates' congress")
    COMMITTEE = "committee", _("committee meeting")


class ElectionKind(models.TextChoices):
    COMMITTEE = "committee", _("party committee")
    STANDING_COMMITTEE = "standing-committee", _("standing committee")
    SECRETARY = "secretary", _("secretary")
    DEPUTY_SECRETARY = "deputy-secretary", _("deputy secretary")
    INSPECTION = "inspection", _("inspection committee")
    DELEGATES = "delegates", _("delegates to the higher congress")
    ALTERNATES = "alternates", _("alternate delegates")


class RoundState(models.TextChoices):
    ENTERING = "entering", _("ballots being entered")
    COUNTED = "counted", _("counted")


class Team(models.IntegerChoices):
    """The two entry teams of independent double entry (vote-rules.md §B7)."""

    FIRST = 1, _("first team")
    SECOND = 2, _("second team")
    #: Scanned ballots: read by the scanner, confirmed by a person where unsure (§B6).
    SCANNER = 3, _("scanner")


class ScanState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being read")
    DONE = "done", _("read")
    FAILED = "failed", _("failed")
