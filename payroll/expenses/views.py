"""Portal pages of expense claims: my claims (filters, CSV), a new claim (photo of the receipt
from the phone), a claim's page (decision, history) and its receipt.

Members and invited workers use them: a claim is the user's when they are its claimant or
hold its unit; anybody else's claim is a 404.
"""

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_trail
from core.audit_labels import history_row
from core.exports import csv_response, refused_download
from core.money import cents
from core.permissions import member_of
from core.templatetags.portal import format_money
from payroll.models import ExpenseClaim
from payroll.parameters import payroll_policy_on
from payroll.workers.worker_services import worker_of_user

from .forms import ExpenseClaimForm, ExpenseFilterForm
from .services import (
    RECEIPT_CONTENT_TYPES,
    claims_of_user,
    expense_claim_submit,
    expense_claimant,
    expense_deadline,
)

PAGE_SIZE = 25
CSV_CHUNK = 1000


def claimant_required(view):
    """Log in first; then members and invited workers get in, the others see why not."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if member_of(user) is None and worker_of_user(user) is None:
            return render(request, "portal/no_member.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def get_own_claim_or_404(request, pk) -> ExpenseClaim:
    """A claim the user filed or of a unit they hold, or 404."""
    return get_object_or_404(
        claims_of_user(request.user).select_related(
            "unit", "job", "worker", "category", "ledger_entry", "payout__batch"
        ),
        pk=pk,
    )


def _my_claims(user):
    return (
        claims_of_user(user)
        .select_related("unit", "category", "worker", "job")
        .order_by("-spent_on", "-id")
    )


@claimant_required
def expense_list(request):
    form = ExpenseFilterForm(request.GET or None, user=request.user)
    claims = _my_claims(request.user)
    status = 200
    if form.is_bound:
        if form.is_valid():
            claims = form.filter(claims)
        else:
            status = 400
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filters_ignored": status == 400}
    return render(request, "payroll/expenses/list.html", context, status=status)


@claimant_required
def expense_list_csv(request):
    """The filtered list as CSV, streamed."""
    form = ExpenseFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return refused_download(form)
    claims = form.filter(_my_claims(request.user))
    header = [
        _("Number"), _("Date of the expense"), _("Unit"), _("Job"), _("Claimant"),
        _("Category"), _("Description"), _("Amount incl. VAT (EUR)"), _("VAT (EUR)"),
        _("Distance (km)"), _("Rate per km (EUR)"), _("Status"), _("Decided on"), _("Reason"),
    ]  # fmt: skip

    rows = (
        [
            claim.pk,
            claim.spent_on,
            claim.unit.code,
            claim.job.description if claim.job_id else "",
            str(claim.worker),
            claim.category.label,
            claim.description,
            cents(claim.amount),
            cents(claim.vat),
            None if claim.distance_km is None else claim.distance_km.quantize(Decimal("0.1")),
            None if claim.mileage_rate is None else claim.mileage_rate.quantize(Decimal("0.0001")),
            claim.get_status_display(),
            timezone.localdate(claim.decided_at) if claim.decided_at else None,
            claim.decision_reason,
        ]
        for claim in claims.iterator(chunk_size=CSV_CHUNK)
    )
    return csv_response(filename="expense-claims.csv", header=header, rows=rows, streaming=True)


def _policy_facts() -> dict:
    """The rate per km and the deadlines still open today (last year's until its deadline
    passes, then this year's), by the payroll policy in force today, as the form shows them."""
    today = timezone.localdate()
    try:
        policy = payroll_policy_on(today)
    except ValidationError:
        return {}
    deadlines = [
        (year, expense_deadline(year=year, policy=policy)) for year in (today.year - 1, today.year)
    ]
    return {
        "mileage_rate": policy.mileage_rate,
        "open_deadlines": [
            {"year": year, "deadline": deadline}
            for year, deadline in deadlines
            if deadline >= today
        ],
    }


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


@claimant_required
def expense_new(request):
    if request.method == "POST":
        form = ExpenseClaimForm(request.POST, request.FILES, user=request.user)
    else:
        form = ExpenseClaimForm(user=request.user, initial={"spent_on": timezone.localdate()})
    context = {"form": form, **_policy_facts()}
    if request.method != "POST":
        return render(request, "payroll/expenses/form.html", context)
    if form.is_valid():
        fields = form.service_fields()
        try:
            worker = expense_claimant(unit=fields["unit"], user=request.user)
            claim = expense_claim_submit(worker=worker, by=request.user, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Your claim of %(amount)s is filed: your advisor checks it.")
                % {"amount": format_money(claim.amount)},
            )
            return redirect("portal:expense_detail", pk=claim.pk)
    return render(request, "payroll/expenses/form.html", context, status=400)


def history(claim: ExpenseClaim) -> list[dict]:
    rows = []
    for event in audit_trail(claim):
        changes = event.changes or {}
        details = []
        if changes.get("amount") not in (None, ""):
            details.append(format_money(Decimal(str(changes["amount"]))))
        if changes.get("overdraft"):
            details.append(
                _("overdraft of %(amount)s")
                % {"amount": format_money(Decimal(str(changes["overdraft"])))}
            )
        rows.append(history_row(event, details=" · ".join(details)))
    return rows


@claimant_required
def expense_detail(request, pk):
    claim = get_own_claim_or_404(request, pk)
    payout = getattr(claim, "payout", None)
    context = {"claim": claim, "payout": payout, "history": history(claim)}
    return render(request, "payroll/expenses/detail.html", context)


@claimant_required
def expense_receipt(request, pk):
    """The receipt, for the claim's owners only; shown in the browser, never run there."""
    claim = get_own_claim_or_404(request, pk)
    if not claim.receipt:
        raise Http404(_("This claim has no receipt."))
    extension = claim.receipt.name.rsplit(".", 1)[-1].lower()
    content_type = RECEIPT_CONTENT_TYPES.get(extension, "application/octet-stream")
    try:
        handle = claim.receipt.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("This claim has no receipt.")) from error
    return receipt_response(handle, content_type, f"receipt-{claim.pk}.{extension}")


def receipt_response(handle, content_type: str, filename: str) -> FileResponse:
    """A member's receipt, shown in the browser (never run there: sandboxed, not sniffed, not
    cached); a file of an unknown type is downloaded instead."""
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type == "application/octet-stream",
        filename=filename,
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
