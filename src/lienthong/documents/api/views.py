"""The documents REST API: documents, their workflow actions, registers and handling.

Views stay thin (STYLE habit 7): a queryset comes from a selector that takes
``request.user`` (scope and clearance; out of reach answers 404, habit 6); every write is
an action endpoint whose input serializer is handed to one service with the person as
actor, so it is validated and audited like a write from the pages or the CLI.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lienthong.core.errors import PermissionDenied
from lienthong.documents import selectors, services
from lienthong.documents.api import serializers as s
from lienthong.documents.models import Assignment, Document, Register
from lienthong.org.models import User

__all__ = ["AssignmentViewSet", "DocumentViewSet", "RegisterViewSet"]


def _person(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user


def _verified(request: Request) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check()) if callable(check) else False


def _filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    out: dict[str, Any] = {}
    for name in ("direction", "state", "convention", "q"):
        if params.get(name):
            out[name] = params[name]
    for name in ("unit", "document_type", "year"):
        raw = params.get(name, "").strip()
        if raw:
            if not raw.isdigit():
                from rest_framework.exceptions import ValidationError

                raise ValidationError({name: [_("Expected a whole number.")]})
            out[name] = int(raw)
    return out


def _detail(request: Request, document: Document, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.document_get(user=request.user, pk=document.pk)
    return Response(s.DocumentDetailSerializer(fresh).data, status=code)


_LIST_PARAMETERS = [
    OpenApiParameter("direction", OpenApiTypes.STR, enum=["outgoing", "incoming"]),
    OpenApiParameter("state", OpenApiTypes.STR),
    OpenApiParameter("convention", OpenApiTypes.STR, enum=["party", "state"]),
    OpenApiParameter("unit", OpenApiTypes.INT),
    OpenApiParameter("document_type", OpenApiTypes.INT),
    OpenApiParameter("year", OpenApiTypes.INT, description="Year of the number."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the subject or notation."),
]


@extend_schema_view(list=extend_schema(parameters=_LIST_PARAMETERS))
class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Document]
):
    """Documents the person may see (unit scope and clearance), and their workflow."""

    serializer_class = s.DocumentSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Document]:
        """Visible documents, filtered by the query parameters."""
        return selectors.document_list(user=self.request.user, filters=_filters(self.request))

    def get_serializer_class(self) -> Any:
        """The detail serializer for one document."""
        return s.DocumentDetailSerializer if self.action == "retrieve" else s.DocumentSerializer

    def _document(self, pk: Any) -> Document:
        return selectors.document_get(user=self.request.user, pk=pk)

    def _input(self, serializer_class: Any) -> dict[str, Any]:
        incoming = serializer_class(data=self.request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(incoming.validated_data)
        return data

    @extend_schema(request=s.DraftCreateSerializer, responses={201: s.DocumentDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create an outgoing draft (``document_draft_create``)."""
        data = self._input(s.DraftCreateSerializer)
        upload = data.pop("file", None)
        document = services.document_draft_create(
            actor=_person(request),
            file_data=upload.read() if upload else None,
            file_name=getattr(upload, "name", "") if upload else "",
            **data,
        )
        return _detail(request, document, status.HTTP_201_CREATED)

    @extend_schema(request=s.SubmitSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        """Submit a draft for approval."""
        data = self._input(s.SubmitSerializer)
        document = services.document_submit(
            actor=_person(request), document=self._document(pk), **data
        )
        return _detail(request, document)

    @extend_schema(request=s.ApproveSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        """Approve a submitted document."""
        data = self._input(s.ApproveSerializer)
        document = services.document_approve(
            actor=_person(request), document=self._document(pk), **data
        )
        return _detail(request, document)

    @extend_schema(request=s.ReasonSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_drafter(self, request: Request, pk: Any = None) -> Response:
        """Return a submitted or approved document to its drafter."""
        data = self._input(s.ReasonSerializer)
        document = services.document_return(
            actor=_person(request), document=self._document(pk), **data
        )
        return _detail(request, document)

    @extend_schema(request=s.CommentSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: Any = None) -> Response:
        """Comment on a document."""
        data = self._input(s.CommentSerializer)
        document = services.document_comment(
            actor=_person(request), document=self._document(pk), **data
        )
        return _detail(request, document)

    @extend_schema(request=s.SignSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: Any = None) -> Response:
        """Sign (the second factor given in this session is required)."""
        data = self._input(s.SignSerializer)
        document = services.document_sign(
            actor=_person(request),
            document=self._document(pk),
            second_factor_verified=_verified(request),
            token_pin=data["token_pin"] or None,
        )
        return _detail(request, document)

    @extend_schema(request=s.IssueSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: Any = None) -> Response:
        """Issue: number, register entry, seal signature."""
        data = self._input(s.IssueSerializer)
        document = services.document_issue(
            actor=_person(request),
            document=self._document(pk),
            second_factor_verified=_verified(request),
            token_pin=data["token_pin"] or None,
            drafting_unit_code=data["drafting_unit_code"],
        )
        return _detail(request, document)

    @extend_schema(request=s.ReasonSerializer, responses=s.DocumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk: Any = None) -> Response:
        """Recall an issued document."""
        data = self._input(s.ReasonSerializer)
        document = services.document_recall(
            actor=_person(request), document=self._document(pk), **data
        )
        return _detail(request, document)

    def _linked_draft(
        self, request: Request, pk: Any, serializer_class: Any, start: Any
    ) -> Response:
        data = self._input(serializer_class)
        upload = data.pop("file", None)
        document = start(
            actor=_person(request),
            original=self._document(pk),
            file_data=upload.read() if upload else None,
            file_name=getattr(upload, "name", "") if upload else "",
            **data,
        )
        return _detail(request, document, status.HTTP_201_CREATED)

    @extend_schema(request=s.CorrectSerializer, responses={201: s.DocumentDetailSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: Any = None) -> Response:
        """Start a correction (đính chính) of this issued document: a công văn draft of
        its unit linked to it (``document_correct``)."""
        return self._linked_draft(request, pk, s.CorrectSerializer, services.document_correct)

    @extend_schema(request=s.ReplaceSerializer, responses={201: s.DocumentDetailSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request: Request, pk: Any = None) -> Response:
        """Start a replacement (thay thế) of this issued document: a draft of the same
        type and unit linked to it (``document_replace``)."""
        return self._linked_draft(request, pk, s.ReplaceSerializer, services.document_replace)

    @extend_schema(
        request=s.RegisterIncomingSerializer, responses={201: s.DocumentDetailSerializer}
    )
    @action(detail=False, methods=["post"], url_path="register", url_name="register")
    def register_incoming(self, request: Request) -> Response:
        """Register an incoming document (the clerk)."""
        data = self._input(s.RegisterIncomingSerializer)
        scan = data.pop("scan", None)
        document = services.document_register_incoming(
            actor=_person(request),
            scan_data=scan.read() if scan else None,
            scan_name=getattr(scan, "name", "") if scan else "",
            **data,
        )
        return _detail(request, document, status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignSerializer, responses={201: s.AssignmentSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """Assign handlers, a deadline and a directive."""
        data = self._input(s.AssignSerializer)
        made = services.document_assign(actor=_person(request), document=self._document(pk), **data)
        return Response(s.AssignmentSerializer(made, many=True).data, status=201)

    @extend_schema(responses=s.DocumentSerializer(many=True))
    @action(detail=False, methods=["get"])
    def overdue(self, request: Request) -> Response:
        """Incoming documents past their deadline and not done (the leader's page)."""
        qs = selectors.overdue_for(user=request.user)
        page = self.paginate_queryset(qs)
        if page is not None:
            return self.get_paginated_response(s.DocumentSerializer(page, many=True).data)
        return Response(s.DocumentSerializer(qs, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>\d+)", url_name="file")
    def file(self, request: Request, pk: Any = None, file_id: Any = None) -> FileResponse:
        """The content of one of the document's files (after the permission check)."""
        row, handle = services.file_stream(user=request.user, document_file=int(file_id or 0))
        if str(row.document_id) != str(pk):
            handle.close()
            from lienthong.core.errors import NotFound

            raise NotFound(_("This file does not exist or is not yours to see."))
        response = FileResponse(
            handle, content_type=row.stored.content_type, as_attachment=True, filename=row.name
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RegisterViewSet(viewsets.ReadOnlyModelViewSet[Register]):
    """The registers of the units the person may see."""

    serializer_class = s.RegisterSerializer

    def get_queryset(self) -> QuerySet[Register]:
        """Visible registers."""
        return selectors.register_list(user=self.request.user)


class AssignmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Assignment]):
    """Handling assignments: the person's own and those of their units."""

    serializer_class = s.AssignmentSerializer

    def get_queryset(self) -> QuerySet[Assignment]:
        """Visible assignments."""
        return selectors.assignment_list(user=self.request.user)

    @extend_schema(request=s.ProgressSerializer, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: Any = None) -> Response:
        """Report progress."""
        incoming = s.ProgressSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assignment = selectors.assignment_get(user=request.user, pk=pk)
        assignment = services.assignment_progress(
            actor=_person(request), assignment=assignment, **incoming.validated_data
        )
        return Response(s.AssignmentSerializer(assignment).data)

    @extend_schema(request=s.DoneSerializer, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: Any = None) -> Response:
        """Close the assignment (the lead handler's closes the document)."""
        incoming = s.DoneSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        assignment = selectors.assignment_get(user=request.user, pk=pk)
        assignment = services.assignment_done(
            actor=_person(request), assignment=assignment, **incoming.validated_data
        )
        return Response(s.AssignmentSerializer(assignment).data)
