"""Shared API plumbing: errors become JSON in the caller's language, never a server error."""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import ProtectedError
from django.http import JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotFound, StaleEdit
from .parsers import BoundedJSONParser


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


# --- Shared by every app's API: input fields, parsing, the base view and error bodies -----------------------

# The largest id a database key column holds; bigger numbers are refused as input, not sent to the database.
MAX_ID = 2**63 - 1
VERSION_HELP = "The version you read. If the record changed since, the change is refused with 409."


def id_field(**kwargs):
    """A record id as input: a positive number a key column can hold."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def version_field(**kwargs):
    """The version a client read, sent back with a change so a stale edit is refused with 409."""
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=kwargs.pop("help_text", VERSION_HELP), **kwargs
    )


def parse_input(serializer_class, data):
    """Validate a request body or query with the serializer; its values as a dict, or a 400."""
    # REST framework reads an empty query value ("?status=") of a QueryDict as left out; a plain dict has it
    # validated like any other value, so a filter that may not be empty is refused with 400 as documented.
    if isinstance(data, QueryDict):
        data = data.dict()
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# The mixin goes before a serializer class; the type checker is told so, for self.fields and super().
if TYPE_CHECKING:
    MixinBase = serializers.Serializer
else:
    MixinBase = object


class RefuseUnknownFields(MixinBase):
    """Refuse fields the endpoint does not take, so a misspelt or read-only field is not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(name)[:100] for name in data if name not in writable)
            if unknown:
                message = _("This field is unknown or cannot be changed here.")
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)


class RefuseUnknownFieldsSchema(OpenApiSerializerExtension):
    """The document says what ``RefuseUnknownFields`` does: a request body takes no other fields."""

    target_class = RefuseUnknownFields
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class StaleChangeSerializer(serializers.Serializer):
    field = serializers.CharField(read_only=True)
    was = serializers.CharField(read_only=True)
    now = serializers.CharField(read_only=True)
    changed_by = serializers.CharField(read_only=True)


class StaleEditSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    changes = StaleChangeSerializer(many=True, read_only=True)


INVALID = OpenApiResponse(ValidationErrorSerializer, description="Invalid input: a list of messages per field.")
STALE = OpenApiResponse(StaleEditSerializer, description="Someone else changed the record since you read it.")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "request_too_large"


class JsonApiView(APIView):
    """The base of every API view: JSON in (bounded), JSON out."""

    # JSON only: the browsable API and form posts would add ways in that the pages and tests do not cover.
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]

    def handle_exception(self, exc):
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE; answer in JSON, not with the HTML error page.
        if isinstance(exc, RequestDataTooBig):
            exc = RequestTooLarge()
        return super().handle_exception(exc)
