"""Congresses, elections, rounds, ballot records and the entry journal (issue #6).

A congress belongs to the committee that convenes it (its unit): every query is scoped
through it (STYLE habits 5-6). Ballot records are what the two entry teams typed, one
row per paper ballot and team: the count is recomputed from them, never from totals. No
record identifies a voter (ballots carry no serial number; ``number`` is the position of
the ballot in the counted stack).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong.core.permissions import RestrictedManager, RestrictedQuerySet
from lienthong.elections.choices import Body, ElectionKind, RoundState, ScanState, Team


class ElectionsQuerySet(RestrictedQuerySet[Any]):
    pass


class ElectionsManager(RestrictedManager[Any]):
    def get_queryset(self) -> ElectionsQuerySet:
        return ElectionsQuerySet(self.model, using=self._db)


class Congress(models.Model):
    """A congress (đại hội) or a committee meeting held by a unit's party committee."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("convening unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=300)
    body = models.CharField(_("who votes"), max_length=12, choices=Body.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ElectionsManager()
    scope_path: ClassVar[str] = "unit"

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.name


class Election(models.Model):
    """One election at a congress: its seats, its base and its candidates."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress"), on_delete=models.CASCADE, related_name="elections"
    )
    kind = models.CharField(_("election"), max_length=20, choices=ElectionKind.choices)
    rules = models.CharField(_("counting rules"), max_length=20, default="party-190-2024")
    body = models.CharField(_("who votes"), max_length=12, choices=Body.choices)
    seats = models.PositiveSmallIntegerField(_("seats"))
    convened = models.PositiveIntegerField(_("convened"))
    present = models.PositiveIntegerField(_("present"))
    #: [{"reason": "...", "count": n}], 190 Art. 30.2-30.3 (vote-rules.md §A3.1).
    deductions = models.JSONField(_("deductions from the base"), default=list)
    #: The counting board (190 Art. 8): [{"name", "role": "chair" | "member",
    #: "username"}]; a board member with an account signs the minutes.
    board = models.JSONField(_("counting board"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ElectionsManager()
    scope_path: ClassVar[str] = "congress__unit"

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["congress", "pk"]

    def __str__(self) -> str:
        return f"{self.congress}: {self.get_kind_display()}"

    @property
    def base(self) -> int:
        return int(self.convened) - sum(int(d["count"]) for d in self.deductions)


class Candidate(models.Model):
    """A name on the election's list (read through its election's scope)."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="candidates"
    )
    full_name = models.CharField(_("full name"), max_length=100)
    born = models.DateField(_("date of birth"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["election", "full_name"], name="candidate_once")
        ]

    def __str__(self) -> str:
        return self.full_name


