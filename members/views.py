"""Portal pages of membership: joining (the application and how to pay it), the member's
shares (position, register extract, payments due, more shares, certificates).

The shares page's content is members.shares_page's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import csv_response
from core.forms import add_service_errors
from core.permissions import member_of, member_required

from .certificate_services import certificate_request
from .forms import (
    CertificateRequestForm,
    MembershipApplicationForm,
    SharesSubscribeForm,
)
from .models import LANGUAGE_CHOICES, MembershipApplication, ShareCertificate
from .payment_routing import (
    application_amount_due,
    application_payment_instructions,
    cooperative_account,
    format_reference,
)
from .selectors import (
    documents_in_force,
    member_entries,
    share_policy_on,
)
from .services import application_apply
from .share_payment_services import shares_subscribe
from .shares_page import shares_context

Status = MembershipApplication.Status


# --- access ------------------------------------------------------------------------------------


def own_applications(user):
    """The applications made with this account, latest first."""
    return MembershipApplication.objects.filter(user=user).order_by("-submitted_at", "-id")


def get_own_certificate_or_404(request, pk) -> ShareCertificate:
    """A certificate of the logged-in member, or 404."""
    return get_object_or_404(
        ShareCertificate.objects.filter(member__user=request.user).select_related("member"),
        pk=pk,
    )


def _no_member_page(request):
    return render(request, "portal/no_member.html", status=403)


# --- joining ---------------------------------------------------------------------------------


@login_required
def membership_apply(request):
    """Become a member: the application form (an account without a member profile)."""
    if member_of(request.user) is not None:
        return redirect("portal:membership_shares")
    if request.user.is_staff:
        return _no_member_page(request)
    if own_applications(request.user).filter(status=Status.SUBMITTED).exists():
        messages.info(request, _("Your application is being processed."))
        return redirect("portal:membership_application")
    today = timezone.localdate()
    policy = share_policy_on(today)
    language = (get_language() or "fr")[:2]
    form = MembershipApplicationForm(
        request.POST or None,
        documents=documents_in_force(today),
        policy=policy,
        initial={
            "email": request.user.email,
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
            "preferred_language": language if language in dict(LANGUAGE_CHOICES) else "fr",
        },
    )
    context = {"form": form, "policy": policy}
    if request.method == "POST":
        if form.is_valid():
            try:
                application_apply(user=request.user, **form.service_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your application is recorded. We have sent you the payment instructions."),
                )
                return redirect("portal:membership_application")
        return render(request, "members/portal/apply.html", context, status=400)
    return render(request, "members/portal/apply.html", context)


def application_state(application: MembershipApplication) -> str:
    """waiting_payment, partly_paid, paid (waiting for review), approved or refused."""
    if application.status != Status.SUBMITTED:
        return application.status
    if application_amount_due(application) <= 0:
        return "paid"
    return "partly_paid" if application.paid_amount > 0 else "waiting_payment"


@login_required
def membership_application(request):
    """The account's latest application: what is owed and how to pay it, and its status."""
    application = own_applications(request.user).select_related("office", "member").first()
    if application is None:
        if member_of(request.user) is not None:
            return redirect("portal:membership_shares")
        if request.user.is_staff:
            return _no_member_page(request)
        return redirect("portal:membership_apply")
    instructions = application_payment_instructions(application)
    context = {
        "application": application,
        "state": application_state(application),
        "amount_due": application_amount_due(application),
        "communication": format_reference(application.structured_reference),
        "instructions": instructions,
        "qr_svg": instructions.qr_svg() if instructions else "",
        "cooperative": cooperative_account(),
    }
    return render(request, "members/portal/application.html", context)


# --- the member's shares ------------------------------------------------------------------------


@member_required
def membership_shares(request):
    """My shares: position, payments due, register extract, certificates, more shares."""
    member = member_of(request.user)
    return render(request, "members/portal/shares.html", shares_context(member))


@member_required
def membership_shares_subscribe(request):
    """Subscribe more shares (GET shows the form on the shares page)."""
    member = member_of(request.user)
    if request.method != "POST":
        return redirect("portal:membership_shares")
    form = SharesSubscribeForm(request.POST)
    if form.is_valid():
        try:
            entry = shares_subscribe(
                member=member, shares=form.cleaned_data["shares"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(shares)s share(s) subscribed: pay %(amount)s € with the structured "
                    "communication shown below."
                )
                % {"shares": entry.shares, "amount": entry.amount},
            )
            return redirect("portal:membership_shares")
    context = shares_context(member, subscribe_form=form)
    return render(request, "members/portal/shares.html", context, status=400)


@member_required
@require_POST
def membership_certificate_request(request):
    """Ask for a share certificate (rendered in the background, then downloadable)."""
    member = member_of(request.user)
    form = CertificateRequestForm(request.POST)
    if form.is_valid():
        try:
            certificate = certificate_request(
                member=member, by=request.user, as_of=form.cleaned_data["as_of"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if certificate.status == ShareCertificate.Status.READY:
                messages.success(request, _("Your certificate is ready."))
            else:
                messages.info(
                    request, _("Your certificate is being prepared: it will appear below.")
                )
            return redirect("portal:membership_shares")
    context = shares_context(member, certificate_form=form)
    return render(request, "members/portal/shares.html", context, status=400)


@member_required
def membership_certificate_pdf(request, pk):
    certificate = get_own_certificate_or_404(request, pk)
    if certificate.status != ShareCertificate.Status.READY or not certificate.pdf:
        messages.info(request, _("This certificate is still being prepared."))
        return redirect("portal:membership_shares")
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"share-certificate-{certificate.member.number}-{certificate.as_of:%Y%m%d}.pdf",
    )


@member_required
def membership_register_csv(request):
    """My register extract as CSV: every operation, in order."""
    member = member_of(request.user)
    header = [
        _("Date"),
        _("Operation"),
        _("Shares"),
        _("Unit price"),
        _("Nominal amount"),
        _("Paid-up amount"),
        _("Structured reference"),
        _("Decision reference"),
    ]
    rows = (
        [
            entry.date,
            entry.get_operation_display(),
            entry.shares,
            entry.unit_price,
            entry.amount,
            entry.paid_amount,
            entry.structured_reference,
            entry.decision_reference,
        ]
        for entry in member_entries(member=member)
    )
    return csv_response(
        filename=f"share-register-{member.number or member.pk}.csv",
        header=header,
        rows=rows,
        bom=False,
    )
