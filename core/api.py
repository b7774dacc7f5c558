"""API plumbing shared by the apps' api.py modules.

Also the URLconf of the OpenAPI schema, included at /api/schema/ by smartcoop/urls.py.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile
    from rest_framework.generics import GenericAPIView

    _APIView = APIView
    _GenericAPIView = GenericAPIView
else:
    _APIView = _GenericAPIView = object


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a service's Django errors into 4xx answers that name the fields, never a 500.

    ValidationError → 400 {field: [messages]} (errors not tied to a field under
    "non_field_errors"); PermissionDenied → 403; deleting a row other rows still protect → 400;
    over the throttle rate → 429 whose Retry-After header and body say when to retry.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
                    str(message) for message in messages
                ]
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = exceptions.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    _("This can't be deleted: other records still refer to it.")
                ]
            }
        )
    elif isinstance(exc, exceptions.Throttled):
        seconds = max(1, math.ceil(getattr(exc, "wait", None) or 0))
        exc = exceptions.Throttled(wait=seconds)
        response = drf_exception_handler(exc, context)
        if response is not None:  # always, for an APIException
            response.data = {
                "detail": _("Too many requests: try again in %(seconds)s seconds.")
                % {"seconds": seconds},
                "retry_after": seconds,
            }
        return response
    return drf_exception_handler(exc, context)


class MoneyField(serializers.DecimalField):
    """An amount in euros, as a decimal string to the cent ("1234.50"), never a float."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


# The largest id a bigint primary key holds: a larger one is refused as invalid, not a 500.
MAX_ID = 2**63 - 1


class DecimalStringField(serializers.DecimalField):
    """A decimal sent as a JSON string ("12.50"); a JSON number (maybe a float) is refused."""

    default_error_messages = {
        "not_a_string": gettext_lazy(
            'Send this number as a string, e.g. "12.50", not as a JSON number.'
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class EnumField(serializers.ChoiceField):
    """A choice field of fixed choices (made by enum_field, each with its schema component)."""

    enum_choices: list[tuple[Any, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.enum_choices, **kwargs)


def enum_field(component_name: str, choices: Iterable[tuple[Any, Any]]) -> type[EnumField]:
    """A choice field with its own schema component (enum names must not collide)."""
    fixed = list(choices)
    field = type(f"{component_name}Field", (EnumField,), {"enum_choices": fixed})
    schema = {"type": "string", "enum": [value for value, _label in fixed]}
    return extend_schema_field(schema, component_name=component_name)(field)


class StrictInputSerializer(serializers.Serializer):
    """Refuses, by name, the fields it does not declare."""

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            accepted = ", ".join(sorted(self.fields)) or _("none")
            message = _("This field is not accepted here (accepted: %(fields)s).") % {
                "fields": accepted
            }
            unknown = {name: [message] for name in data if name not in self.fields}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                merged: dict[Any, Any] = {**unknown, **error.detail}
                raise serializers.ValidationError(merged) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class AtLeastOneFieldMixin:
    """A partial input (PATCH) changes at least one field."""

    partial: bool

    def validate(self, attrs: Any) -> Any:
        if self.partial and not attrs:
            raise serializers.ValidationError(_("Send at least one field to change."))
        return attrs


class PartialInputSerializer(AtLeastOneFieldMixin, StrictInputSerializer):
    """The fields to change of an object (PATCH): at least one, none unknown."""


class NoInputSerializer(StrictInputSerializer):
    """An action that takes no input: an empty body (or {})."""


def no_input(request: Request) -> None:
    """Refuse any field in the body of an action that takes none (400 naming them)."""
    NoInputSerializer(data=request.data).is_valid(raise_exception=True)


class OwnRowsMixin(_GenericAPIView):
    """An API view on the rows its user may see, as `rows(user)` gives them (the app's
    selector, set with `rows = staticmethod(selector)`): another's row is a 404, never a 403
    telling it exists."""

    rows: Callable[[Any], Any]

    def get_queryset(self) -> Any:
        return self.rows(self.request.user)


class FileAnswer(_APIView):
    """A view whose success is a file whatever Accept says; its errors are JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)


def file_download(
    file: "FieldFile | bytes", filename: str, content_type: str = "application/pdf"
) -> HttpResponse:
    """A file (bytes, or a stored file kept with its row) as a download named `filename`."""
    if isinstance(file, bytes):
        content = file
    else:
        with file.open("rb") as handle:
            content = handle.read()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


API_PREFIX = "/api/"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: JSON under /api/ (a {"detail": …}, as the API's errors), the page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404, for a URL no route matches (/api/v1/clients/abc/): JSON under /api/, as
    the API's own 404s, so that every API answer is the JSON the schema documents."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


# The schema lists every DRF endpoint; it holds no data, so it needs no login.
urlpatterns = [
    path("", SpectacularAPIView.as_view(), name="api-schema"),
]
