"""The forms of the party-member record pages (issue #9 scope 1).

``MemberForm`` only types the input (dates, choices, lengths); every rule of a record is
checked by ``records.services.member_check`` when the page calls ``member_create`` or
``member_update``, and its messages are put beside their fields by the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from lienthong.core.forms import WorkbookUploadForm
from lienthong.core.text import fold_terms
from lienthong.core.workbook import XLSX_TYPE
from lienthong.org.choices import UnitKind
from lienthong.org.models import Unit
from lienthong.records.models import Member, MemberEvent
from lienthong.records.services import DATES, EDITABLE

__all__ = [
    "DESTINATIONS",
    "GROUPS",
    "MAX_CHOICES",
    "MAX_UPLOAD_BYTES",
    "XLSX_TYPE",
    "MemberEventForm",
    "MemberEventRemoveForm",
    "MemberForm",
    "MemberImportForm",
    "ReconciliationConfirmForm",
    "TransferAcceptForm",
    "TransferRefuseForm",
    "TransferSendForm",
]

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


#: The units a member's Party life may be transferred to.
DESTINATIONS = (UnitKind.CELL, UnitKind.COMMITTEE, UnitKind.COMMUNE_COMMITTEE)
#: The most destinations the transfer form lists (the text filter narrows them).
MAX_CHOICES = 200


def destinations(member: Member, search: str = "") -> QuerySet[Unit]:
    """The open cells and committees ``member`` may be sent to (any node, never their own
    unit), in tree order; ``search`` keeps those whose folded name holds every term."""
    units = (
        Unit.objects.active()
        .filter(kind__in=DESTINATIONS)
        .exclude(pk=member.unit_id)
        .select_related("parent", "node")
        .order_by("path", "name")
    )
    for term in fold_terms(search):
        units = units.filter(name_folded__contains=term)
    return units


class DestinationField(forms.ModelChoiceField):
    """A destination named with its parent, and its node when it is hosted elsewhere
    (the record will then travel to that node)."""

    def label_from_instance(self, obj: Any) -> str:
        label = str(obj.name)
        if obj.parent is not None:
            label = gettext("%(unit)s, under %(parent)s") % {
                "unit": label,
                "parent": obj.parent.name,
            }
        if not obj.node.is_local:
            label = gettext("%(unit)s (on node %(node)s)") % {"unit": label, "node": obj.node.name}
        return label


class TransferSendForm(forms.Form):
    """The transfer of a member's Party life: where, when, why. The choices shown are the
    destinations matching the page's text filter (at most ``MAX_CHOICES``); any open
    destination is accepted. The rules are checked by ``transfer_send``."""

    to_unit = DestinationField(
        queryset=Unit.objects.none(),
        label=gettext_lazy("Destination cell or committee"),
        empty_label=gettext_lazy("(choose a unit)"),
    )
    transfer_on = forms.DateField(label=gettext_lazy("Date of transfer"), widget=_date_input())
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, member: Member, search: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"transfer_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        field = self.fields["to_unit"]
        assert isinstance(field, DestinationField)
        field.queryset = destinations(member)
        shown = list(destinations(member, search)[: MAX_CHOICES + 1])
        #: More destinations match than the list shows: the page asks to narrow them.
        self.truncated = len(shown) > MAX_CHOICES
        field.choices = [("", field.empty_label or "")] + [
            (unit.pk, field.label_from_instance(unit)) for unit in shown[:MAX_CHOICES]
        ]


class ReconciliationConfirmForm(forms.Form):
    """The confirmation of a unit's figures for a quarter (an optional note)."""

    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransferRefuseForm(forms.Form):
    """The reason for refusing an incoming transfer (sent back to the sender)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for refusal"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason for refusing the transfer.")},
    )


class TransferAcceptForm(forms.Form):
    """The confirmation of an acceptance: a record is opened here, closed at the sender."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the record: open it here"),
        error_messages={"required": gettext_lazy("Tick the box to confirm the acceptance.")},
    )


class MemberEventForm(forms.Form):
    """A post, a reward or a discipline of a member's record, typed from the model. Every
    field is optional here: the rules (the description, the dates, the decision of a
    discipline) are checked by ``records.events.member_event_check``, whose messages the
    page puts beside their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                MemberEvent,
                fields=["kind", "title", "since", "until", "decision"],
                widgets={
                    "title": forms.Textarea(attrs={"rows": 2}),
                    "since": _date_input(),
                    "until": _date_input(),
                },
            )
        )
        for field in self.fields.values():
            field.required = False
        self.fields["decision"].label = gettext_lazy("Decision number (số quyết định)")

    def values(self) -> dict[str, Any]:
        """The typed values to hand to ``member_event_add`` or ``member_event_change``."""
        return {
            name: self.cleaned_data[name]
            for name in ("kind", "title", "since", "until", "decision")
        }


class MemberEventRemoveForm(forms.Form):
    """The reason for removing an entry of a member's record (kept in the audit log)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for removing the entry"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason for removing the entry.")},
    )


class MemberPhotoForm(forms.Form):
    """The member's portrait (records/photos.py checks and re-encodes it)."""

    photo = forms.FileField(
        label=gettext_lazy("Photo (JPEG or PNG, a 3x4 portrait)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={"required": gettext_lazy("Choose the photo to put on the record.")},
    )
