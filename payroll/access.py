"""Who reaches the portal's work-and-pay pages.

Members reach every portal page (core.permissions.member_required). Invited workers are
not members: they have an account and a Worker record, and reach only the pages about their
own work. Those pages use `worker_or_member_required`, and find the worker with
`payroll.workers.worker_services.worker_of_user(request.user)` (None for a member who never worked):

    @worker_or_member_required
    def payslip_list(request):
        worker = worker_of_user(request.user)
        ...

An account that is neither (an advisor, a staff user) gets the portal's friendly refusal page
(portal/no_member.html, 403), like on the members' pages. Objects are fetched through what
the user owns (`get_own_..._or_404`): another person's object is a 404.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from core.permissions import member_of
from production_units.models import ProductionUnit

from .models import Worker, WorkerInvitation


def is_worker(user) -> bool:
    """Does this account have a Worker record (invited worker, or member who worked)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_payroll_is_worker", None)
    if cached is None:
        cached = Worker.objects.filter(user=user).exists()
        user._payroll_is_worker = cached
    return cached


def worker_or_member_required(view):
    """Log in first; then members and workers get in, the others see why not (403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if member_of(request.user) is None and not is_worker(request.user):
            return render(request, "portal/no_member.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def get_held_unit_or_404(request, pk) -> ProductionUnit:
    """A unit the logged-in user holds (as a member), or 404."""
    return get_object_or_404(
        ProductionUnit.objects.held_by(request.user).select_related("holder"), pk=pk
    )


def get_own_invitation_or_404(request, pk) -> WorkerInvitation:
    """An invitation sent for one of the logged-in user's units, or 404."""
    return get_object_or_404(
        WorkerInvitation.objects.filter(
            unit__in=ProductionUnit.objects.held_by(request.user)
        ).select_related("unit"),
        pk=pk,
    )


def get_unit_worker_or_404(unit: ProductionUnit, worker_pk) -> Worker:
    """A worker linked to `unit` (a unit the caller already proved they hold), or 404."""
    return get_object_or_404(Worker.objects.filter(units__unit=unit).distinct(), pk=worker_pk)
