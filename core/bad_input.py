"""Input that no field of ours can hold is refused at the door, with a 400 naming the field.

PostgreSQL refuses a NUL character (U+0000) in any text value, in a row as in a WHERE clause:
a NUL that reaches a query (a filter, a search box, a slug looked up, a text saved) is a 500.
Django's and DRF's CharFields refuse it, but lookups, filters and the admin search do not; so
RejectNullCharactersMiddleware checks every request once, before any view runs: the path, the
query string, form and multipart fields (names and values) and JSON bodies. (Django already
strips non-printable characters from the names of uploaded files.)
"""

import contextlib
import json
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from .middleware import Middleware

NUL = "\x00"
API_PREFIX = "/api/"
NON_FIELD = "non_field_errors"  # REST_FRAMEWORK's NON_FIELD_ERRORS_KEY (the default)

# DRF's shape of errors: [message] for a value, nested in dicts and lists as the data is.
NullErrors = list[str] | dict[str, "NullErrors"] | list["NullErrors"] | dict[str, object]
FieldErrors = dict[str, Any]


def _shown(name: str) -> str:
    return name.replace(NUL, "\\x00")


def json_null_character_errors(value: object, message: str) -> NullErrors | None:
    """The NULs of decoded JSON as DRF shapes its errors: {field: [message]}, nested as DRF
    nests them ({"lines": [{}, {"description": [message]}]}); None when there is none."""
    if isinstance(value, str):
        return [message] if NUL in value else None
    if isinstance(value, dict):
        errors: dict[str, NullErrors] = {}
        for key, item in value.items():
            error = [message] if NUL in key else json_null_character_errors(item, message)
            if error is not None:
                errors[_shown(key)] = error
        return errors or None
    if isinstance(value, list):
        items = [json_null_character_errors(item, message) for item in value]
        if all(error is None for error in items):
            return None
        return [{} if error is None else error for error in items]
    return None


def _querydict_errors(querydict: QueryDict, message: str) -> FieldErrors:
    return {
        _shown(name): [message]
        for name, values in querydict.lists()
        if NUL in name or any(NUL in value for value in values if isinstance(value, str))
    }


def _json_body_errors(request: HttpRequest, message: str) -> FieldErrors:
    # A NUL can only be written \u0000 in JSON (a raw one is a parse error, a 400 already).
    if b"\\u0000" not in request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:  # refused by the view's parser with a 400
        return {}
    errors = json_null_character_errors(data, message)
    if errors is None:
        return {}
    return errors if isinstance(errors, dict) else {NON_FIELD: [message]}


def _refuses_multipart(view_func: object) -> bool:
    """An API view without a multipart parser: DRF answers 415 to a multipart body, and
    would no longer if the form were read here first."""
    parsers = getattr(getattr(view_func, "cls", None), "parser_classes", None)
    return parsers is not None and all(
        parser.media_type != "multipart/form-data" for parser in parsers
    )


def request_null_character_errors(request: HttpRequest, view_func: object = None) -> FieldErrors:
    """{field: [message]} for the fields of this request holding a NUL: query string, form
    and multipart fields (names and values), JSON body (nested as DRF nests its errors)."""
    message = str(ProhibitNullCharactersValidator.message)
    errors = _querydict_errors(request.GET, message)
    content_type = request.content_type or ""
    if content_type == "multipart/form-data" and _refuses_multipart(view_func):
        pass
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # A body that can't be read is the view's to refuse (400).
        with contextlib.suppress(MultiPartParserError, UnreadablePostError):
            errors |= _querydict_errors(request.POST, message)
            errors |= {_shown(name): [message] for name in request.FILES if NUL in name}
    elif content_type == "application/json" or content_type.endswith("+json"):
        errors |= _json_body_errors(request, message)
    return errors


def _refusal(request: HttpRequest, errors: FieldErrors) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(errors, status=400)
    text = _("Refused: %(fields)s. %(message)s") % {
        "fields": ", ".join(errors),
        "message": ProhibitNullCharactersValidator.message,
    }
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


class RejectNullCharactersMiddleware(Middleware):
    """400 for a request with a NUL in its path, a query parameter, a form field or a JSON
    value, naming each such field (under /api/ as JSON, shaped like DRF's validation errors).

    The body is read in process_view, after CsrfViewMiddleware has read the form the same
    way; DRF then takes the form Django already parsed.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if NUL in request.path:
            return _refusal(request, {"path": [str(ProhibitNullCharactersValidator.message)]})
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, *_view_args_and_kwargs: object
    ) -> HttpResponse | None:
        errors = request_null_character_errors(request, view_func)
        return _refusal(request, errors) if errors else None
