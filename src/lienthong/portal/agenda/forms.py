"""The forms of the calendar pages. They only type the input; the rules of an entry are
checked by ``agenda.services`` and its messages are put beside their fields by the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lienthong.portal.agenda.choices import EmailFrequency, EventKind
from lienthong.portal.agenda.models import MAX_REMINDER_MINUTES

__all__ = ["CancelForm", "EventForm", "MinutesForm", "PreferenceForm"]

#: The largest minutes PDF a keeper uploads through the page.
MAX_PDF_BYTES = 50 * 1024 * 1024

_DT_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DT_FORMAT)


class EventForm(forms.Form):
    """An entry of the calendar; ``units`` is given when an entry is created."""

    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("unit")
    )
    title = forms.CharField(label=gettext_lazy("title"), max_length=300)
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"), choices=EventKind.choices, initial=EventKind.MEETING
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("starts at"), widget=_datetime_input(), input_formats=[_DT_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("ends at"), widget=_datetime_input(), input_formats=[_DT_FORMAT]
    )
    all_day = forms.BooleanField(label=gettext_lazy("all day"), required=False)
    place = forms.CharField(label=gettext_lazy("place"), max_length=300, required=False)
    leaders: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=gettext_lazy("leaders attending"), required=False
    )
    participants = forms.CharField(
        label=gettext_lazy("participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    online_meeting_url = forms.CharField(
        label=gettext_lazy("online meeting link"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "The https:// address of the meeting room in the network's video-conference system."
        ),
        widget=forms.URLInput(),
    )
    documents: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=gettext_lazy("documents"), required=False
    )
    reminder_minutes = forms.IntegerField(
        label=gettext_lazy("reminder (minutes before)"),
        min_value=0,
        max_value=MAX_REMINDER_MINUTES,
        initial=60,
        help_text=gettext_lazy("0: no reminder."),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Any] | None,
        people: QuerySet[Any],
        documents: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            unit_field: Any = self.fields["unit"]
            unit_field.queryset = units
        leaders: Any = self.fields["leaders"]
        leaders.queryset = people
        leaders.label_from_instance = lambda p: p.full_name or p.username
        docs: Any = self.fields["documents"]
        docs.queryset = documents
        docs.label_from_instance = lambda d: f"{d.code_notation or ''} {d.subject[:80]}".strip()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-errors"

    def values(self) -> dict[str, Any]:
        """The typed values for ``event_create`` / ``event_update``."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "title",
                "kind",
                "starts_at",
                "ends_at",
                "all_day",
                "place",
                "participants",
                "online_meeting_url",
                "reminder_minutes",
            )
        } | {"leaders": list(data["leaders"]), "documents": list(data["documents"])}

    @staticmethod
    def initial_of(event: Any) -> dict[str, Any]:
        """The form's values for an existing entry."""
        return {
            "title": event.title,
            "kind": event.kind,
            "starts_at": timezone.localtime(event.starts_at).strftime(_DT_FORMAT),
            "ends_at": timezone.localtime(event.ends_at).strftime(_DT_FORMAT),
            "all_day": event.all_day,
            "place": event.place,
            "participants": event.participants,
            "online_meeting_url": event.online_meeting_url,
            "reminder_minutes": event.reminder_minutes,
            "leaders": [p.pk for p in event.leaders.all()],
            "documents": [d.pk for d in event.documents.all()],
        }

    @staticmethod
    def initial_new(day: dt.date | None = None) -> dict[str, Any]:
        """Tomorrow 08:00 to 10:00 (or that day), for a new entry."""
        day = day or timezone.localdate() + dt.timedelta(days=1)
        return {
            "starts_at": f"{day.isoformat()}T08:00",
            "ends_at": f"{day.isoformat()}T10:00",
            "reminder_minutes": 60,
        }


class CancelForm(forms.Form):
    """Why an entry is cancelled."""

    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500)


class MinutesForm(forms.Form):
    """The minutes of a meeting, a PDF."""

    file = forms.FileField(
        label=gettext_lazy("minutes (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_file(self) -> tuple[bytes, str]:
        """The bytes and name (the content is checked by the service)."""
        upload = self.cleaned_data["file"]
        data = bytes(upload.read(MAX_PDF_BYTES + 1))
        if len(data) > MAX_PDF_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than %(mb)s MB.")
                % {"mb": MAX_PDF_BYTES // (1024 * 1024)}
            )
        return data, str(upload.name or "bien-ban.pdf")


class PreferenceForm(forms.Form):
    """How the person wants their notifications by e-mail."""

    email_frequency = forms.ChoiceField(
        label=gettext_lazy("Send me notifications by e-mail"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )
