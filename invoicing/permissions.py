"""The member portal's access to clients: a client of the member's own units or a 404."""

from django.shortcuts import get_object_or_404

from .models import Client


def get_own_client_or_404(request, pk) -> Client:
    """A client attached to one of the logged-in user's units, or 404."""
    return get_object_or_404(Client.objects.of_member_user(request.user), pk=pk)
