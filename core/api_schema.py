"""The OpenAPI schema's AutoSchema (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): drf-spectacular's,
plus the error answers every operation can give, so that the schema documents every status
code the API returns (checked by schemathesis in CI: scripts/api_contract.sh).

Its own module: DRF imports it while the views are being defined.
"""

from typing import Any, Literal

from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorOutputSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


# The answers any operation can give besides its own: bad input, no or wrong login, no right,
# not found (not yours, or a page past the end), too many requests. A view documents its own
# (e.g. 409 while a PDF is prepared) with @extend_schema; these fill in the rest.
_ERROR = ErrorOutputSerializer
_REFUSED_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=gettext_lazy(
        "Refused input: each field named with its messages ({field: [message]}, nested for "
        "lines; errors not tied to a field under non_field_errors), or a detail."
    ),
)
ERROR_RESPONSES = {
    "400": _REFUSED_INPUT,
    "401": OpenApiResponse(_ERROR, description=gettext_lazy("No or wrong credentials.")),
    "403": OpenApiResponse(
        _ERROR, description=gettext_lazy("Not allowed (or no CSRF token with a session).")
    ),
    "404": OpenApiResponse(
        _ERROR, description=gettext_lazy("Not found: not one of yours, or a page past the end.")
    ),
    "429": OpenApiResponse(
        _ERROR, description=gettext_lazy("Too many requests: retry after Retry-After seconds.")
    ),
}
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    _ERROR, description=gettext_lazy("The body is not in one of the accepted media types.")
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give (JSON)."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERROR_RESPONSES)
        if self._open_to_anyone():
            del errors["401"], errors["403"]
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = UNSUPPORTED_MEDIA_TYPE
        for code, error in errors.items():
            documented = self._get_response_for_code(error, code, ["application/json"])
            if code not in responses:
                responses[code] = documented
            elif "content" not in responses[code]:  # a view's description, without a body
                responses[code]["content"] = documented["content"]
        return responses

    def _open_to_anyone(self) -> bool:
        return all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )
