"""How the shared permission matrix exercises the elections app's scoped models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.elections.choices import Body, ElectionKind
from lienthong.elections.models import (
    BallotDecision,
    BallotRecord,
    Congress,
    Election,
    Round,
    ScanBatch,
)


def _congress_in(unit: Any) -> Congress:
    return Congress.objects.create(
        unit=unit, name="Đại hội thử", body=Body.MEMBERS, held_on=dt.date(2025, 6, 1)
    )


def _election_in(unit: Any) -> Election:
    return Election.objects.create(
        congress=_congress_in(unit),
        kind=ElectionKind.COMMITTEE,
        body=Body.MEMBERS,
        seats=3,
        convened=20,
        present=20,
    )


def _round_in(unit: Any) -> Round:
    return Round.objects.create(
        election=_election_in(unit), number=1, seats=3, names=["A B", "C D", "E F"]
    )


def _record_in(unit: Any) -> BallotRecord:
    from lienthong.org.tests.factories import UserFactory

    return BallotRecord.objects.create(
        round=_round_in(unit), team=1, number=1, kept=["A B"], entered_by=UserFactory()
    )


def _decision_in(unit: Any) -> BallotDecision:
    from lienthong.org.tests.factories import UserFactory

    return BallotDecision.objects.create(
        round=_round_in(unit),
        number=1,
        verdict="valid",
        note="Nét gạch vô ý",
        decided_by=UserFactory(),
    )


def _batch_in(unit: Any) -> ScanBatch:
    import uuid

    from lienthong.documents.models import StoredFile
    from lienthong.org.tests.factories import UserFactory

    stored = StoredFile.objects.create(
        sha256=uuid.uuid4().hex * 2, size=1, content_type="image/png", storage_name="x"
    )
    return ScanBatch.objects.create(
        round=_round_in(unit), name="quet.pdf", source=stored, created_by=UserFactory()
    )


SCOPE_CASES = [
    ScopeCase(model=Congress, make=_congress_in),
    ScopeCase(model=Election, make=_election_in),
    ScopeCase(model=Round, make=_round_in),
    ScopeCase(model=BallotRecord, make=_record_in),
    ScopeCase(model=BallotDecision, make=_decision_in),
    ScopeCase(model=ScanBatch, make=_batch_in),
]
