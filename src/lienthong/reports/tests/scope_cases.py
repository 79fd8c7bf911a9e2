"""How the shared permission matrix exercises the reports app's scoped models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lienthong.core.testing.matrix import ScopeCase
from lienthong.org.choices import UnitKind
from lienthong.reports.models import ReportField, ReportForm, ReportSubmission


def _form_in(unit: Any) -> ReportForm:
    return ReportForm.objects.create(
        unit=unit, title="Báo cáo CNTT", period="quarter", filler_kind=UnitKind.COMMUNE_COMMITTEE
    )


def _field_in(unit: Any) -> ReportField:
    return ReportField.objects.create(
        form=_form_in(unit), code="may-tram", label="Máy trạm", type="integer", rollup="sum"
    )


def _submission_in(unit: Any) -> ReportSubmission:
    return ReportSubmission.objects.create(
        form=_form_in(unit), unit=unit, period_start=dt.date(2026, 1, 1)
    )


SCOPE_CASES = [
    ScopeCase(model=ReportForm, make=_form_in),
    ScopeCase(model=ReportField, make=_field_in),
    ScopeCase(model=ReportSubmission, make=_submission_in),
]
