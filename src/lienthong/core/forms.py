"""Forms shared by the apps' pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from lienthong.core.workbook import XLSX_TYPE

__all__ = ["WorkbookUploadForm"]


class WorkbookUploadForm(forms.Form):
    """An uploaded XLSX workbook: its name ends in ``.xlsx`` and it holds at most
    ``max_bytes()``; its rows are checked by the app's import service. A subclass names
    the file (``file_label``) and may change the limit."""

    file_label: Any = ""  # a lazy translation

    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.file_label:
            self.fields["file"].label = self.file_label

    def max_bytes(self) -> int:
        """The largest workbook accepted (10 MB)."""
        return 10 * 1024 * 1024

    def clean_file(self) -> bytes:
        """The workbook's bytes: an ``.xlsx`` name and at most ``max_bytes()``."""
        upload = self.cleaned_data["file"]
        limit = self.max_bytes()
        too_large = _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        if not str(upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx)."))
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(too_large)
        data = bytes(upload.read(limit + 1))
        if len(data) > limit:
            raise forms.ValidationError(too_large)
        return data
