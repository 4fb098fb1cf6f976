"""Shared API plumbing: errors become JSON in the caller's language, never a server error."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotFound, StaleEdit


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFound):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, StaleEdit):
        return Response(
            {
                "detail": str(exc),
                "changes": [
                    {"field": str(label), "was": str(old), "now": str(new), "changed_by": str(who)}
                    for label, old, new, who in exc.changes
                ],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ProtectedError):
        # A record other records still point at (a person who owns an agreement): refused, not a server error.
        kinds = sorted({str(record._meta.verbose_name) for record in exc.protected_objects})
        return Response(
            {"detail": _("This cannot be removed: it is still used by: %(kinds)s.") % {"kinds": ", ".join(kinds)}},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or _("You are not allowed to do this.")}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


@csrf_exempt
def not_found(request):
    """Any path under /api/ that no route matches: the API's own 404 body, in JSON, for every method.

    Without it Django answers with the HTML page, which an API client cannot read and the OpenAPI document
    does not describe. Exempt from CSRF because no request reaches anything here; a POST is answered 404 too.
    """
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)


class OutputModelSerializer(serializers.ModelSerializer):
    """A model serializer for answers: its read-only fields say what the model really holds.

    REST framework drops ``allow_blank`` from read-only fields, so a choice or e-mail field that may be empty in
    the database was documented as an enum or address without "" and the empty value broke the document.
    """

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


# --- Error bodies, one shared schema each, so every operation documents its errors the same way ------------


class ValidationErrorSerializer(serializers.Serializer):
    """The 400 body: per field the messages; ``non_field_errors`` for the whole; ``detail`` when the body could
    not be read at all. A list of objects answers a list field, an object a nested one."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}}
        return {
            "type": "object",
            "description": "Per field the messages why it was refused; nested fields answer nested objects.",
            "additionalProperties": {"oneOf": [messages, {"type": "object"}, {"type": "string"}]},
        }


# Answers every operation can give, whatever its view: no or a wrong token, too many requests, and for a removal
# a record that others still point at (see ``exception_handler``).
_COMMON_ANSWERS = {
    "401": "Not signed in: no token, or a token that is not valid.",
    "429": "Too many requests; try again later.",
}
_IN_USE = "The record is still used by other records and cannot be removed."


def document_common_answers(result, generator, request, public):
    """drf-spectacular post-processing hook: add the answers every operation can give to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {"type": "object", "properties": {"detail": {"type": "string", "readOnly": True}}, "required": ["detail"]},
    )
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for _path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in _COMMON_ANSWERS.items():
                responses.setdefault(code, {"description": description, "content": error})
            if method == "delete":
                responses.setdefault("409", {"description": _IN_USE, "content": error})
    return result
