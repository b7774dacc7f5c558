"""Portal pages of membership: joining (the application and how to pay it), the member's
shares (position, register extract, payments due, more shares, certificates).

The one-share-per-year prompt: a member has *used the services* in a calendar year when an
invoice (not a credit note) of a production unit they hold was issued that year. At least one
share is due per such year, counted up to last year (the current year is not over): with the
share policy's rule on, a member who used the services last year and holds (subscribed, paid
or not) fewer shares than their years of use is asked to subscribe the difference.
"""

from dataclasses import dataclass

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
from core.permissions import member_of, member_required

from .forms import (
    CertificateRequestForm,
    MembershipApplicationForm,
    SharesSubscribeForm,
    add_service_errors,
)
from .models import LANGUAGE_CHOICES, Member, MembershipApplication, ShareCertificate
from .payment_routing import (
    application_amount_due,
    application_payment_instructions,
    cooperative_account,
    format_reference,
    unpaid_subscriptions,
)
from .selectors import member_entries, member_shares, share_policy_on, shares_missing
from .services import application_apply
from .share_services import certificate_request, shares_subscribe
from .views_transfers import transfer_context

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


def documents_in_force(day):
    """The latest version in force of each kind of membership document."""
    from .models import MembershipDocument

    found = {}
    for document in MembershipDocument.objects.in_force_on(day).order_by("kind", "-valid_from"):
        found.setdefault(document.kind, document)
    return list(found.values())


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


# --- the member's shares --------------------------------------------------------------------------


@dataclass(frozen=True)
class SharePrompt:
    """The one-share-per-year rule asks this member for `missing` more shares."""

    years_of_use: int
    held: int
    missing: int


def years_of_use(*, member: Member, before_year: int) -> list[int]:
    """The calendar years before `before_year` in which an invoice (not a credit note) of a
    production unit the member holds was issued."""
    # The invoices are invoicing's; reading them from members' portal glue is the one place
    # the rule needs them (members.selectors.shares_missing leaves the counting to the caller).
    from invoicing.models import Invoice

    days = (
        Invoice.objects.filter(
            unit__holder=member,
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.ISSUED,
            issue_date__year__lt=before_year,
        )
        .dates("issue_date", "year")
        .order_by("issue_date")
    )
    return [day.year for day in days]


def share_prompt(*, member: Member, today=None) -> SharePrompt | None:
    """The prompt to subscribe more shares (see the module docstring), or None."""
    today = today or timezone.localdate()
    policy = share_policy_on(today)
    if policy is None or not policy.one_share_per_year_rule:
        return None
    if member.status != Member.Status.MEMBER or member.left_on is not None:
        return None
    years = years_of_use(member=member, before_year=today.year)
    if today.year - 1 not in years:
        return None
    missing = shares_missing(member=member, years_of_use=len(years), at=today)
    if missing <= 0:
        return None
    held = member_shares(member=member, at=today).held
    return SharePrompt(years_of_use=len(years), held=held, missing=missing)


def _shares_context(request, member: Member, **forms) -> dict:
    prompt = share_prompt(member=member)
    subscribe_form = forms.get("subscribe_form") or SharesSubscribeForm(
        initial={"shares": prompt.missing if prompt else 1}
    )
    return {
        "member": member,
        "position": member_shares(member=member),
        "entries": [
            {
                "entry": entry,
                "shares": f"{entry.shares:+d}",
                "communication": format_reference(entry.structured_reference),
            }
            for entry in member_entries(member=member)
        ],
        "unpaid": [
            {"row": row, "qr_svg": row.instructions.qr_svg() if row.instructions else ""}
            for row in unpaid_subscriptions(member=member)
        ],
        "certificates": list(member.certificates.order_by("-created_at", "-id")[:10]),
        "prompt": prompt,
        "policy": share_policy_on(timezone.localdate()),
        "subscribe_form": subscribe_form,
        "certificate_form": forms.get("certificate_form") or CertificateRequestForm(),
        "is_active": member.status == Member.Status.MEMBER and member.left_on is None,
        **transfer_context(member, forms.get("transfer_form")),
    }


@member_required
def membership_shares(request):
    """My shares: position, payments due, register extract, certificates, more shares."""
    member = member_of(request.user)
    return render(request, "members/portal/shares.html", _shares_context(request, member))


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
    context = _shares_context(request, member, subscribe_form=form)
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
    context = _shares_context(request, member, certificate_form=form)
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
