"""The member portal's access to units: the member's own unit or a 404."""

from django.shortcuts import get_object_or_404

from .models import ProductionUnit


def get_own_unit_or_404(request, pk) -> ProductionUnit:
    """A unit the logged-in user holds, or 404 (another member's unit is indistinguishable
    from one that does not exist)."""
    return get_object_or_404(
        ProductionUnit.objects.held_by(request.user).select_related("sector", "legal_entity"),
        pk=pk,
    )
