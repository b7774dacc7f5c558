from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff without a member profile land in the back-office, members in their portal."""
        user = request.user
        if user.is_staff and not hasattr(user, "member"):
            return reverse("admin:index")
        if not hasattr(user, "member") and hasattr(user, "worker"):
            # An invited worker (not a member): their days, contracts and payslips.
            return reverse("portal:workers_calendar")
        return super().get_login_redirect_url(request)
