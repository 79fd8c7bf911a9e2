"""Scanned ballots (issue #6 scope 4; vote-rules.md §B6): upload, read in the background,
a person confirms what the reader was unsure of.

A round is entered either by two teams (``services.ballot_enter``) or from scans, never
both. An uploaded file (a PDF of many pages, or one image) is stored at once and read
by a task worker page by page (``scan_batch_read``): each page is kept as a PNG next to
its ballot record (team "scanner"); a page the reader is sure of is recorded as read,
every other one waits for a person (``scan_review``), who sees the image beside the
reader's suggestion. An interrupted batch resumes at the first page not recorded: each
page's record and the batch's progress are written in one transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lienthong.audit.services import Actor, record
from lienthong.core.errors import InvalidInput, NotFound
from lienthong.core.tasks import enqueue_on_commit
from lienthong.documents.intake.steps import sniff
from lienthong.documents.services import files
from lienthong.elections.choices import RoundState, ScanState, Team
from lienthong.elections.models import BallotRecord, Round, ScanBatch
from lienthong.elections.services import _journal, _require, reading_values

__all__ = ["MAX_SCAN_BYTES", "scan_batch_read", "scan_review", "scans_upload"]

logger = logging.getLogger(__name__)

#: The largest scan file accepted (a 350-page PDF at 200 dpi is far smaller).
MAX_SCAN_BYTES = 300 * 1024 * 1024


def scans_upload(*, actor: Actor, round_: Round, data: bytes, name: str) -> ScanBatch:
    """Store a scan file and queue it for reading.

    Raises:
        InvalidInput: the round is counted or typed in by teams, the file is empty, too
            large, or not a PDF, PNG, JPEG or TIFF.
    """
    _require(actor, round_.election.congress.unit, "elections.add_ballotrecord")
    if round_.state != RoundState.ENTERING:
        raise InvalidInput(_("This round is counted: its ballots are closed."))
    if BallotRecord.objects.filter(round=round_, team__in=[Team.FIRST, Team.SECOND]).exists():
        raise InvalidInput(_("This round's ballots are typed in by two teams: no scans."))
    if not sniff(data):
        raise InvalidInput(_("A scan is a PDF, PNG, JPEG or TIFF file."))
    stored = files.file_store(data=data, name=name, max_bytes=MAX_SCAN_BYTES)
    with transaction.atomic():
        batch = ScanBatch.objects.create(
            round=round_, name=name[:200] or "scan", source=stored, created_by=actor
        )
        _journal(round_, actor, "upload", {"batch": batch.pk, "sha256": stored.sha256})
        record(actor=actor, verb="elections.scans_upload", target=round_, data={"file": name})
        from lienthong.elections.tasks import read_scan_batch

        enqueue_on_commit(read_scan_batch, batch.pk)
    return batch


def _reading_json(reading: Any) -> dict[str, Any]:
    return {
        "certain": reading.certain,
        "form": reading.form,
        "reasons": list(reading.reasons),
        "stamped": reading.stamped,
        "skew": reading.skew_degrees,
        "rows": [
            {
                "number": row.number,
                "name": row.name,
                "decision": row.decision,
                "score": round(float(row.score), 3),
                "reason": row.reason,
            }
            for row in reading.rows
        ],
    }


def _suggestion(round_: Round, reading: Any) -> dict[str, Any]:
    """The record's values from the reader: certain, as read; unsure, its best guess
    (unsure lines kept, unsure boxes none) for the person to correct."""
    if len(round_.names) == round_.seats:
        decided = {row.name: row.decision for row in reading.rows}
        boxes = {
            n: decided.get(n, "none") if decided.get(n) != "unsure" else "none"
            for n in round_.names
        }
        return {"kept": None, "boxes": boxes}
    struck = {row.name for row in reading.rows if row.decision == "struck"}
    return {"kept": [n for n in round_.names if n not in struck], "boxes": None}


def _png(page: Any) -> bytes:
    import cv2

    ok, encoded = cv2.imencode(".png", page)
    if not ok:  # pragma: no cover - OpenCV encodes any grey image
        raise InvalidInput(_("A scanned page could not be kept."))
    return bytes(encoded.tobytes())


def scan_batch_read(batch_id: int) -> ScanBatch:
    """Read a scan file's pages, from the first one not recorded yet (the task's work)."""
    from lienthong.elections import omr

    batch = ScanBatch.objects.select_related("round", "source", "created_by").get(pk=batch_id)
    round_ = batch.round
    if batch.state in (ScanState.DONE, ScanState.FAILED):
        return batch
    if round_.state != RoundState.ENTERING:
        batch.state, batch.error = ScanState.FAILED, "the round was counted meanwhile"
        batch.save(update_fields=["state", "error"])
        return batch
    batch.state = ScanState.RUNNING
    batch.save(update_fields=["state"])
    try:
        pages = omr.scan_pages(files.file_read(batch.source))
        form = omr.ballot_form(names=list(round_.names), seats=round_.seats)
    except (omr.OmrError, ValueError) as exc:
        batch.state, batch.error = ScanState.FAILED, str(exc)[:500]
        batch.save(update_fields=["state", "error"])
        logger.warning("elections: scan file %s unreadable: %s", batch.pk, exc)
        return batch
    batch.pages = len(pages)
    batch.save(update_fields=["pages"])
    for index in range(batch.done, len(pages)):
        reading = omr.read_ballot(pages[index], form=form)
        stored = files.file_store(
            data=_png(pages[index]), name=f"{batch.pk}-{index + 1}.png", max_bytes=MAX_SCAN_BYTES
        )
        with transaction.atomic():
            locked = Round.objects.select_for_update().get(pk=round_.pk)
            last = (
                BallotRecord.objects.filter(round=locked, team=Team.SCANNER).aggregate(
                    n=Max("number")
                )["n"]
                or 0
            )
            row = BallotRecord.objects.create(
                round=locked,
                team=Team.SCANNER,
                number=last + 1,
                scan=stored,
                omr=_reading_json(reading),
                review=not reading.certain,
                entered_by=batch.created_by,
                **_suggestion(locked, reading),
            )
            _journal(
                locked,
                batch.created_by,
                "scan",
                {
                    "number": row.number,
                    "certain": reading.certain,
                    "kept": row.kept,
                    "boxes": row.boxes,
                    "sha256": stored.sha256,
                },
            )
            ScanBatch.objects.filter(pk=batch.pk).update(done=index + 1)
    batch.refresh_from_db()
    batch.state = ScanState.DONE
    batch.save(update_fields=["state"])
    return batch


def scan_review(
    *,
    actor: Actor,
    round_: Round,
    number: int,
    kept: list[str] | None = None,
    boxes: dict[str, str] | None = None,
    official: bool = True,
    stamped: bool = True,
    written_in: list[str] | None = None,
    extra_mark: bool = False,
    doubtful: bool = False,
) -> BallotRecord:
    """A person's reading of scanned ballot ``number``, looking at its image: it replaces
    the reader's suggestion and the ballot no longer waits (journaled, §B6).

    Raises:
        NotFound: no scanned ballot of that number in the round.
        InvalidInput: as ``services.reading_values``.
    """
    _require(actor, round_.election.congress.unit, "elections.add_ballotrecord")
    row = BallotRecord.objects.filter(round=round_, team=Team.SCANNER, number=number).first()
    if row is None:
        raise NotFound(_("There is no scanned ballot %(number)s.") % {"number": number})
    values = reading_values(
        round_,
        kept=kept,
        boxes=boxes,
        official=official,
        stamped=stamped,
        written_in=written_in,
        extra_mark=extra_mark,
        doubtful=doubtful,
    )
    with transaction.atomic():
        for key, value in values.items():
            setattr(row, key, value)
        row.review = False
        row.reviewed_by = actor
        row.save()
        _journal(round_, actor, "review", {"number": number, **values})
        record(actor=actor, verb="elections.scan_review", target=round_, data={"number": number})
    return row
