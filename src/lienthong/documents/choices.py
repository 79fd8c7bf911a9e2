"""Enumerations of the documents app (vn-rules.md §1-2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Convention(models.TextChoices):
    """Which rules a unit's documents follow."""

    PARTY = "party", _("Party (QĐ 399-QĐ/TW, HD 36-HD/VPTW)")
    STATE = "state", _("State (NĐ 30/2020/NĐ-CP)")


class Direction(models.TextChoices):
    """Outgoing (văn bản đi) or incoming (văn bản đến)."""

    OUTGOING = "outgoing", _("outgoing")
    INCOMING = "incoming", _("incoming")


class DocumentState(models.TextChoices):
    """Where a document stands. Outgoing: draft → submitted → approved → signed → issued;
    incoming: registered → assigned → in progress → done."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    APPROVED = "approved", _("approved")
    SIGNED = "signed", _("signed")
    ISSUED = "issued", _("issued")
    RECALLED = "recalled", _("recalled")
    REGISTERED = "registered", _("registered")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("being handled")
    DONE = "done", _("done")


class Priority(models.IntegerChoices):
    """Độ khẩn (edXML Priority 0-4; NĐ 30 Phụ lục I Phần I.III.2)."""

    NORMAL = 0, _("normal")
    URGENT = 1, _("urgent (khẩn)")
    VERY_URGENT = 2, _("very urgent (thượng khẩn)")
    FLASH = 3, _("flash (hỏa tốc)")
    FLASH_TIMED = 4, _("flash, timed (hỏa tốc hẹn giờ)")


class PeriodKind(models.TextChoices):
    """When a register's numbers start again at 01 (vn-rules.md §1.2, §2.4)."""

    YEAR = "year", _("calendar year (NĐ 30)")
    TERM = "term", _("committee term (HD 36)")
    CONGRESS = "congress", _("congress (one series from opening to close)")


class SeriesKind(models.TextChoices):
    """Whether all types share one series or each type has its own."""

    ALL_TYPES = "all_types", _("one series for all types")
    PER_TYPE = "per_type", _("one series per type")


class SecretSeries(models.TextChoices):
    """Classified documents: own series (NĐ 30 Điều 15.2) or shared (HD 36)."""

    OWN = "own", _("own series")
    SHARED = "shared", _("same series as other documents")


class Competence(models.TextChoices):
    """Quyền hạn ký (NĐ 30 §1.2; Party style with slashes, HD 36)."""

    NONE = "", _("own authority")
    TM = "TM.", "TM."
    KT = "KT.", "KT."
    TL = "TL.", "TL."
    TUQ = "TUQ.", "TUQ."
    Q = "Q.", "Q."
    PARTY_TM = "T/M", "T/M"
    PARTY_KT = "K/T", "K/T"
    PARTY_TL = "T/L", "T/L"


class FileKind(models.TextChoices):
    """What a stored file is to its document."""

    DRAFT = "draft", _("draft")
    SIGNED = "signed", _("signed original")
    ATTACHMENT = "attachment", _("attachment")
    SCAN = "scan", _("scan")
    #: The searchable PDF/A-2b made from a scan by the intake (issue #7); the original
    #: scan stays beside it as ``SCAN``.
    DIGITISED = "digitised", _("digitised copy")


class EventKind(models.TextChoices):
    """Entries of a document's history (every draft, comment and approval is kept:
    Phụ lục VI Phần I.III)."""

    CREATED = "created", _("created")
    VERSION = "version", _("new version")
    COMMENT = "comment", _("comment")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for changes")
    SIGNED = "signed", _("signed")
    ISSUED = "issued", _("issued")
    REGISTERED = "registered", _("registered")
    PRESENTED = "presented", _("presented to the leader")
    ASSIGNED = "assigned", _("assigned")
    REMINDED = "reminded", _("reminder sent")
    PROGRESS = "progress", _("progress reported")
    DONE = "done", _("handled")
    RECALLED = "recalled", _("recalled")
    DIGITISED = "digitised", _("digitised")


class HandlingRole(models.TextChoices):
    """Chủ trì or phối hợp."""

    LEAD = "lead", _("lead handler (chủ trì)")
    CO = "co", _("co-handler (phối hợp)")


class HandlingState(models.TextChoices):
    """The state of one person's or unit's handling of an incoming document."""

    OPEN = "open", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class IntakeState(models.TextChoices):
    """Where one scanned file stands in the intake (issue #7 scope 3)."""

    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being read")
    DONE = "done", _("digitised")
    REFUSED = "refused", _("refused")
    DUPLICATE = "duplicate", _("already digitised")


class IntakeSource(models.TextChoices):
    """Where a batch of scans came from (issue #7 scope 2)."""

    UPLOAD = "upload", _("uploaded on the page")
    FOLDER = "folder", _("watched folder")
    IMPORT = "import", _("bulk import")
