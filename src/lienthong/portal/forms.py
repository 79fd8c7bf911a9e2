"""The forms of the portal's back office (issue #10 scope 1). They only type the input;
the rules are the services' (``portal.services``), whose messages the pages put beside
their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from lienthong.documents.models import Document
from lienthong.org.models import Unit

__all__ = ["AnnouncementForm", "DocumentPublishForm", "WithdrawForm"]


class AnnouncementForm(forms.Form):
    """An announcement's text; ``units`` (where the person writes) only when it is new."""

    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=gettext_lazy("publishing unit")
    )
    title = forms.CharField(label=gettext_lazy("title"), max_length=300)
    summary = forms.CharField(
        label=gettext_lazy("summary"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One or two sentences shown in lists."),
    )
    body = forms.CharField(
        label=gettext_lazy("text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Plain text; leave an empty line between paragraphs."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    """Why an announcement is taken off the portal."""

    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500)


def _label(document: Document) -> str:
    """How an issued document reads in the list: number, date, subject."""
    day = f" ({document.issued_date:%d/%m/%Y})" if document.issued_date else ""
    return f"{document.number_display}{day} — {document.subject[:120]}"


class DocumentPublishForm(forms.Form):
    """The issued document to put on the portal."""

    document: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Document.objects.none(), label=gettext_lazy("document")
    )

    def __init__(self, *args: Any, documents: QuerySet[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        field.queryset = documents  # type: ignore[attr-defined]
        field.label_from_instance = _label  # type: ignore[attr-defined]
