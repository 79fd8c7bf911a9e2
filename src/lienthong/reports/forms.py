"""The dashboard's period (GET ``tu`` and ``den``): dates as yyyy-mm-dd (what a date
field sends) or dd/mm/yyyy (what a person types); by default 1 January of this year to
today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
_START_AFTER_END = _(
    "The period starts after it ends: pick a start date on or before the end date."
)
_MESSAGES = {"invalid": _("Write the date as yyyy-mm-dd, for example 2026-01-31.")}


class PeriodForm(forms.Form):
    tu = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        input_formats=_FORMATS,
        error_messages=_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    den = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        input_formats=_FORMATS,
        error_messages=_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("den") or today
        start = data.get("tu") or dt.date(end.year, 1, 1)
        if "tu" in data and "den" in data:
            if start > end:
                self.add_error("tu", _START_AFTER_END)
            data["tu"], data["den"] = start, end
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The period of a valid form."""
        return self.cleaned_data["tu"], self.cleaned_data["den"]
