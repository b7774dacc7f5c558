"""Access helpers for the member portal: each returns the member's own object or raises 404.

Objects are always fetched through the queryset of what the user holds, never by pk alone,
so another member's unit or client is indistinguishable from one that does not exist.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from invoicing.models import Client
from production_units.models import ProductionUnit


def member_of(user):
    """The user's member profile, or None (staff accounts usually have none)."""
    return getattr(user, "member", None)


def member_required(view):
    """Log in first; then only users with a member profile get in, the others see why not."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if member_of(request.user) is None:
            return render(request, "portal/no_member.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def get_own_unit_or_404(request, pk) -> ProductionUnit:
    """A unit the logged-in user holds, or 404."""
    return get_object_or_404(
        ProductionUnit.objects.held_by(request.user).select_related("sector", "legal_entity"),
        pk=pk,
    )


def get_own_client_or_404(request, pk) -> Client:
    """A client attached to one of the logged-in user's units, or 404."""
    return get_object_or_404(Client.objects.of_member_user(request.user), pk=pk)
