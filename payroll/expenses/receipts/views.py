"""Portal pages of receipts: drop or scan receipts (several in a row), see what was read,
check and file each one in the expense-claim form, see a receipt's file.

A receipt is its owner's only: anybody else's is a 404.
"""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.templatetags.portal import format_money
from payroll.models import Receipt

from ..forms import ExpenseClaimForm
from ..views import _add_errors, _policy_facts, claimant_required, receipt_response
from .parsing import proposal
from .services import (
    receipt_discard,
    receipt_duplicates,
    receipt_file,
    receipt_initial,
    receipt_upload,
    receipts_of_user,
)

MAX_FILES = 20  # one drop


def get_own_receipt_or_404(request, pk) -> Receipt:
    return get_object_or_404(receipts_of_user(request.user), pk=pk)


def _rows(receipts) -> list[dict]:
    return [
        {"receipt": receipt, "duplicates": receipt_duplicates(receipt), **_summary(receipt)}
        for receipt in receipts
    ]


def _summary(receipt: Receipt) -> dict:
    """What was read with confidence, as the list shows it (amounts and dates as values, the
    template formats them the Belgian way)."""
    proposed = proposal(receipt.read)
    total = proposed.get("total")
    spent_on = proposed.get("spent_on")
    return {
        "supplier": proposed.get("supplier"),
        "total": Decimal(total) if total else None,
        "spent_on": date.fromisoformat(spent_on) if spent_on else None,
    }


@claimant_required
def receipt_inbox(request):
    """GET: the receipts to check and the drop zone; POST: the dropped files."""
    if request.method == "POST":
        files = request.FILES.getlist("receipt")
        if not files:
            messages.error(request, _("Choose or photograph at least one receipt."))
        for upload in files[:MAX_FILES]:
            try:
                receipt_upload(upload=upload, by=request.user)
            except ValidationError as error:
                texts = error.message_dict.get("receipt", error.messages)
                messages.error(request, f"{upload.name}: {' '.join(texts)}")
        if len(files) > MAX_FILES:
            messages.error(
                request, _("Only %(count)s receipts at a time: drop the others again.")
                % {"count": MAX_FILES}
            )  # fmt: skip
        return redirect("portal:receipt_inbox")
    pending = receipts_of_user(request.user).exclude(status=Receipt.Status.FILED)
    filed = (
        receipts_of_user(request.user)
        .filter(status=Receipt.Status.FILED)
        .select_related("claim")
        .order_by("-filed_at")[:10]
    )
    context = {"rows": _rows(pending.order_by("created_at", "id")), "filed": filed}
    return render(request, "payroll/expenses/receipts/inbox.html", context)


@claimant_required
def receipt_review(request, pk):
    """The expense-claim form, prefilled from what was read; the member checks and files."""
    receipt = get_own_receipt_or_404(request, pk)
    if receipt.status == Receipt.Status.FILED:
        return redirect("portal:expense_detail", pk=receipt.claim_id)
    initial, unsure = receipt_initial(receipt)
    if request.method == "POST":
        form = ExpenseClaimForm(request.POST, user=request.user)
    else:
        form = ExpenseClaimForm(user=request.user, initial=initial)
    # The receipt is the one read; a receipt is never a mileage claim.
    del form.fields["receipt"]
    del form.fields["distance_km"]
    category = form.fields["category"]
    category.queryset = category.queryset.exclude(is_mileage=True)
    category.empty_label = "—"
    for name in unsure:
        if name in form.fields:
            css = form.fields[name].widget.attrs.get("class", "")
            form.fields[name].widget.attrs["class"] = f"{css} to-check".strip()
    context = {
        "form": form,
        "receipt": receipt,
        "unsure": unsure,
        "duplicates": receipt_duplicates(receipt),
        "readings": sorted(receipt.read.items()),
        **_policy_facts(),
    }
    if request.method != "POST":
        return render(request, "payroll/expenses/receipts/review.html", context)
    if form.is_valid():
        fields = form.service_fields()
        fields.pop("receipt")
        fields.pop("distance_km")  # None: the form has no distance
        try:
            claim = receipt_file(receipt=receipt, by=request.user, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(
                request,
                _("Your claim of %(amount)s is filed: your advisor checks it.")
                % {"amount": format_money(claim.amount)},
            )
            return redirect("portal:receipt_inbox")
    return render(request, "payroll/expenses/receipts/review.html", context, status=400)


@claimant_required
@require_POST
def receipt_discard_view(request, pk):
    receipt = get_own_receipt_or_404(request, pk)
    try:
        receipt_discard(receipt=receipt, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The receipt was thrown away."))
    return redirect("portal:receipt_inbox")


@claimant_required
def receipt_file_view(request, pk):
    """The receipt's file, for its owner only; shown in the browser, never run there."""
    receipt = get_own_receipt_or_404(request, pk)
    extension = receipt.file.name.rsplit(".", 1)[-1].lower()
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("This receipt's file is missing.")) from error
    return receipt_response(handle, receipt.content_type, f"receipt-{receipt.pk}.{extension}")
