"""Portal pages of the board: its composition and the coming renewal (every member), my
candidacy (file before the deadline, withdraw), the ethics committee's published
recommendations. A member sees their own candidacies only; nothing confidential of the ethics
committee is ever read here (`ethics_published_opinions` defers it)."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import add_service_errors
from core.permissions import member_of, member_required

from .board_services import candidacy_file, candidacy_withdraw
from .ethics_services import ethics_committee_on, ethics_published_opinions
from .models import Candidacy
from .selectors import (
    OPEN_CANDIDACY,
    board_on,
    candidacy_window,
    mandates_ending_at_next_assembly,
    today,
)


class CandidacyForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Why you stand"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Published to the members with the assembly's documents: who you are, what you "
            "would bring to the board."
        ),
    )
    representative_name = forms.CharField(
        label=gettext_lazy("Person who would sit on the board"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Your organisation sits through a named person."),
    )

    def __init__(self, *args, organisation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not organisation:
            del self.fields["representative_name"]
        else:
            self.fields["representative_name"].required = True


class ConfirmForm(forms.Form):
    """Only a confirmation: errors of the service go on the form."""


def get_own_candidacy_or_404(request, pk) -> Candidacy:
    """One of the logged-in member's candidacies, or 404."""
    return get_object_or_404(
        Candidacy.objects.filter(member__user=request.user).select_related("member"), pk=pk
    )


T = TypeVar("T")


def _run_service(form: forms.Form, call: Callable[[], T]) -> T | None:
    """What `call()` (a service) returns, or None with its refusal put on the form."""
    try:
        return call()
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, PermissionDenied):
            error = ValidationError(str(error))
        add_service_errors(form, error)
        return None


@member_required
def governance_board(request):
    """The board today, the mandates ending at the next ordinary assembly and the seats to
    elect, and where the member's own candidacy stands."""
    day = today()
    member = member_of(request.user)
    context = {
        "day": day,
        "mandates": list(board_on(day)),
        "renewal": mandates_ending_at_next_assembly(day),
        "window": candidacy_window(day),
        "my_candidacy": member.candidacies.filter(status__in=OPEN_CANDIDACY).first(),
    }
    return render(request, "governance/board/board.html", context)


@member_required
def governance_candidacy(request):
    """File my candidacy to the board (deadline shown), or see the ones I filed."""
    day = today()
    member = member_of(request.user)
    window = candidacy_window(day)
    candidacies = list(member.candidacies.order_by("-year", "-filed_at")[:20])
    already = any(c.status in OPEN_CANDIDACY and c.year == window.year for c in candidacies)
    form = CandidacyForm(
        request.POST if request.method == "POST" else None, organisation=member.is_organisation
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        candidacy = _run_service(
            form,
            lambda: candidacy_file(
                member=member,
                statement=form.cleaned_data["statement"],
                representative_name=form.cleaned_data.get("representative_name", ""),
                by=request.user,
            ),
        )
        if candidacy is None:
            status = 400
        else:
            if candidacy.status == Candidacy.Status.DEFERRED:
                messages.warning(
                    request,
                    _(
                        "The deadline for this year's election has passed: your candidacy is "
                        "kept for the %(year)s election."
                    )
                    % {"year": candidacy.year},
                )
            else:
                messages.success(
                    request,
                    _("Your candidacy for the %(year)s election is filed.")
                    % {"year": candidacy.year},
                )
            return redirect("portal:governance_candidacy")
    elif request.method == "POST":
        status = 400
    context = {
        "window": window,
        "form": form,
        "candidacies": candidacies,
        "already": already,
        "member": member,
    }
    return render(request, "governance/board/candidacy.html", context, status=status)


@member_required
def governance_candidacy_withdraw(request, pk):
    """Withdraw one of my candidacies, after a confirmation page."""
    candidacy = get_own_candidacy_or_404(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        if _run_service(form, lambda: candidacy_withdraw(candidacy=candidacy, by=request.user)):
            messages.success(request, _("Your candidacy is withdrawn."))
            return redirect("portal:governance_candidacy")
        status = 400
    context = {"candidacy": candidacy, "form": form}
    return render(request, "governance/board/candidacy_withdraw.html", context, status=status)


@member_required
def governance_ethics(request):
    """The ethics committee: its members and its published opinions and recommendations."""
    day = today()
    context = {
        "committee": list(ethics_committee_on(day)),
        "opinions": list(ethics_published_opinions()[:50]),
    }
    return render(request, "governance/board/ethics.html", context)
