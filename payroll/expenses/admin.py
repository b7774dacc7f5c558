"""Back-office of payroll: expenses. The advisors' queue of expense claims.

Claims come from the portal and the API; here advisors review them: approve (posts to the
unit's ledger and queues the reimbursement), approve an overdraft with a reason, or reject
with a reason. A claim is never edited here: the page shows it, its receipt and its trail.
Advisors see the claims of the units of their office's members.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery, Sum
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_decisions import Decision, DecisionPagesMixin, age_column, with_note
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    ReadOnlyAdmin,
    RefuseForm,
    advisor_queue_item,
    each_action,
    money,
    note_field,
    reason_action,
)
from core.dates import format_day
from core.scoping import UNIT_OFFICE
from payroll.models import ExpenseClaim, Receipt
from production_units.models import LedgerEntry

from .receipts.services import FORM_FIELDS, receipt_changes, receipt_duplicates
from .services import (
    RECEIPT_CONTENT_TYPES,
    can_review_expenses,
    expense_claim_approve,
    expense_claim_ask_information,
    expense_claim_reject,
)


def by_id(queryset):
    """The chosen claims, oldest first."""
    return queryset.order_by("id")


class OverdraftForm(forms.Form):
    reason = note_field(
        gettext_lazy("Why the overdraft is approved"),
        help_text=gettext_lazy("Kept in the audit trail; the member reads it."),
    )


class QuestionForm(forms.Form):
    reason = note_field(
        gettext_lazy("Your question to the claimant"),
        help_text=gettext_lazy("The claimant reads it in the history of the claim."),
    )


def to_review(claim: ExpenseClaim) -> bool:
    return claim.status == ExpenseClaim.Status.SUBMITTED


READING_LABELS = {
    "supplier": gettext_lazy("supplier"),
    "vat_number": gettext_lazy("supplier's VAT number"),
    "spent_on": gettext_lazy("date"),
    "total": gettext_lazy("total"),
    "vat": gettext_lazy("VAT"),
    "currency": gettext_lazy("currency"),
    "category": gettext_lazy("category"),
    "invoice_number": gettext_lazy("invoice number"),
    "description": gettext_lazy("description"),
    "amount": gettext_lazy("amount incl. VAT"),
}


def _shown(field: str, value: object) -> str:
    """A read or filed value as the page shows it: dates dd/mm/yyyy, amounts in euros."""
    if value in (None, ""):
        return NOTHING
    try:
        if field == "spent_on":
            return format_day(date.fromisoformat(str(value)))
        if field in {"total", "amount", "vat"} or field.startswith("vat_"):
            return money(Decimal(str(value)))
    except (ValueError, ArithmeticError):
        pass  # shown as read
    return str(value)


def _reading_label(field: str) -> str:
    """A read field's name for the advisor (vat_21: VAT 21 %)."""
    if field.startswith("vat_") and field[4:].isdigit():
        return _("VAT %(rate)s %%") % {"rate": field[4:]}
    return str(READING_LABELS.get(field, field))


class FromReceiptFilter(admin.SimpleListFilter):
    """Claims filed from a scanned receipt, and those the member was warned may duplicate
    another receipt or claim (payroll.expenses.receipts)."""

    title = gettext_lazy("receipt read")
    parameter_name = "scan"

    def lookups(self, request, model_admin):
        return [
            ("read", gettext_lazy("filed from a receipt read")),
            ("duplicate", gettext_lazy("possible duplicate")),
            ("typed", gettext_lazy("typed by hand")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "read":
            return queryset.filter(scan__isnull=False)
        if self.value() == "duplicate":
            return queryset.filter(scan__isnull=False).exclude(scan__duplicates=[])
        if self.value() == "typed":
            return queryset.filter(scan__isnull=True)
        return queryset


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(DecisionPagesMixin, OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = UNIT_OFFICE

    class Media:
        css = {"all": ("css/admin-receipts.css",)}

    # Fits a 1366 px screen (tests/test_admin_queues_width.py): the description and the
    # category under the number, the VAT under the amount, the tool in its filter.
    list_display = (
        "number",
        "spent_on_display",
        "worker",
        "unit_code",
        "amount_display",
        "balance_display",
        "age",
        "status",
        "receipt_link",
    )
    age = age_column("created_at")
    list_display_links = ("number",)
    list_filter = ("status", "unit__tool", "unit__holder__office", "category", FromReceiptFilter)
    list_select_related = ("unit", "worker", "category", "scan")
    search_fields = (
        "description",
        "worker__last_name",
        "worker__first_name",
        "=unit__code",
        "unit__holder__last_name",
    )
    search_help_text = gettext_lazy("A description, a claimant or holder's name, a unit code.")
    ordering = ("-id",)
    show_full_result_count = False
    date_hierarchy = "spent_on"
    actions = ("approve_selected", "approve_overdraft", "reject_with_reason")
    fields = (
        "status",
        "unit",
        "job",
        "worker",
        "category",
        "spent_on",
        "description",
        "amount",
        "vat",
        "distance_km",
        "mileage_rate",
        "receipt_link",
        "receipt_reading",
        "balance_display",
        "decided_by",
        "decided_at",
        "decision_reason",
        "ledger_entry",
        "payout_display",
        "created_by",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        balance = (
            LedgerEntry.objects.filter(unit=OuterRef("unit"))
            .order_by()
            .values("unit")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return super().get_queryset(request).annotate(unit_balance=Subquery(balance))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # Claims are filed by members and decided through the actions (ReadOnlyAdmin): nobody
    # edits them here.
    def has_review_permission(self, request):
        return can_review_expenses(request.user)

    def item_label(self, claim):
        return f"#{claim.pk}"

    # Columns and fields

    @admin.display(description=gettext_lazy("number"), ordering="id")
    def number(self, claim):
        return with_note(f"#{claim.pk}", f"{claim.description[:40]} · {claim.category}")

    @admin.display(description=gettext_lazy("date"), ordering="spent_on")
    def spent_on_display(self, claim):
        return format_day(claim.spent_on)

    @admin.display(description=gettext_lazy("unit"), ordering="unit__code")
    def unit_code(self, claim):
        return claim.unit.code

    @admin.display(description=gettext_lazy("amount incl. VAT"), ordering="amount")
    def amount_display(self, claim):
        return with_note(money(claim.amount), _("VAT %(vat)s") % {"vat": money(claim.vat)})

    @admin.display(description=gettext_lazy("unit balance"))
    def balance_display(self, claim):
        balance = getattr(claim, "unit_balance", None)
        return money(balance or 0)

    @admin.display(description=gettext_lazy("receipt"))
    def receipt_link(self, claim):
        if not claim.receipt:
            return _("mileage") if claim.distance_km is not None else NOTHING
        url = reverse("admin:payroll_expenseclaim_receipt", args=[claim.pk])
        link = format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("see"))
        scan = getattr(claim, "scan", None)
        if scan is not None and scan.duplicates:
            return format_html(
                '{} <strong class="duplicate" title="{}">{}</strong>',
                link,
                " ".join(scan.duplicates),
                _("possible duplicate"),
            )
        return link

    @admin.display(description=gettext_lazy("read from the receipt"))
    def receipt_reading(self, claim):
        """The receipt beside the claim, what its reading proposed, what the member filed
        instead, and the duplicates it may be (payroll.expenses.receipts)."""
        receipt = Receipt.objects.filter(claim=claim).first()
        if receipt is None:
            return _("typed by hand")
        url = reverse("admin:payroll_expenseclaim_receipt", args=[claim.pk])
        rows = []
        for field, reading in sorted(receipt.read.items()):
            filed_as = FORM_FIELDS.get(field)
            filed = receipt.filed.get(filed_as, "") if filed_as else ""
            changed = bool(filed_as) and str(reading.get("value", "")) != str(filed)
            rows.append(
                (
                    _reading_label(field),
                    _shown(field, reading.get("value")),
                    f"{round(100 * float(reading.get('confidence', 0)))} %",
                    _shown(field, filed) if filed_as else NOTHING,
                    _("changed by the member") if changed else "",
                )
            )
        for field, (read, filed) in receipt_changes(receipt).items():
            if not read:
                rows.append(
                    (_reading_label(field), NOTHING, NOTHING, _shown(field, filed),
                     _("not read: typed by the member"))
                )  # fmt: skip
        table = format_html_join(
            "",
            '<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="changed">{}</td></tr>',
            rows,
        )
        duplicates = format_html_join(
            "",
            '<p class="errornote duplicate">{}</p>',
            ((dup.message,) for dup in receipt_duplicates(receipt)),
        )
        image = (
            format_html('<img src="{}" alt="{}">', url, _("receipt")) if receipt.is_image else ""
        )
        return format_html(
            '<div class="receipt-reading">{}{}<p>{}</p><table><thead><tr><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th><th></th></tr></thead><tbody>{}</tbody></table></div>",
            duplicates,
            image,
            receipt.get_method_display() or NOTHING,
            _("field"),
            _("read"),
            _("confidence"),
            _("filed"),
            table,
        )

    @admin.display(description=gettext_lazy("payout"))
    def payout_display(self, claim):
        payout = getattr(claim, "payout", None)
        if payout is None:
            return NOTHING
        if payout.batch_id:
            return _("in transfer batch %(batch)s") % {"batch": payout.batch}
        return _("to pay by %(day)s, %(amount)s") % {
            "day": payout.due_on,
            "amount": money(payout.amount),
        }

    # The receipt

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="payroll_expenseclaim_receipt",
            ),
        ]
        return own + super().get_urls()

    def receipt_view(self, request, object_id):
        claim = self.get_object(request, object_id)
        if claim is None or not claim.receipt:
            raise Http404(_("No such receipt."))
        if not self.has_view_permission(request, claim):
            raise PermissionDenied
        extension = claim.receipt.name.rsplit(".", 1)[-1].lower()
        try:
            handle = claim.receipt.open("rb")
        except FileNotFoundError as error:
            raise Http404(_("No such receipt.")) from error
        response = FileResponse(
            handle,
            filename=f"receipt-{claim.pk}.{extension}",
            content_type=RECEIPT_CONTENT_TYPES.get(extension, "application/octet-stream"),
        )
        response["Content-Security-Policy"] = "sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    # Actions

    approve_selected = each_action(
        gettext_lazy("Approve (reimburse)"),
        expense_claim_approve,
        "claim",
        rows=by_id,
        amount=lambda claim: claim.amount or Decimal(0),
        done_message=ngettext_lazy(
            "%(count)d claim approved: posted and queued for reimbursement.",
            "%(count)d claims approved: posted and queued for reimbursement.",
            "count",
        ),
    )
    approve_overdraft = reason_action(
        gettext_lazy("Approve over the balance (overdraft, with a reason)"),
        expense_claim_approve,
        "claim",
        overdraft=True,
        rows=by_id,
        form_class=OverdraftForm,
        title=gettext_lazy("Approve over the balance"),
        intro=gettext_lazy(
            "The units' balances may go below zero for these claims. Say why: the "
            "reason is kept with each claim."
        ),
        done_message=ngettext_lazy(
            "%(count)d claim approved.", "%(count)d claims approved.", "count"
        ),
    )
    reject_with_reason = reason_action(
        gettext_lazy("Reject with a reason"),
        expense_claim_reject,
        "claim",
        rows=by_id,
        intro=gettext_lazy("The claimant reads the reason on the claim's page."),
        done_message=ngettext_lazy(
            "%(count)d claim rejected.", "%(count)d claims rejected.", "count"
        ),
    )

    # The same services on the claim's own page (core.admin_decisions).
    decisions = (
        Decision(
            "approve",
            gettext_lazy("Approve (reimburse)"),
            lambda claim, by, data: expense_claim_approve(claim=claim, by=by),
            gettext_lazy("Claim %(object)s approved: posted and queued for reimbursement."),
            allowed=to_review,
            primary=True,
        ),
        Decision(
            "overdraft",
            gettext_lazy("Approve over the balance (overdraft, with a reason)"),
            lambda claim, by, data: expense_claim_approve(
                claim=claim, by=by, overdraft=True, reason=data["reason"]
            ),
            gettext_lazy("Claim %(object)s approved."),
            form_class=OverdraftForm,
            allowed=to_review,
            intro=gettext_lazy(
                "The unit's balance may go below zero for this claim. Say why: the reason "
                "is kept with the claim."
            ),
        ),
        Decision(
            "refuse",
            gettext_lazy("Reject with a reason"),
            lambda claim, by, data: expense_claim_reject(claim=claim, by=by, reason=data["reason"]),
            gettext_lazy("Claim %(object)s rejected."),
            form_class=RefuseForm,
            allowed=to_review,
            intro=gettext_lazy("The claimant reads the reason on the claim's page."),
        ),
        Decision(
            "ask",
            gettext_lazy("Ask for information"),
            lambda claim, by, data: expense_claim_ask_information(
                claim=claim, by=by, question=data["reason"]
            ),
            gettext_lazy("Your question on claim %(object)s is sent to the claimant."),
            form_class=QuestionForm,
            allowed=to_review,
            intro=gettext_lazy("The claim stays in the queue until you decide."),
        ),
    )


expense_claims_to_review = advisor_queue_item(
    gettext_lazy("Expense claims to review"), ExpenseClaim, status=ExpenseClaim.Status.SUBMITTED
)
