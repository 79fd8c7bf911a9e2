"""The forms of the library pages (issue #9 scope 5). They only type the input; every
rule of a publication is checked by ``library.services`` and its messages are put
beside their fields by the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from lienthong.core.choices import Clearance
from lienthong.core.forms import WorkbookUploadForm
from lienthong.documents.models import DocumentType
from lienthong.records.library.choices import RelationKind, Visibility

__all__ = ["ImportForm", "PublicationForm", "RelationForm", "WithdrawForm"]

#: The largest PDF a keeper uploads through the page.
MAX_PDF_BYTES = 50 * 1024 * 1024


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PublicationForm(forms.Form):
    """The entry of a publication; ``units`` (the offices where the person keeps the
    library) is given when a publication is entered, not when it is changed."""

    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=DocumentType.objects.none(), label=gettext_lazy("kept by")
    )
    document_type = forms.ModelChoiceField(
        queryset=DocumentType.objects.none(), label=gettext_lazy("type")
    )
    number = forms.IntegerField(label=gettext_lazy("number"), min_value=1, max_value=9_999_999)
    notation = forms.CharField(
        label=gettext_lazy("notation"),
        max_length=30,
        help_text=gettext_lazy('The part after the dash: "NQ/TW" in 57-NQ/TW.'),
    )
    issued_on = forms.DateField(label=gettext_lazy("date issued"), widget=_date_input())
    issuer_name = forms.CharField(label=gettext_lazy("issuing body"), max_length=200)
    term = forms.CharField(
        label=gettext_lazy("term"),
        max_length=10,
        required=False,
        help_text=gettext_lazy('The khóa, in Roman numerals: "XIII".'),
    )
    title = forms.CharField(
        label=gettext_lazy("subject"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    tags = forms.CharField(
        label=gettext_lazy("subject tags"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Separated by commas."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("visibility"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )
    classification = forms.TypedChoiceField(
        label=gettext_lazy("classification"),
        choices=Clearance.choices,
        coerce=int,
        initial=Clearance.NONE,
    )
    pdf = forms.FileField(
        label=gettext_lazy("PDF file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args: Any, units: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            unit_field: Any = self.fields["unit"]
            unit_field.queryset = units
        type_field: Any = self.fields["document_type"]
        type_field.queryset = DocumentType.objects.filter(convention="party", is_active=True)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-errors"

    def clean_pdf(self) -> bytes | None:
        """The PDF's bytes (its content is checked by the service), or None."""
        upload = self.cleaned_data.get("pdf")
        if not upload:
            return None
        data = bytes(upload.read(MAX_PDF_BYTES + 1))
        if len(data) > MAX_PDF_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than %(mb)s MB.")
                % {"mb": MAX_PDF_BYTES // (1024 * 1024)}
            )
        self.pdf_name = str(upload.name or "van-kien.pdf")
        return data

    def values(self) -> dict[str, Any]:
        """The typed values for ``publication_create`` / ``publication_update``."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "document_type",
                "number",
                "notation",
                "issued_on",
                "issuer_name",
                "term",
                "title",
                "visibility",
                "classification",
            )
        }
        values["tags"] = data.get("tags") or ""
        if data.get("pdf") is not None:
            values["pdf"] = data["pdf"]
            values["pdf_name"] = getattr(self, "pdf_name", "van-kien.pdf")
        return values


class RelationForm(forms.Form):
    """ "This publication replaces / amends / guides / implements that one"."""

    kind = forms.ChoiceField(label=gettext_lazy("relation"), choices=RelationKind.choices)
    target: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=DocumentType.objects.none(), label=gettext_lazy("related publication")
    )

    def __init__(self, *args: Any, targets: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target_field: Any = self.fields["target"]
        target_field.queryset = targets
        target_field.label_from_instance = lambda p: (
            f"{p.number_display} ({p.issued_on:%d/%m/%Y}) {p.title[:80]}"
        )


class WithdrawForm(forms.Form):
    """Why a publication is taken out of the library."""

    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500)


class ImportForm(WorkbookUploadForm):
    """The catalogue workbook to import (its rows are checked by the import service)."""

    file_label = gettext_lazy("Catalogue workbook (.xlsx)")
