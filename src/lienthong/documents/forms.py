"""Forms of the documents pages (issue #4, scope 9).

Every choice of a related object comes from a queryset restricted to the person (STYLE
anti-pattern A): a forged id is simply an invalid choice. Forms only parse input; the
services check the rules (classification guard, format check, states) and their
messages are shown as the form's errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lienthong.core.choices import Clearance
from lienthong.core.permissions import AllUnits, allowed_units
from lienthong.documents.choices import Competence, Priority
from lienthong.documents.models import Document, DocumentType, UnitProfile
from lienthong.org.choices import RoleCode
from lienthong.org.models import Unit, User

__all__ = [
    "AssignForm",
    "CommentForm",
    "DoneForm",
    "DraftEditForm",
    "DraftForm",
    "IncomingForm",
    "IssueForm",
    "LinkedDraftForm",
    "NoteForm",
    "ProgressForm",
    "ReasonForm",
    "RegisterSheetForm",
    "read_upload",
    "units_with",
]

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_UPLOAD_MB", 50)) * 1024 * 1024


def read_upload(upload: UploadedFile | None) -> tuple[bytes | None, str]:
    """The bytes and name of an optional upload, refusing one above the size limit.

    The real format (PDF really a PDF, DOCX really a DOCX) is checked by the files
    service before anything is stored.

    Raises:
        forms.ValidationError: the file is too large.
    """
    if upload is None:
        return None, ""
    limit = _max_bytes()
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise forms.ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    return data, str(upload.name or "")


def units_with(user: Any, permission: str) -> QuerySet[Unit]:
    """The units where ``user`` holds ``permission`` and which have document settings
    (the convention and the issuing body abbreviation), for a form's unit choice."""
    scope = allowed_units(user, permission)
    profiled = Unit.objects.filter(pk__in=UnitProfile.objects.values("unit_id"))
    if scope is None:
        return Unit.objects.none()
    if isinstance(scope, AllUnits):
        return profiled.order_by("depth", "name")
    return profiled.filter(pk__in=scope).order_by("depth", "name")


def _signers(user: Any) -> QuerySet[User]:
    """People in the person's view who lead a unit: those who sign documents."""
    return (
        User.objects.restrict(user, "view")
        .filter(memberships__role__code=RoleCode.LEADER)
        .distinct()
        .order_by("full_name", "username")
    )


class _DraftFields(forms.Form):
    """Fields shared by a new draft and an edited one."""

    document_type = forms.ModelChoiceField(
        label=_("Type"), queryset=DocumentType.objects.filter(is_active=True)
    )
    subject = forms.CharField(
        label=_("Subject (trích yếu)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('A State công văn starts with "V/v …".'),
    )
    body = forms.CharField(
        label=_("Document text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Write the document here, or upload it below."),
    )
    file = forms.FileField(
        label=_("Or upload a PDF or DOCX"),
        required=False,
        help_text=_("A DOCX is converted to PDF when LibreOffice is installed."),
    )
    priority = forms.TypedChoiceField(
        label=_("Urgency"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE
    )
    competence = forms.ChoiceField(label=_("Signing prefix"), choices=Competence.choices)
    signer = forms.ModelChoiceField(label=_("Signed by"), queryset=User.objects.none())
    signer_position = forms.CharField(
        label=_("Signer's position"),
        max_length=100,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('One title a line, e.g. "Ban Thường vụ" then "Phó Bí thư".'),
    )
    due_date = forms.DateField(label=_("Answer due by"), required=False, widget=_DATE)
    recipients_text = forms.CharField(
        label=_("Other recipients (Nơi nhận)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One recipient a line."),
    )
    recipient_units = forms.ModelMultipleChoiceField(
        label=_("Recipient units"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = _signers(user)  # type: ignore[attr-defined]

    def clean_file(self) -> tuple[bytes | None, str]:
        """The upload's bytes and name."""
        return read_upload(self.cleaned_data.get("file"))

    def clean(self) -> dict[str, Any]:
        """Ask for the text or a file."""
        data = super().clean() or {}
        upload = data.get("file") or (None, "")
        if not (data.get("body") or "").strip() and not upload[0]:
            raise forms.ValidationError(_("Write the document or upload its file."))
        return data


class DraftForm(_DraftFields):
    """A new outgoing draft (written in lienthong, or an uploaded PDF/DOCX)."""

    unit = forms.ModelChoiceField(label=_("Issuing unit"), queryset=Unit.objects.none())

    field_order = ["unit", "document_type", "subject", "body", "file"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        units = units_with(user, "documents.add_document")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        first = units.first()
        if first is not None and not self.is_bound:
            self.fields["unit"].initial = first.pk


class DraftEditForm(_DraftFields):
    """Changes to a draft; a new file becomes the next version."""

    def __init__(self, *args: Any, user: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.filter(  # type: ignore[attr-defined]
            is_active=True, convention=document.convention
        )

    def clean(self) -> dict[str, Any]:
        """A draft that already has a file needs neither text nor a new file."""
        try:
            return super().clean()
        except forms.ValidationError:
            if self.initial.get("has_file"):
                return self.cleaned_data
            raise


class LinkedDraftForm(_DraftFields):
    """A correction (đính chính: a công văn) or a replacement (thay thế: the original's
    type) of an issued document, in the original's unit (NĐ 30 Điều 18)."""

    def __init__(self, *args: Any, user: Any, original: Document, kind: str, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        types = DocumentType.objects.filter(is_active=True, convention=original.convention)
        if kind == "corrects":
            types = types.filter(is_letter=True)
        else:
            types = types.filter(pk=original.document_type_id)
        self.fields["document_type"].queryset = types  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    """A comment added to the document's history."""

    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    """An optional note with a step (submit, approve)."""

    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    """A required reason (returning a draft, recalling a document)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IssueForm(forms.Form):
    """Issuing: the drafting unit's abbreviation for a State công văn ("UBND-VP")."""

    drafting_unit_code = forms.CharField(
        label=_("Drafting unit abbreviation"),
        required=False,
        max_length=10,
        help_text=_('Only for a State công văn: "VP" gives 05/UBND-VP.'),
    )


class IncomingForm(forms.Form):
    """An incoming document registered by hand (paper: the "ĐẾN" data)."""

    unit = forms.ModelChoiceField(label=_("Receiving unit"), queryset=Unit.objects.none())
    document_type = forms.ModelChoiceField(
        label=_("Type"), queryset=DocumentType.objects.filter(is_active=True)
    )
    issuer_name = forms.CharField(label=_("Author (issuing body)"), max_length=200)
    code_number = forms.IntegerField(label=_("Their number"), required=False, min_value=1)
    code_notation = forms.CharField(
        label=_("Their notation"), required=False, max_length=30, help_text=_('e.g. "CV/TU"')
    )
    issued_date = forms.DateField(label=_("Date of the document"), required=False, widget=_DATE)
    subject = forms.CharField(
        label=_("Subject (trích yếu)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_name = forms.CharField(label=_("Signed by"), required=False, max_length=50)
    due_date = forms.DateField(label=_("Handling due by"), required=False, widget=_DATE)
    priority = forms.TypedChoiceField(
        label=_("Urgency"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE
    )
    scan = forms.FileField(label=_("Scan (PDF)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = allowed_units(user, "documents.register_document")
        if scope is None:
            units = Unit.objects.none()
        elif isinstance(scope, AllUnits):
            units = Unit.objects.filter(registers__direction="incoming").distinct()
        else:
            units = Unit.objects.filter(pk__in=scope, registers__direction="incoming").distinct()
        self.fields["unit"].queryset = units.order_by("depth", "name")  # type: ignore[attr-defined]
        first = units.first()
        if first is not None and not self.is_bound:
            self.fields["unit"].initial = first.pk

    def clean_scan(self) -> tuple[bytes | None, str]:
        """The scan's bytes and name."""
        return read_upload(self.cleaned_data.get("scan"))


class AssignForm(forms.Form):
    """The handling slip: lead handler, co-handlers, deadline and directive."""

    lead = forms.ModelChoiceField(label=_("Lead handler (chủ trì)"), queryset=User.objects.none())
    co_handlers = forms.ModelMultipleChoiceField(
        label=_("Co-handlers (phối hợp)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=_DATE)
    directive = forms.CharField(
        label=_("Directive"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = (
            User.objects.restrict(user, "view")
            .filter(memberships__unit=document.unit, is_active=True)
            .distinct()
            .order_by("full_name", "username")
        )
        self.fields["lead"].queryset = people  # type: ignore[attr-defined]
        self.fields["co_handlers"].queryset = people  # type: ignore[attr-defined]

    def clean_deadline(self) -> dt.date | None:
        """Refuse a deadline in the past."""
        deadline: dt.date | None = self.cleaned_data.get("deadline")
        if deadline is not None and deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline is in the past."))
        return deadline


class ProgressForm(forms.Form):
    """A handler's progress report."""

    text = forms.CharField(
        label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DoneForm(forms.Form):
    """Closing an assignment, with an optional answer document."""

    note = forms.CharField(
        label=_("Result"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.ModelChoiceField(
        label=_("Answer document"), queryset=Document.objects.none(), required=False
    )

    def __init__(self, *args: Any, answers: QuerySet[Document] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if answers is not None:
            self.fields["answer"].queryset = answers  # type: ignore[attr-defined]


REGISTER_KINDS = (
    ("outgoing", _("Outgoing register")),
    ("incoming", _("Incoming register")),
    ("handling", _("Handling register")),
)


class RegisterSheetForm(forms.Form):
    """Which register of which unit, for which period (page, XLSX or PDF)."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    # "Register" the noun (sổ) and "From"/"To" a period's ends: the same English words
    # are a verb (vào sổ) and a sender (nơi gửi) elsewhere, hence the contexts.
    kind = forms.ChoiceField(
        label=pgettext_lazy("noun", "Register"), choices=REGISTER_KINDS, initial="outgoing"
    )
    date_from = forms.DateField(label=pgettext_lazy("period start", "From"), widget=_DATE)
    date_to = forms.DateField(label=pgettext_lazy("period end", "To"), widget=_DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = allowed_units(user, "documents.view_register")
        if scope is None:
            units = Unit.objects.none()
        elif isinstance(scope, AllUnits):
            units = Unit.objects.filter(registers__isnull=False).distinct()
        else:
            units = Unit.objects.filter(pk__in=scope, registers__isnull=False).distinct()
        self.fields["unit"].queryset = units.order_by("depth", "name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Refuse a period that ends before it starts."""
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data
