"""Serializers of the documents REST API (``/api/v1/documents/``).

Output serializers describe what a client reads; input serializers only parse and
validate what a client sends, and the view hands the result to a service (STYLE habit 7).
Every object named by its primary key is resolved through ``restrict`` for the person
asking (habit 6): outside their scope it is "not found", like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lienthong.core.choices import Clearance
from lienthong.core.permissions import allowed_units
from lienthong.documents.choices import Competence, Priority
from lienthong.documents.models import (
    Assignment,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    Recipient,
    Register,
)

__all__ = [
    "ApproveSerializer",
    "AssignSerializer",
    "AssignmentSerializer",
    "CommentSerializer",
    "CorrectSerializer",
    "DocumentDetailSerializer",
    "DocumentSerializer",
    "DraftCreateSerializer",
    "IssueSerializer",
    "ProgressSerializer",
    "ReasonSerializer",
    "RegisterIncomingSerializer",
    "RegisterSerializer",
    "ReplaceSerializer",
    "SignSerializer",
    "SubmitSerializer",
]


def _user(serializer: Any) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.INT)
class _PermittedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit where the person holds ``permission`` (else "not found")."""

    default_error_messages = {
        "does_not_exist": _("Unit {pk_value} does not exist or is outside your units."),
    }

    def __init__(self, *, permission: str, **kwargs: Any) -> None:
        self.permission = permission
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        from lienthong.core.permissions import AllUnits
        from lienthong.org.models import Unit

        units = allowed_units(_user(self), self.permission)
        if units is None:
            return Unit.objects.none()
        if isinstance(units, AllUnits):
            return Unit.objects.all()
        return Unit.objects.filter(pk__in=units)


@extend_schema_field(OpenApiTypes.INT)
class _VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person the asker may see."""

    default_error_messages = {
        "does_not_exist": _("Person {pk_value} does not exist or is outside your units."),
    }

    def get_queryset(self) -> Any:
        from lienthong.org.models import User

        return User.objects.restrict(_user(self), "view")


@extend_schema_field(OpenApiTypes.INT)
class _VisibleUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the asker may see."""

    default_error_messages = {
        "does_not_exist": _("Unit {pk_value} does not exist or is outside your units."),
    }

    def get_queryset(self) -> Any:
        from lienthong.org.models import Unit

        return Unit.objects.restrict(_user(self), "view")


@extend_schema_field(OpenApiTypes.INT)
class _AnyUnitField(serializers.PrimaryKeyRelatedField):
    """A recipient unit: any unit of the network's directory (see
    ``services.outgoing._recipient_units``)."""

    def get_queryset(self) -> Any:
        from lienthong.org.models import Unit

        return Unit.objects.all()


@extend_schema_field(OpenApiTypes.INT)
class _VisibleDocumentField(serializers.PrimaryKeyRelatedField):
    """A document the asker may see (scope and clearance)."""

    default_error_messages = {
        "does_not_exist": _("Document {pk_value} does not exist or is not yours to see."),
    }

    def get_queryset(self) -> Any:
        from lienthong.documents import selectors

        return selectors.document_list(user=_user(self))


