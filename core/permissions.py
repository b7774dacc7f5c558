"""Access helpers for the member portal: who is a member, and the decorator that lets only
members in. Each app fetches its own objects through what the user holds, never by pk alone
(production_units.permissions, invoicing.permissions)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def member_of(user: object) -> Model | None:
    """The user's member profile, or None (staff accounts usually have none)."""
    return getattr(user, "member", None)


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only users with a member profile get in, the others see why not."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if member_of(request.user) is None:
            return render(request, "portal/no_member.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
