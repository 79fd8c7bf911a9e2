"""Forms of the exchange pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.documents.models import DocumentType

_DATE = forms.DateInput(attrs={"type": "date"})


class InboxRegisterForm(forms.Form):
    """Register a received document in the incoming register (NĐ 30 Điều 22)."""

    document_type = forms.ModelChoiceField(
        label=_("Type"), queryset=DocumentType.objects.filter(is_active=True)
    )
    due_date = forms.DateField(label=_("Handling due by"), required=False, widget=_DATE)

    def __init__(self, *args: Any, type_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if type_name and not self.is_bound:
            match = DocumentType.objects.filter(is_active=True, name__iexact=type_name).first()
            if match is not None:
                self.fields["document_type"].initial = match.pk


class ReasonForm(forms.Form):
    """A reason, required (refusal, discarding)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
