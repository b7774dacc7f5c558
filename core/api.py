"""API plumbing shared by the apps' api.py modules.

Also the URLconf of the OpenAPI schema, included at /api/schema/ by smartcoop/urls.py.
"""

import math
from decimal import ROUND_HALF_UP

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
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
        seconds = max(1, math.ceil(exc.wait or 0))
        exc = exceptions.Throttled(wait=seconds)
        response = drf_exception_handler(exc, context)
        response.data = {
            "detail": _("Too many requests: try again in %(seconds)s seconds.")
            % {"seconds": seconds},
            "retry_after": seconds,
        }
        return response
    return drf_exception_handler(exc, context)


class MoneyField(serializers.DecimalField):
    """An amount in euros, as a decimal string to the cent ("1234.50"), never a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


API_PREFIX = "/api/"


def bad_request(request, exception):
    """handler400: JSON under /api/ (a {"detail": …}, as the API's errors), the page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """handler404, for a URL no route matches (/api/v1/clients/abc/): JSON under /api/, as
    the API's own 404s, so that every API answer is the JSON the schema documents."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


# The schema lists every DRF endpoint; it holds no data, so it needs no login.
urlpatterns = [
    path("", SpectacularAPIView.as_view(), name="api-schema"),
]
