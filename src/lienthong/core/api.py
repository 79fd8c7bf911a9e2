"""Base pieces of the REST API shared by every app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lienthong.core.errors import ApplicationError, NotFound, PermissionDenied, Unavailable


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors into API answers: 404 for not found, 403, else 400 with details.

    A model's ``ValidationError`` raised by a service's ``full_clean()`` becomes a 400
    naming the fields, like a serializer's own errors (never a 500).
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(
                {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()},
                status=400,
            )
        return Response({"detail": [str(m) for m in exc.messages]}, status=400)
    if isinstance(exc, NotFound):
        return Response({"detail": str(exc.message)}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc.message)}, status=403)
    if isinstance(exc, Unavailable):
        return Response({"detail": str(exc.message)}, status=503)
    if isinstance(exc, ApplicationError):
        return Response({"detail": str(exc.message), **exc.extra}, status=400)
    return drf_exception_handler(exc, context)


class ValidatedModelSerializer(serializers.ModelSerializer):
    """A model serializer that runs the model's ``full_clean()`` (STYLE habit 4)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Apply ``attrs`` to a copy of the instance and run the model's validation."""
        attrs = super().validate(attrs)
        model: Any = self.Meta.model
        instance = self.instance or model()
        for name, value in attrs.items():
            if not isinstance(getattr(type(instance), name, None), property):
                setattr(instance, name, value)
        try:
            instance.full_clean(validate_unique=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs
