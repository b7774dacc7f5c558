"""The queue of refunds: shares refunded to leaving members and money returned to refused
applicants, marked paid once the bank transfer is made."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    AuditTrailMixin,
    ReadOnlyAdmin,
    advisor_queue_item,
    day_field,
    money,
    run_action_with_form,
)

from ..exit_services import refund_payout_mark_paid
from ..models import (
    RefundPayout,
)
from .roles import is_advisor


class PaidOnForm(forms.Form):
    paid_on = day_field(gettext_lazy("Paid on"))


@admin.register(RefundPayout)
class RefundPayoutAdmin(
    OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, ReadOnlyAdmin
):
    # A member's refund, or an applicant's money refunded when the application is refused.
    office_path = ("member__office", "application__office")
    identifier_fields = identifier_search_fields = ("iban",)
    masked_iban = masked("iban", gettext_lazy("IBAN"))
    list_display = (
        "created_at",
        "beneficiary",
        "amount",
        "masked_iban",
        "status",
        "paid_on",
        "member",
    )
    list_filter = ("status",)
    list_select_related = ("member",)
    search_fields = ("beneficiary", "member__number__exact")
    exclude = ("iban",)
    readonly_fields = ("masked_iban",)
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("mark_paid",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "application", "entry")

    def has_review_permission(self, request):
        return is_advisor(request.user)

    @admin.action(description=gettext_lazy("Mark as paid"), permissions=["review"])
    def mark_paid(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(status=RefundPayout.Status.PENDING),
            form_class=PaidOnForm,
            title=_("Mark the refunds as paid"),
            describe=lambda payout: money(payout.amount),
            apply=lambda payout, data: refund_payout_mark_paid(
                payout=payout, by=request.user, paid_on=data["paid_on"]
            ),
            done_message=ngettext_lazy(
                "%(count)d refund marked as paid.", "%(count)d refunds marked as paid.", "count"
            ),
        )


refunds_to_pay = advisor_queue_item(
    gettext_lazy("Share refunds to pay"), RefundPayout, status=RefundPayout.Status.PENDING
)
