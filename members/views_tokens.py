"""Portal pages of API access: the user's API tokens, created (shown once) and revoked."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import format_day

from .token_services import (
    api_token_check_second_factor,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
    own_api_tokens,
)


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("To recognise it later, e.g. “accounting export”."),
    )


def _page(request, *, form=None, created=None, clear_token="", status=200):
    return render(
        request,
        "members/portal/api_tokens.html",
        {
            "tokens": own_api_tokens(request.user),
            "form": form or ApiTokenCreateForm(),
            "created": created,
            "clear_token": clear_token,
        },
        status=status,
    )


@login_required
def api_tokens(request):
    """The list of the user's tokens; POST creates one, whose value is shown on this answer only."""
    if request.method != "POST":
        return _page(request)
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        # In the portal the code comes from the login: staff need a session that passed MFA.
        api_token_check_second_factor(user=request.user, request=request)
    except ValidationError:
        form.add_error(
            None,
            _(
                "Creating an API token needs a login with two-factor authentication: "
                "set it up under Security, then log in again."
            ),
        )
        return _page(request, form=form, status=403)
    token, clear = api_token_create(user=request.user, name=form.cleaned_data["name"], via="portal")
    response = _page(request, created=token, clear_token=clear)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def api_token_revoke_view(request, digest):
    """Confirm, then revoke one of the user's tokens (another user's is a 404)."""
    token = get_object_or_404(own_api_tokens(request.user), digest=digest)
    if request.method == "POST":
        api_token_revoke(token=token, by=request.user)
        messages.success(request, _("The token is revoked."))
        return redirect("portal:api_tokens")
    return render(
        request,
        "payroll/work/confirm.html",
        {
            "title": _("Revoke this API token?"),
            "object": _("API access"),
            "back_url": reverse("portal:api_tokens"),
            "paragraphs": [
                _("Token “%(name)s”, created on %(created)s.")
                % {"name": token.name or "—", "created": format_day(token.created.date())},
                _("Tools that use it will be refused from now on. This can't be undone."),
            ],
            "button": _("Revoke"),
        },
    )


@login_required
def api_tokens_revoke_all_view(request):
    """Confirm, then revoke every token of the user."""
    if request.method == "POST":
        count = api_tokens_revoke_all(
            user=request.user, by=request.user, reason="revoked in the portal"
        )
        messages.success(request, _("%(count)d token(s) revoked.") % {"count": count})
        return redirect("portal:api_tokens")
    return render(
        request,
        "payroll/work/confirm.html",
        {
            "title": _("Revoke all your API tokens?"),
            "object": _("API access"),
            "back_url": reverse("portal:api_tokens"),
            "paragraphs": [
                _("Every tool that uses one of your tokens will be refused from now on."),
            ],
            "button": _("Revoke all"),
        },
    )
