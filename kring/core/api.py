"""Shared API plumbing: errors become JSON in the caller's language, never a server error."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
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
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or _("You are not allowed to do this.")}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


@csrf_exempt
def not_found(request, unmatched=""):
    """Any path under /api/ that no route matches: the API's own 404 body, in JSON, for every method.

    Without it Django answers with the HTML page, which an API client cannot read and the OpenAPI document
    does not describe. Exempt from CSRF because no request reaches anything here; a POST is answered 404 too.
    """
    return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
