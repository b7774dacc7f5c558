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

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.utils.translation import gettext as _

NUL = "\x00"
API_PREFIX = "/api/"


def null_character_fields(data, prefix: str = "") -> list[str]:
    """The names of the fields of decoded JSON whose name or text holds a NUL, dotted for
    nested values ("lines.0.description"); the top level of a non-object is the prefix."""
    if isinstance(data, str):
        return [prefix] if NUL in data else []
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return []
    fields: list[str] = []
    for key, value in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        if NUL in name:
            fields.append(name)
        else:
            fields.extend(null_character_fields(value, name))
    return fields


def _querydict_fields(querydict) -> list[str]:
    return [
        name
        for name, values in querydict.lists()
        if NUL in name or any(NUL in value for value in values if isinstance(value, str))
    ]


def _json_body_fields(request) -> list[str]:
    # A NUL can only be written \u0000 in JSON (a raw one is a parse error, a 400 already).
    if b"\\u0000" not in request.body:
        return []
    try:
        data = json.loads(request.body)
    except ValueError:  # refused by the view's parser with a 400
        return []
    return null_character_fields(data) if isinstance(data, dict | list) else ["body"]


def request_null_character_fields(request) -> list[str]:
    """The fields of this request (query string, form, files, JSON body) holding a NUL."""
    fields = _querydict_fields(request.GET)
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # A body that can't be read is the view's to refuse (400).
        with contextlib.suppress(MultiPartParserError, UnreadablePostError):
            fields += _querydict_fields(request.POST)
            fields += [name for name in request.FILES if NUL in name]
    elif content_type == "application/json" or content_type.endswith("+json"):
        fields += _json_body_fields(request)
    return list(dict.fromkeys(field.replace(NUL, "\\x00") for field in fields))


def _refusal(request, fields: list[str]):
    message = str(ProhibitNullCharactersValidator.message)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({field: [message] for field in fields}, status=400)
    text = _("Refused: %(fields)s. %(message)s") % {"fields": ", ".join(fields), "message": message}
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


class RejectNullCharactersMiddleware:
    """400 for a request with a NUL in its path, a query parameter, a form field or a JSON
    value, naming each such field (JSON, like DRF's validation errors, under /api/).

    The body is read in process_view, after CsrfViewMiddleware has read the form the same
    way; DRF then takes the form Django already parsed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            return _refusal(request, ["path"])
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        fields = request_null_character_fields(request)
        return _refusal(request, fields) if fields else None
