"""The forms of the party-member record pages (issue #9 scope 1).

``MemberForm`` only types the input (dates, choices, lengths); every rule of a record is
checked by ``records.services.member_check`` when the page calls ``member_create`` or
``member_update``, and its messages are put beside their fields by the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy

from lienthong.core.forms import WorkbookUploadForm
from lienthong.core.workbook import XLSX_TYPE
from lienthong.records.models import Member
from lienthong.records.services import DATES, EDITABLE

__all__ = ["GROUPS", "MAX_UPLOAD_BYTES", "XLSX_TYPE", "MemberForm", "MemberImportForm"]

#: The fields of a record grouped as the Phiếu đảng viên (Mẫu 2-HSĐV) shows them; the
#: detail page and the form follow this order. Every field of ``EDITABLE`` is in one group.
GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (gettext_lazy("Identity"), ("full_name", "birth_name", "alias", "gender")),
    (
        gettext_lazy("Birth and origin"),
        ("born_on", "birth_place", "home_town", "residence", "ethnicity", "religion"),
    ),
    (
        gettext_lazy("Education and occupation"),
        (
            "occupation_before",
            "occupation",
            "education",
            "professional",
            "theory",
            "foreign_language",
        ),
    ),
    (
        gettext_lazy("Admission"),
        ("admitted_on", "admitted_place", "official_on", "official_place"),
    ),
    (gettext_lazy("Identifiers"), ("card_number", "file_number", "badge", "service")),
    (
        gettext_lazy("State"),
        (
            "state",
            "transferred_in_on",
            "transferred_in_from",
            "transferred_out_on",
            "transferred_out_to",
            "exempt_since",
            "died_on",
            "left_on",
            "leaving_form",
        ),
    ),
    (gettext_lazy("Note"), ("note",)),
)

#: The largest member workbook the import takes.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _date_input() -> forms.DateInput:
    # The browser's date picker sends ISO dates; Django always accepts them.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.Form):
    """The writable fields of a record (``records.services.EDITABLE``), typed from the
    model: dates as ``<input type="date">``, choices as selects, the model's lengths."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Member,
                fields=list(EDITABLE),
                widgets={name: _date_input() for name in DATES},
            )
        )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The bound fields in the groups of the Phiếu đảng viên; a field with an error
        points to its message (``aria-describedby``, the id the template gives it)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"{self[name].auto_id}-errors"
        return [(title, [self[name] for name in names]) for title, names in GROUPS]

    def values(self) -> dict[str, Any]:
        """The typed values to hand to ``member_create`` or ``member_update``."""
        return {name: self.cleaned_data[name] for name in EDITABLE}


class MemberImportForm(WorkbookUploadForm):
    """The member workbook to import (its rows are checked by the import service)."""

    file_label = gettext_lazy("Member workbook (.xlsx)")

    def max_bytes(self) -> int:
        return MAX_UPLOAD_BYTES
