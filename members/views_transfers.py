"""Portal pages of share transfers: ask to transfer shares to another member (on the shares
page), follow my requests, cancel one while it waits for the board.

A member sees only the requests where they are the transferor; the recipient is shown by
member number only (the number is what the member typed: nothing more is revealed about them).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.permissions import member_of, member_required

from .forms import TransferRequestForm
from .models import ShareTransferRequest
from .shares_page import shares_context
from .transfer_services import (
    share_transfer_cancel,
    share_transfer_request,
)


class CancelForm(forms.Form):
    """Only a confirmation: errors of the service go on the form."""


def get_own_transfer_request_or_404(request, pk) -> ShareTransferRequest:
    """A transfer request of the logged-in member (as transferor), or 404."""
    return get_object_or_404(
        ShareTransferRequest.objects.filter(from_member__user=request.user).select_related(
            "to_member", "from_member"
        ),
        pk=pk,
    )


@member_required
def membership_transfer_request(request):
    """Ask the board to transfer shares to another member (GET: the form on the shares page)."""
    if request.method != "POST":
        return redirect("portal:membership_shares")
    member = member_of(request.user)
    form = TransferRequestForm(request.POST)
    if form.is_valid():
        try:
            transfer = share_transfer_request(
                from_member=member,
                to_member_number=form.cleaned_data["to_member"],
                shares=form.cleaned_data["shares"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your request to transfer %(shares)s share(s) to member %(number)s is "
                    "recorded: the board will decide on it."
                )
                % {"shares": transfer.shares, "number": transfer.to_member.number},
            )
            return redirect("portal:membership_shares")
    context = shares_context(member, transfer_form=form)
    return render(request, "members/portal/shares.html", context, status=400)


@member_required
def membership_transfer_cancel(request, pk):
    """Cancel one of my transfer requests, after a confirmation page."""
    transfer = get_own_transfer_request_or_404(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            share_transfer_cancel(request=transfer, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error))
            add_service_errors(form, error)
            status = 400
        else:
            messages.success(request, _("Your transfer request is cancelled."))
            return redirect("portal:membership_shares")
    context = {"transfer": transfer, "form": form}
    return render(request, "members/portal/transfer_cancel.html", context, status=status)
