"""The forms of the archive pages (issue #9 scope 4). They only type the input; every
rule is checked by the services, whose messages the pages show above the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from lienthong.core.forms import WorkbookUploadForm
from lienthong.org.models import Unit
from lienthong.records.archives.choices import RetentionKind
from lienthong.records.archives.models import FilePlanHeading, RecordFile

__all__ = [
    "ApproveForm",
    "CloseForm",
    "EntryForm",
    "FileForm",
    "HandoverForm",
    "HeadingForm",
    "KeepBackForm",
    "PlanForm",
    "PlanImportForm",
]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    """A new file plan: the unit and the year."""

    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=gettext_lazy("Unit")
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=2200)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class HeadingForm(forms.Form):
    """A big heading (with its abbreviation) or a sub-heading (under a big heading)."""

    title = forms.CharField(label=gettext_lazy("Heading"), max_length=300)
    abbreviation = forms.CharField(
        label=gettext_lazy("Abbreviation (big headings)"), max_length=20, required=False
    )
    parent: forms.ModelChoiceField[FilePlanHeading] = forms.ModelChoiceField(
        queryset=FilePlanHeading.objects.none(),
        label=gettext_lazy("Under the big heading"),
        required=False,
    )

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = plan.headings.filter(parent=None)  # type: ignore[attr-defined]


class _RetentionFields(forms.Form):
    retention_kind = forms.ChoiceField(
        label=gettext_lazy("Retention"), choices=RetentionKind.choices
    )
    retention_years = forms.IntegerField(
        label=gettext_lazy("Years"), min_value=1, max_value=100, required=False
    )
    retention_basis = forms.CharField(
        label=gettext_lazy("Legal reference of the retention"), max_length=200, required=False
    )


class EntryForm(_RetentionFields):
    """A file of the plan."""

    heading: forms.ModelChoiceField[FilePlanHeading] = forms.ModelChoiceField(
        queryset=FilePlanHeading.objects.none(), label=gettext_lazy("Heading")
    )
    title = forms.CharField(label=gettext_lazy("File title"), max_length=500)
    keeper_name = forms.CharField(label=gettext_lazy("Keeper"), max_length=100, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    field_order = ["heading", "code", "title", "retention_kind", "retention_years"]

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["heading"].queryset = plan.headings.order_by("parent_id", "order")  # type: ignore[attr-defined]


class ApproveForm(forms.Form):
    """The head's approval of the plan."""

    reference = forms.CharField(
        label=gettext_lazy("Approving decision"), max_length=200, required=False
    )


class FileForm(_RetentionFields):
    """A record file opened outside the plan (all fields) or from an entry (only the
    start date and the construction flag count)."""

    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=gettext_lazy("Unit"), required=False
    )
    code = forms.CharField(label=gettext_lazy("File code"), max_length=20, required=False)
    title = forms.CharField(label=gettext_lazy("File title"), max_length=500, required=False)
    keeper_name = forms.CharField(label=gettext_lazy("Keeper"), max_length=100, required=False)
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=_date_input())
    is_construction = forms.BooleanField(
        label=gettext_lazy("Construction (XDCB) file"), required=False
    )
    rights = forms.CharField(label=gettext_lazy("Access"), max_length=30, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=500, required=False)

    field_order = ["unit", "code", "title", "retention_kind", "retention_years"]

    def __init__(self, *args: Any, units: Any, from_entry: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if from_entry:
            for name in (
                "unit",
                "code",
                "title",
                "retention_kind",
                "retention_years",
                "retention_basis",
                "keeper_name",
            ):
                del self.fields[name]


class CloseForm(forms.Form):
    """The clerk's remark for the closing note."""

    note = forms.CharField(
        label=gettext_lazy("Remarks for the closing note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class KeepBackForm(forms.Form):
    """Keeping a file back from the handover."""

    until = forms.DateField(label=gettext_lazy("Kept back until"), widget=_date_input())
    reason = forms.CharField(label=gettext_lazy("Reason and approval"), max_length=300)


class HandoverForm(forms.Form):
    """The handover of closed files to the agency archive."""

    archive_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=gettext_lazy("Receiving archive"),
    )
    record_files: forms.ModelMultipleChoiceField[RecordFile] = forms.ModelMultipleChoiceField(
        queryset=RecordFile.objects.none(),
        label=gettext_lazy("Files"),
        widget=forms.CheckboxSelectMultiple,
    )
    handed_on = forms.DateField(label=gettext_lazy("Date of the handover"), widget=_date_input())
    block_name = forms.CharField(label=gettext_lazy("Name of the body of records"), max_length=300)
    giver_name = forms.CharField(label=gettext_lazy("Handed over by"), max_length=100)
    receiver_name = forms.CharField(label=gettext_lazy("Received by"), max_length=100)
    condition = forms.CharField(
        label=gettext_lazy("Condition of the records"), max_length=300, required=False
    )

    def __init__(self, *args: Any, archives: Any, files: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["archive_unit"].queryset = archives  # type: ignore[attr-defined]
        self.fields["record_files"].queryset = files  # type: ignore[attr-defined]


class PlanImportForm(WorkbookUploadForm):
    """An existing catalogue (danh mục) to import into a draft plan."""

    file_label = gettext_lazy("File plan workbook (.xlsx)")
