"""The general API limit: so many requests per user, and per anonymous client address.

The rates are settings (API_THROTTLE_USER, API_THROTTLE_ANON, from the environment), read at
each request so that a test or an operator can change them. Over the limit, the API answers
429 with a Retry-After header and the same number of seconds in the body
(core.api.exception_handler).
"""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class UserThrottle(UserRateThrottle):
    """API_THROTTLE_USER requests per user (anonymous callers: per address, see AnonThrottle)."""

    def get_rate(self) -> str:
        return str(settings.API_THROTTLE_USER)


class AnonThrottle(AnonRateThrottle):
    """API_THROTTLE_ANON requests per anonymous client address.

    X-Forwarded-For counts only when REST_FRAMEWORK["NUM_PROXIES"] says how many proxies set
    it; otherwise a client could escape the limit by sending a new one with each request.
    """

    def get_rate(self) -> str:
        return str(settings.API_THROTTLE_ANON)

    def get_ident(self, request: Request) -> str:
        if api_settings.NUM_PROXIES is None:
            return str(request.META.get("REMOTE_ADDR", ""))
        return super().get_ident(request)
