from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .types import AnyUser, GetResponse


class Middleware:
    """What our middlewares share: Django hands each the next layer, `get_response`."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)


def staff_has_mfa(user: AnyUser) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware(Middleware):
    """Staff reach the back-office (/admin/) only once they have set up a second factor (TOTP).

    With a TOTP authenticator, allauth asks for the code at every login, and the admin's own
    login goes through allauth's (core/admin_kit.py), so having one enrolled means the session
    passed the second factor. Without one, staff are sent to allauth's TOTP activation page;
    they may still log out. settings.SMARTCOOP_STAFF_MFA_REQUIRED turns this off (local demo).
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.needs_mfa(request):
            messages.warning(
                request,
                _("Set up two-factor authentication before you use the back-office."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def needs_mfa(self, request: HttpRequest) -> bool:
        return (
            settings.SMARTCOOP_STAFF_MFA_REQUIRED
            and request.path.startswith(reverse("admin:index"))
            and request.path != reverse("admin:logout")
            and request.user.is_authenticated
            and request.user.is_staff
            and not staff_has_mfa(request.user)
        )


class RefusedFormStatusMiddleware(Middleware):
    """A back-office form sent back with errors answers 400, not 200, for every ModelAdmin
    (ours and the libraries'), so clients and tests see the refusal."""

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        if (
            request.method == "POST"
            and response.status_code == 200
            and (response.context_data or {}).get("errors")
            and request.path.startswith(reverse("admin:index"))
        ):
            response.status_code = 400
        return response
