"""Reading an uploaded document from a request without reading more than the limit, and with its name as sent.

Django's own upload parsing writes a file of any size to a temporary file before a view sees it, and quietly cuts
folders and invisible characters out of the file's name (so ``../../x.pdf`` or a name with a right-to-left
override would arrive looking harmless). Kring wants to refuse both with a message, so the document views:

- refuse a request whose declared length is over the limit before reading its body (``declared_too_large``);
- parse the body with ``KeepNameParser``, which keeps the name as sent, and ``LimitedUpload``, which keeps the
  file in memory and stops reading the request as soon as it passes the limit.

The pages install both on the request before anything reads ``request.POST`` (the CSRF check reads it too, so the
views are exempted and check CSRF themselves afterwards); the API uses ``DocumentUploadParser``.
"""

from __future__ import annotations

import html
import io
import types

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, DataAndFiles

# Room for the other fields of the form (title, description, token) beside the file itself.
FORM_OVERHEAD = 64 * 1024


def limit() -> int:
    return settings.KRING_DOCUMENT_MAX_BYTES


def declared_too_large(meta) -> bool:
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return False
    return length > limit() + FORM_OVERHEAD


class KeepNameParser(MultiPartParser):
    """Django's multipart parser, with the file name kept as the browser sent it, to be checked and refused."""

    def sanitize_file_name(self, file_name):
        return html.unescape(file_name) or None


class LimitedUpload(FileUploadHandler):
    """Keeps each uploaded file in memory, up to the limit; one byte more and the reading stops (``too_large``)."""

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = limit() if max_bytes is None else max_bytes
        self.too_large = False
        self.buffer = io.BytesIO()
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        upload = InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )
        upload.name_as_sent = self.file_name  # type: ignore[attr-defined]  # UploadedFile.name cuts folders away
        return upload


def limit_uploads(request) -> LimitedUpload:
    """Make ``request.POST``/``request.FILES`` read through a ``LimitedUpload`` and keep file names as sent. Call
    before anything reads the body."""
    handler = LimitedUpload(request)

    def parse_file_upload(self, meta, post_data):
        return KeepNameParser(meta, post_data, [handler], self.encoding).parse()

    request.upload_handlers = [handler]
    request.parse_file_upload = types.MethodType(parse_file_upload, request)
    return handler


def name_as_sent(upload) -> str:
    return getattr(upload, "name_as_sent", None) or upload.name


class DocumentUploadParser(BaseParser):
    """multipart/form-data for the API's uploads, through the same limit and with the name as sent. The view
    finds the handler on itself (``upload_handler``) to tell a file over the limit from a missing one."""

    media_type = "multipart/form-data"

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        handler = LimitedUpload(request)
        view = parser_context.get("view")
        if view is not None:
            view.upload_handler = handler
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = KeepNameParser(meta, stream, [handler], encoding).parse()
        except MultiPartParserError as error:
            raise ParseError(_("The upload could not be read: %(error)s") % {"error": error}) from error
        return DataAndFiles(data, files)
