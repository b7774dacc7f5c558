"""Permissions-Policy on every response: the browser features a page may use.

Only the camera, for this site itself (the expense form's receipt photo,
`capture="environment"`); geolocation, microphone, payment, USB and the motion sensors for
nobody. The policy is settings.PERMISSIONS_POLICY ({feature: [origins]}; [] is nobody,
["self"] this site). Content-Security-Policy comes from django-csp (settings.py), Referrer-Policy
from Django's SECURE_REFERRER_POLICY.
"""

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .middleware import Middleware
from .types import GetResponse


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": ["self"], "microphone": []} → 'camera=(self), microphone=()'."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in sorted(policy.items())
    )


class PermissionsPolicyMiddleware(Middleware):
    def __init__(self, get_response: GetResponse) -> None:
        super().__init__(get_response)
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