class RecipientSerializer(serializers.ModelSerializer[Recipient]):
    """One recipient."""

    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Recipient
        fields = ("id", "unit", "text", "name", "is_for_information")
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """A document in a list."""

    number = serializers.CharField(source="number_display", read_only=True)
    type_name = serializers.CharField(source="document_type.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Document
        fields = (
            "id",
            "unit",
            "unit_name",
            "direction",
            "convention",
            "state",
            "document_type",
            "type_name",
            "number",
            "code_number",
            "code_notation",
            "number_year",
            "issued_date",
            "subject",
            "priority",
            "classification",
            "issuer_name",
            "signer_name",
            "due_date",
            "arrival_number",
            "arrival_date",
            "replaced_at",
            "created_at",
        )
        read_only_fields = fields


class DocumentFileSerializer(serializers.ModelSerializer[DocumentFile]):
    """A file of a document (its content at ``.../files/<id>/``)."""

    size = serializers.IntegerField(source="stored.size", read_only=True)
    sha256 = serializers.CharField(source="stored.sha256", read_only=True)
    content_type = serializers.CharField(source="stored.content_type", read_only=True)

    class Meta:
        model = DocumentFile
        fields = ("id", "kind", "version", "name", "size", "sha256", "content_type", "created_at")
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[DocumentEvent]):
    """One step of the history."""

    actor_name = serializers.CharField(source="actor.__str__", read_only=True, default="")

    class Meta:
        model = DocumentEvent
        fields = ("id", "kind", "actor", "actor_name", "text", "created_at")
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    """One handler's assignment."""

    class Meta:
        model = Assignment
        fields = (
            "id",
            "document",
            "role",
            "assignee",
            "assignee_unit",
            "assigned_by",
            "directive",
            "deadline",
            "state",
            "progress",
            "closed_at",
            "reminded_at",
        )
        read_only_fields = fields


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its body, recipients, files, history and handling."""

    recipients = RecipientSerializer(many=True, read_only=True)
    files = DocumentFileSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)
    link_kind = serializers.CharField(
        read_only=True,
        help_text=_(
            '"replaces" or "corrects" when this document replaces or corrects an issued '
            'one (edXML BussinessDocType 3 or 2), else "".'
        ),
    )
    replaced_by = serializers.SerializerMethodField(
        help_text=_("The documents (ids you may see) that replace this one.")
    )
    corrected_by = serializers.SerializerMethodField(
        help_text=_("The documents (ids you may see) that correct this one.")
    )

    def _visible_ids(self, **lookup: Any) -> list[int]:
        from lienthong.documents import selectors

        user = _user(self)
        if user is None:
            return []
        qs = selectors.document_list(user=user).filter(**lookup).order_by("created_at")
        return list(qs.values_list("pk", flat=True))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_replaced_by(self, obj: Document) -> list[int]:
        """Ids of the visible documents that replace ``obj``."""
        return self._visible_ids(replaces=obj)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_corrected_by(self, obj: Document) -> list[int]:
        """Ids of the visible documents that correct ``obj``."""
        return self._visible_ids(corrects=obj)

    class Meta(DocumentSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *DocumentSerializer.Meta.fields,
            "body",
            "competence",
            "signer",
            "signer_position",
            "recipients_text",
            "note",
            "answers",
            "replaces",
            "corrects",
            "link_kind",
            "replaced_by",
            "corrected_by",
            "recipients",
            "files",
            "events",
            "assignments",
        )
        read_only_fields: tuple[str, ...] = fields  # type: ignore[assignment]


class RegisterSerializer(serializers.ModelSerializer[Register]):
    """A register and its numbering rules."""

    class Meta:
        model = Register
        fields = (
            "id",
            "unit",
            "direction",
            "name",
            "period_kind",
            "series_kind",
            "secret_series",
            "term_start",
            "term_end",
            "is_active",
        )
        read_only_fields = fields


class _DraftFieldsSerializer(serializers.Serializer[Any]):
    """The fields of an outgoing draft (the unit comes with each use)."""

    document_type = serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.filter(is_active=True)
    )
    subject = serializers.CharField(max_length=500, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    classification = serializers.ChoiceField(choices=Clearance.choices, default=0)
    competence = serializers.ChoiceField(choices=Competence.choices, default="", allow_blank=True)
    signer = _VisiblePersonField(required=False, allow_null=True, default=None)
    signer_position = serializers.CharField(required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    recipient_units = serializers.ListField(child=_AnyUnitField(), required=False, default=list)
    recipients_text = serializers.CharField(required=False, allow_blank=True, default="")


class DraftCreateSerializer(_DraftFieldsSerializer):
    """A new outgoing draft: text, or a file (DOCX/PDF, multipart)."""

    unit = _PermittedUnitField(permission="documents.add_document")


class CorrectSerializer(_DraftFieldsSerializer):
    """A correction (đính chính) of an issued document: a công văn of its unit, with
    the fields of a draft (NĐ 30 Điều 18)."""


class ReplaceSerializer(_DraftFieldsSerializer):
    """A replacement (thay thế) of an issued document: a document of its type and unit,
    with the fields of a draft (NĐ 30 Điều 18); the type defaults to the original's."""

    document_type = serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )


class SubmitSerializer(serializers.Serializer[Any]):
    """Submit for approval, to named approvers in order (or any leader)."""

    approvers = serializers.ListField(child=_VisiblePersonField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer[Any]):
    """An approval, with an optional note."""

    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    """A return or a recall, with its reason."""

    reason = serializers.CharField()


class CommentSerializer(serializers.Serializer[Any]):
    """A comment."""

    text = serializers.CharField()


class SignSerializer(serializers.Serializer[Any]):
    """A signature: the token PIN when the key is on a USB token.

    The second factor is the one given in this session (``request.user.is_verified()``).
    """

    token_pin = serializers.CharField(required=False, allow_blank=True, default="")


class IssueSerializer(SignSerializer):
    """Issuing: the drafting unit's abbreviation for a State công văn."""

    drafting_unit_code = serializers.CharField(required=False, allow_blank=True, default="")


class RegisterIncomingSerializer(serializers.Serializer[Any]):
    """An incoming document entered by the clerk (multipart when a scan is attached)."""

    unit = _PermittedUnitField(permission="documents.register_document")
    document_type = serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.filter(is_active=True)
    )
    subject = serializers.CharField(max_length=500, allow_blank=True)
    issuer_name = serializers.CharField(max_length=200, allow_blank=True)
    code_number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    code_notation = serializers.CharField(required=False, allow_blank=True, default="")
    issued_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    classification = serializers.ChoiceField(choices=Clearance.choices, default=0)
    signer_name = serializers.CharField(required=False, allow_blank=True, default="")
    scan = serializers.FileField(required=False, allow_null=True)


class AssignSerializer(serializers.Serializer[Any]):
    """The handling slip: lead handler, co-handlers, deadline, directive."""

    lead = _VisiblePersonField(required=False, allow_null=True, default=None)
    lead_unit = _VisibleUnitField(required=False, allow_null=True, default=None)
    co_handlers = serializers.ListField(child=_VisiblePersonField(), required=False, default=list)
    co_units = serializers.ListField(child=_VisibleUnitField(), required=False, default=list)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    directive = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.Serializer[Any]):
    """Progress of a handler."""

    text = serializers.CharField()


class DoneSerializer(serializers.Serializer[Any]):
    """Closing an assignment, with the answer document."""

    answer = _VisibleDocumentField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