class Round(models.Model):
    """One vote (lần bầu) of an election: its list, seats, ballot counts and result."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    seats = models.PositiveSmallIntegerField(_("seats"))
    #: The names on this round's ballot, in ballot order.
    names = models.JSONField(_("names on the ballot"), default=list)
    state = models.CharField(
        _("state"), max_length=10, choices=RoundState.choices, default=RoundState.ENTERING
    )
    issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    received = models.PositiveIntegerField(_("ballots received"), null=True, blank=True)
    #: The count (``tally.result_to_json``), once counted.
    result = models.JSONField(_("result"), null=True, blank=True)
    #: The readings the count used (tally's ``"options"``, from the settings at the
    #: count), kept so that a recount gives the same result after a settings change.
    options = models.JSONField(_("counting options"), default=dict)
    #: The counting minutes (biên bản kiểm phiếu), with the board's signatures so far.
    minutes = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("counting minutes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Who has signed the minutes, in order: [{"name", "username", "at"}].
    minutes_signed_by = models.JSONField(_("minutes signed by"), default=list)

    objects = ElectionsManager()
    scope_path: ClassVar[str] = "election__congress__unit"

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["election", "number"]
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="round_once")]

    def __str__(self) -> str:
        return f"{self.election}, {self.number}"


class BallotRecord(models.Model):
    """One paper ballot as one entry team read it."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="records"
    )
    team = models.PositiveSmallIntegerField(_("team"), choices=Team.choices)
    number = models.PositiveIntegerField(_("ballot in the stack"))
    kept = models.JSONField(_("names kept"), null=True, blank=True)
    boxes = models.JSONField(_("boxes"), null=True, blank=True)
    official = models.BooleanField(_("official form"), default=True)
    stamped = models.BooleanField(_("stamped"), default=True)
    written_in = models.JSONField(_("names written in"), default=list)
    extra_mark = models.BooleanField(_("special mark"), default=False)
    #: The team sends the ballot to the board (190 Art. 8: the board concludes on
    #: doubtful and invalid ballots); not part of the reading the teams must agree on.
    doubtful = models.BooleanField(_("for the board to decide"), default=False)
    #: Scanned ballots (team "scanner"): the page, what the reader saw, and whether a
    #: person must still confirm it (the reader was unsure, vote-rules.md §B6).
    scan = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("scanned page"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    omr = models.JSONField(_("what the scanner read"), null=True, blank=True)
    review = models.BooleanField(_("awaiting a person"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    objects = ElectionsManager()
    scope_path: ClassVar[str] = "round__election__congress__unit"

    class Meta:
        verbose_name = _("ballot record")
        verbose_name_plural = _("ballot records")
        ordering = ["round", "team", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "team", "number"], name="ballot_once_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.number} ({self.team})"

    def reading(self) -> tuple[Any, ...]:
        """What the ballot says, for comparing the two teams."""
        return (
            tuple(sorted(self.kept)) if self.kept is not None else None,
            tuple(sorted((self.boxes or {}).items())) if self.boxes is not None else None,
            self.official,
            self.stamped,
            tuple(sorted(self.written_in)),
            self.extra_mark,
        )


class ScanBatch(models.Model):
    """One uploaded scan file (a PDF of many pages, or one image), read in the background."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="scan_batches"
    )
    name = models.CharField(_("file name"), max_length=200)
    source = models.ForeignKey(
        "documents.StoredFile", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ScanState.choices, default=ScanState.QUEUED
    )
    pages = models.PositiveIntegerField(_("pages"), default=0)
    done = models.PositiveIntegerField(_("pages read"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ElectionsManager()
    scope_path: ClassVar[str] = "round__election__congress__unit"

    class Meta:
        verbose_name = _("scan file")
        verbose_name_plural = _("scan files")
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return self.name


class BallotDecision(models.Model):
    """The counting board's decision on a doubtful ballot, with its reason (190 Art. 8).

    ``valid``: the ballot counts as read (irregular marks set aside); ``invalid``: it is
    invalid for ``reason_code`` (not issued by the board, or a special mark / added
    content, vote-rules.md §A2). The decision is final and journaled.
    """

    class Verdict(models.TextChoices):
        VALID = "valid", _("valid")
        INVALID = "invalid", _("invalid")

    class Reason(models.TextChoices):
        NOT_OFFICIAL = "not_official", _("not the official ballot or not stamped")
        EXTRA_MARK = "extra_mark", _("a special mark, signature or added content")

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveIntegerField(_("ballot in the stack"))
    verdict = models.CharField(_("decision"), max_length=8, choices=Verdict.choices)
    reason_code = models.CharField(_("ground"), max_length=20, choices=Reason.choices, blank=True)
    note = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    objects = ElectionsManager()
    scope_path: ClassVar[str] = "round__election__congress__unit"

    class Meta:
        verbose_name = _("board decision")
        verbose_name_plural = _("board decisions")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="one_decision_per_ballot")
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.number}: {self.verdict}"


class JournalEntry(models.Model):
    """The entry journal (nhật ký nhập phiếu): append-only, hash-chained per round."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="journal"
    )
    action = models.CharField(_("action"), max_length=30)
    data = models.JSONField(_("data"), default=dict)
    actor = models.CharField(_("by"), max_length=200)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "previous_hash"], name="journal_no_fork")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.action}"
