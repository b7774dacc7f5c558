"""Upload sizes checked while the request body comes in, never after it has been read.

Django reads a whole multipart body (to memory, or to a temporary file past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any form or serializer sees the file's size: a 60 MB
"receipt" was received in full, then refused. UploadLimitMiddleware stops earlier:

- a request whose Content-Length is over UPLOAD_MAX_REQUEST_BYTES gets a 413 before a byte of
  its body is read;
- a multipart request is parsed through UploadLimitHandler, which counts each file's bytes as
  they arrive and stops reading the body as soon as one file passes its field's limit
  (FIELD_LIMITS, by field name; a formset's `expenses-0-receipt` is a `receipt`). The answer
  is a 413 naming the field: JSON `{field: [message]}` under /api/, a short page elsewhere.

The forms and services keep their own checks on UploadedFile.size (the same limits), so a
file that reaches them is never larger than they accept.
"""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .bad_input import _refuses_multipart
from .middleware import Middleware

MB = 2**20


_FIELD_LIMITS: dict[str, int] = {}


def register_field_limit(field_name: str, limit: int) -> None:
    """Declare the largest file an upload field accepts, in bytes. Called by each app's
    AppConfig.ready() with its services' own limit; a field several apps use ("receipt")
    keeps the largest."""
    _FIELD_LIMITS[field_name] = max(limit, _FIELD_LIMITS.get(field_name, 0))


def field_limits() -> dict[str, int]:
    """The largest file each upload field accepts, in bytes (as the apps registered them)."""
    return dict(_FIELD_LIMITS)


def limit_for(field_name: str) -> int:
    """The limit of a field, by its name without a formset prefix; any other field: the
    request limit."""
    return field_limits().get(field_name.rsplit("-", 1)[-1], settings.UPLOAD_MAX_REQUEST_BYTES)


def _size_in_mb(limit: int) -> str:
    return f"{limit / MB:g}"


class UploadLimitHandler(FileUploadHandler):
    """First of the upload handlers: passes each chunk on, and stops the upload (without
    reading the rest of the body) once a file is over its field's limit."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = 0
        self.too_large: tuple[str, int] | None = None

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.limit = limit_for(field_name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = (self.field_name, self.limit)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def too_large_response(request: HttpRequest, field: str | None, limit: int) -> HttpResponse:
    message = _("The file is larger than %(size)s MB.") % {"size": _size_in_mb(limit)}
    if field is None:
        message = _("The request is larger than %(size)s MB.") % {"size": _size_in_mb(limit)}
    if request.path.startswith("/api/"):
        key = field or "non_field_errors"
        return JsonResponse({key: [message]}, status=413)
    html = render_to_string(
        "upload_too_large.html", {"field": field, "message": message}, request=request
    )
    return HttpResponse(html, status=413)


def _multipart(request: HttpRequest) -> bool:
    return str(request.META.get("CONTENT_TYPE", "")).startswith("multipart/form-data")


class UploadLimitMiddleware(Middleware):
    """Refuses an oversize upload with a 413 before its body is read in full (see the module).

    Goes before CsrfViewMiddleware, which reads request.POST: the handler must be in place
    before anything parses the body."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_REQUEST_BYTES:
            return too_large_response(request, None, settings.UPLOAD_MAX_REQUEST_BYTES)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, *_view_args_and_kwargs: object
    ) -> HttpResponse | None:
        if request.method not in {"POST", "PUT", "PATCH"} or not _multipart(request):
            return None
        if _refuses_multipart(view_func):
            # A JSON-only API view: DRF answers 415 without reading the body; reading it here
            # would hand the view a parsed form instead.
            return None
        handler = UploadLimitHandler(request)
        request.upload_handlers.insert(0, handler)
        # Parse now, through the handler; views and DRF then read request.POST/FILES.
        if request.method == "POST":
            request.POST  # noqa: B018
        else:
            # Django keeps the parsed form in these (it fills them itself for a POST only).
            parsed = request.parse_file_upload(request.META, request)
            request._post, request._files = parsed  # type: ignore[attr-defined]
        if handler.too_large:
            return too_large_response(request, *handler.too_large)
        return None
